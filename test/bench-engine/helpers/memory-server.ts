/**
 * A server in memory behind the transport's `connector` option: the test decides every chunk
 * the client receives and when (so a literal can be cut anywhere, byte by byte if need be) and
 * sees every byte the client writes. No socket, no port.
 */
import { Duplex } from 'node:stream';
import type { Connector } from '../../../drivers/transport.js';

export interface MemoryServer {
  /** For TransportOptions.connector (one connection). */
  readonly connector: Connector;
  /** Each write of the client, as latin1 text. */
  readonly written: string[];
  /** Called on each client write, after it is in `written`: a scripted answer goes here. */
  onWrite: ((text: string) => void) | undefined;
  /** One chunk to the client. */
  send(chunk: string | Buffer): void;
  /** `chunks` to the client, one per macrotask (each its own `data` event). */
  drip(chunks: readonly (string | Buffer)[]): Promise<void>;
  /** The server closes the connection. */
  end(): void;
  /** Whether the client destroyed or closed its side. */
  readonly destroyed: boolean;
}

export function memoryServer(): MemoryServer {
  const written: string[] = [];
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('latin1'));
      callback();
      server.onWrite?.(written[written.length - 1]!);
    },
  });
  const server: MemoryServer = {
    connector: () => duplex,
    written,
    onWrite: undefined,
    send(chunk) {
      if (!duplex.destroyed) duplex.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    },
    async drip(chunks) {
      for (const c of chunks) {
        await new Promise((resolve) => setImmediate(resolve));
        server.send(c);
      }
    },
    end() {
      duplex.push(null);
    },
    get destroyed() {
      return duplex.destroyed;
    },
  };
  return server;
}

/** Every byte of `text` as its own chunk. */
export function bytewise(text: string): Buffer[] {
  const b = Buffer.from(text, 'latin1');
  return Array.from(b, (byte) => Buffer.from([byte]));
}
