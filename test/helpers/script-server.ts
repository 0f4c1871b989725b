/**
 * Scripted fault servers on 127.0.0.1 port 0, for what real servers will not do (silence,
 * drip-feed, garbage, resets, giant lines, bytes after the STARTTLS go-ahead). Each test writes
 * its script as a connection handler; `close()` tears every socket and timer down.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContextOptions } from 'node:tls';

export interface ScriptServer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export interface ScriptContext {
  /** Timers created through this context are cleared on close. */
  setTimeout(fn: () => void, ms: number): void;
  /** Resolve after ms, or never if the server is closing (the socket is destroyed anyway). */
  sleep(ms: number): Promise<void>;
  /** Upgrade the socket to TLS as a server (for STARTTLS scripts). */
  startTls(socket: Socket, options: SecureContextOptions): TLSSocket;
  /** Read the next CRLF/LF-terminated line the client sent (plaintext or TLS socket). */
  readLine(socket: Socket | TLSSocket): Promise<string>;
}

export type Script = (socket: Socket, ctx: ScriptContext) => void | Promise<void>;

export async function scriptServer(script: Script): Promise<ScriptServer> {
  const local = new LocalServer();
  const lineBuffers = new WeakMap<Socket, { buf: string; waiters: ((line: string) => void)[] }>();
  const ctx: ScriptContext = {
    setTimeout: (fn, ms) => local.setTimeout(fn, ms),
    sleep(ms) {
      return new Promise((resolve) => local.setTimeout(resolve, ms));
    },
    startTls: (socket, options) => local.startTls(socket, options),
    readLine(socket) {
      let state = lineBuffers.get(socket);
      if (!state) {
        const s = { buf: '', waiters: [] as ((line: string) => void)[] };
        state = s;
        lineBuffers.set(socket, s);
        socket.on('data', (chunk: Buffer) => {
          s.buf += chunk.toString('latin1');
          let idx: number;
          while (s.waiters.length > 0 && (idx = s.buf.indexOf('\n')) !== -1) {
            const line = s.buf.slice(0, idx + 1);
            s.buf = s.buf.slice(idx + 1);
            s.waiters.shift()!(line);
          }
        });
      }
      const st = state;
      const idx = st.buf.indexOf('\n');
      if (idx !== -1) {
        const line = st.buf.slice(0, idx + 1);
        st.buf = st.buf.slice(idx + 1);
        return Promise.resolve(line);
      }
      return new Promise((resolve) => st.waiters.push(resolve));
    },
  };
  const port = await local.listen((socket) => script(socket, ctx));
  return {
    host: local.host,
    port,
    get accepted() {
      return local.accepted;
    },
    close: () => local.close(),
  };
}

/**
 * What every scripted test server shares (this file's, test/robustness/hostile-server.ts,
 * test/bench-engine/helpers/smtp-responder.ts): a listener on 127.0.0.1 port 0 that counts the
 * connections it accepts and tracks their sockets (errors swallowed, forgotten once closed),
 * timers that never fire once it is closing, and a `close()` that clears the timers, destroys
 * every socket left and waits for the listener to stop.
 */
export class LocalServer {
  readonly host = '127.0.0.1';
  /** Open server-side sockets, the TLS wrappers of startTls() included. */
  readonly sockets = new Set<Socket>();
  /** Timers of setTimeout() not yet fired. */
  readonly timers = new Set<NodeJS.Timeout>();
  #server: Server | undefined;
  #accepted = 0;
  #closing = false;

  /** Connections accepted so far. */
  get accepted(): number {
    return this.#accepted;
  }
  /** True once close() began. */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Listen; the port. `onSocket` runs for each accepted connection (after a microtask), and a
   * socket whose handler throws or rejects is destroyed.
   */
  async listen(onSocket: (socket: Socket) => void | Promise<void>, options: { allowHalfOpen?: boolean } = {}): Promise<number> {
    const server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => {
      this.#accepted++;
      this.track(socket);
      Promise.resolve()
        .then(() => onSocket(socket))
        .catch(() => socket.destroy());
    });
    this.#server = server;
    return listenLocal(server);
  }

  /** Close this socket too on close(); its errors are swallowed. */
  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Run fn after ms unless the server is closing by then (the timer is cleared on close). */
  setTimeout(fn: () => void, ms: number): void {
    if (this.#closing) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.#closing) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Serve TLS on the socket from here on (implicit TLS, or after a STARTTLS go-ahead). */
  startTls(socket: Socket, options: SecureContextOptions): TLSSocket {
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext(options) });
    this.track(tlsSocket);
    return tlsSocket;
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Listen on 127.0.0.1, port 0 (any free one); the port. */
export async function listenLocal(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return address.port;
}
