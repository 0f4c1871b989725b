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
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  let accepted = 0;
  const lineBuffers = new WeakMap<Socket, { buf: string; waiters: ((line: string) => void)[] }>();
  const ctx: ScriptContext = {
    setTimeout(fn, ms) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!closing) fn();
      }, ms);
      timers.add(t);
    },
    sleep(ms) {
      return new Promise((resolve) => ctx.setTimeout(resolve, ms));
    },
    startTls(socket, options) {
      const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext(options) });
      tlsSocket.on('error', () => {});
      sockets.add(tlsSocket);
      return tlsSocket;
    },
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
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    Promise.resolve()
      .then(() => script(socket, ctx))
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    host: '127.0.0.1',
    port: address.port,
    get accepted() {
      return accepted;
    },
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
