/**
 * A front end's hold on one client: writes with backpressure (a client that never reads stalls
 * its own session, not the process), input pausing when too much is unread, an idle timeout,
 * the STARTTLS switch to a TLS socket, and a single close path.
 */
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { acceptTls } from './tls.js';

export interface ConnectionEvents {
  data(chunk: Buffer): void;
  /** The idle time passed without input or output; the session says goodbye and closes. */
  idle(): void;
  closed(): void;
}

/** How long the peer gets to read our last words after we close our side. */
const LINGER_MS = 2000;

let nextSessionId = 1;

export class Connection {
  /** Unique per connection in this process (store observers, POP3 locks). */
  readonly id = nextSessionId++;
  #socket: Socket | TLSSocket;
  #secure: boolean;
  #events: ConnectionEvents | undefined;
  #closed = false;
  #idleMs: number;
  readonly #onData = (chunk: Buffer): void => this.#events?.data(chunk);
  readonly #onTimeout = (): void => this.#events?.idle();
  readonly #onClose = (): void => this.#markClosed();

  constructor(socket: Socket | TLSSocket, secure: boolean, idleMs: number) {
    this.#socket = socket;
    this.#secure = secure;
    this.#idleMs = idleMs;
    this.#attach(socket);
  }

  /** Start delivering events (after the front end has set itself up). */
  listen(events: ConnectionEvents): void {
    this.#events = events;
  }

  get secure(): boolean {
    return this.#secure;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get remoteAddress(): string {
    return this.#socket.remoteAddress ?? 'unknown';
  }

  /** TLS version and cipher once secure, for trace headers. */
  get tlsDescription(): string | undefined {
    const s = this.#socket as Partial<TLSSocket>;
    if (!this.#secure || typeof s.getProtocol !== 'function') return undefined;
    return `${s.getProtocol() ?? '?'} ${s.getCipher?.()?.name ?? '?'}`;
  }

  setIdle(ms: number): void {
    this.#idleMs = ms;
    if (!this.#closed) this.#socket.setTimeout(ms);
  }

  /** Queue bytes for the client; false when the connection is gone. */
  write(data: string | Uint8Array): boolean {
    if (this.#closed || this.#socket.destroyed || this.#socket.writableEnded) return false;
    this.#socket.write(data);
    return true;
  }

  /** Resolves once the client has taken what was written (or the connection is gone). */
  drained(): Promise<void> {
    const s = this.#socket;
    if (this.#closed || !s.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  pauseInput(): void {
    this.#socket.pause();
  }

  resumeInput(): void {
    if (!this.#closed) this.#socket.resume();
  }

  /**
   * Switch to TLS (STARTTLS/STLS after the go-ahead). Input arriving before the handshake is
   * not delivered as data any more; whatever the session still buffers is its own decision.
   */
  async startTls(context: SecureContext, timeoutMs: number): Promise<boolean> {
    const plain = this.#socket as Socket;
    this.#detach(plain);
    plain.setTimeout(0);
    try {
      const secure = await acceptTls(plain, context, timeoutMs);
      this.#socket = secure;
      this.#secure = true;
      this.#attach(secure);
      if (plain.destroyed) this.#markClosed();
      return true;
    } catch {
      this.#markClosed();
      return false;
    }
  }

  /** Write the last words (if any), close our side, and destroy after a short linger. */
  end(last?: string | Uint8Array): void {
    if (this.#closed) return;
    const s = this.#socket;
    if (last !== undefined && !s.writableEnded) s.end(last);
    else if (!s.writableEnded) s.end();
    const t = setTimeout(() => s.destroy(), LINGER_MS);
    t.unref();
    s.once('close', () => clearTimeout(t));
  }

  destroy(): void {
    this.#socket.destroy();
    this.#markClosed();
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', this.#onData);
    socket.on('timeout', this.#onTimeout);
    socket.on('close', this.#onClose);
    socket.on('error', () => undefined);
    socket.setTimeout(this.#idleMs);
  }

  #detach(socket: Socket | TLSSocket): void {
    socket.off('data', this.#onData);
    socket.off('timeout', this.#onTimeout);
    socket.off('close', this.#onClose);
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#events?.closed();
  }
}
