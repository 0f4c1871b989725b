/**
 * A scripted hostile server on 127.0.0.1 port 0 that can say how many of its own sockets and
 * timers are still alive, so a case can tell the client's leaks from the server's own handles.
 * `close()` tears every socket and timer down.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContextOptions } from 'node:tls';
import { LocalServer } from '../helpers/script-server.js';

export type Stream = Socket | TLSSocket;

export interface HostileContext {
  /** Resolves after ms; never if the server is closing (its socket is destroyed anyway). */
  sleep(ms: number): Promise<void>;
  /** Write and wait for the kernel to take the bytes (backpressure); false once the peer is gone. */
  send(stream: Stream, data: string | Buffer): Promise<boolean>;
  /** Serve TLS on the socket from here on (implicit TLS from the first byte, or after STARTTLS). */
  startTls(socket: Socket, options: SecureContextOptions): TLSSocket;
  /** The next line the client sent (CR/LF stripped), or null once the client is gone. */
  line(stream: Stream): Promise<string | null>;
  /** Stop line reading on this stream; what was buffered (for STARTTLS scripts). */
  detach(stream: Stream): string;
  /** True once close() began: loops stop. */
  readonly closing: boolean;
}

export type HostileScript = (socket: Socket, ctx: HostileContext) => void | Promise<void>;

export interface HostileServer {
  readonly host: string;
  readonly port: number;
  readonly accepted: number;
  /** Server-side sockets (plain and TLS wrappers count once each: their handle) still open. */
  openSockets(): number;
  /** Timers the script has pending. */
  pendingTimers(): number;
  close(): Promise<void>;
}

class LineReader {
  buf = '';
  waiters: ((line: string | null) => void)[] = [];
  ended = false;
  constructor(readonly stream: Stream) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
  }
  onData = (chunk: Buffer): void => {
    this.buf += chunk.toString('latin1');
    // A hostile test server only needs commands; cap what a client flood can make it hold.
    if (this.buf.length > 1 << 20 && !this.buf.includes('\n')) this.buf = this.buf.slice(-1024);
    this.serve();
  };
  onEnd = (): void => {
    this.ended = true;
    this.serve();
  };
  serve(): void {
    while (this.waiters.length > 0) {
      const lf = this.buf.indexOf('\n');
      if (lf === -1) {
        if (!this.ended) return;
        this.waiters.shift()!(null);
        continue;
      }
      const line = this.buf.slice(0, lf).replace(/\r$/, '');
      this.buf = this.buf.slice(lf + 1);
      this.waiters.shift()!(line);
    }
  }
  detach(): string {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    const rest = this.buf;
    this.buf = '';
    for (const w of this.waiters.splice(0)) w(null);
    return rest;
  }
}

export async function hostileServer(script: HostileScript, options: { allowHalfOpen?: boolean } = {}): Promise<HostileServer> {
  const local = new LocalServer();
  const readers = new WeakMap<Stream, LineReader>();
  const ctx: HostileContext = {
    sleep(ms) {
      return new Promise((resolve) => local.setTimeout(resolve, ms));
    },
    send(stream, data) {
      if (stream.destroyed || !stream.writable || local.closing) return Promise.resolve(false);
      return new Promise((resolve) => {
        const ok = stream.write(data, (err) => {
          if (err) resolve(false);
          else if (ok) resolve(true);
        });
        if (!ok) {
          const done = (v: boolean) => () => {
            stream.off('drain', onDrain);
            stream.off('close', onClose);
            resolve(v);
          };
          const onDrain = done(true);
          const onClose = done(false);
          stream.once('drain', onDrain);
          stream.once('close', onClose);
        }
      });
    },
    startTls(socket, tlsOptions) {
      readers.get(socket)?.detach();
      return local.startTls(socket, tlsOptions);
    },
    line(stream) {
      let r = readers.get(stream);
      if (!r) {
        r = new LineReader(stream);
        readers.set(stream, r);
      }
      const reader = r;
      return new Promise((resolve) => {
        reader.waiters.push(resolve);
        reader.serve();
      });
    },
    detach(stream) {
      const r = readers.get(stream);
      readers.delete(stream);
      return r ? r.detach() : '';
    },
    get closing() {
      return local.closing;
    },
  };
  const port = await local.listen((socket) => script(socket, ctx), options);
  return {
    host: local.host,
    port,
    get accepted() {
      return local.accepted;
    },
    openSockets: () => [...local.sockets].filter((s) => !(s instanceof TLSSocket)).length,
    pendingTimers: () => local.timers.size,
    close: () => local.close(),
  };
}
