/**
 * The TCP sockets the transport opens itself: their reads, their events, and their reuse.
 *
 * Reads go through Node's `onread` option: each read lands in one buffer shared by every socket
 * of the thread and is copied out at once into a right-sized chunk. Without it Node allocates a
 * fresh backing store per read and pushes it through the Readable stream machinery to a 'data'
 * listener; a bench that opens a connection per message reads about four times per connection,
 * and that path was a fifth of its CPU per connection.
 *
 * A plaintext socket is reused for a later connection once it has closed cleanly (Node's
 * `socket.connect()` is documented for reconnecting a socket after its 'close'): building a
 * net.Socket (the stream, its readable and writable state, its listeners) cost a bench with a
 * new connection per message about a third of a bare client's JavaScript time per connection.
 * The inbox's listeners stay on the socket for good and forward to the transport that owns it
 * now; that transport gives the socket up in its close handler (InboxOwner.close), before the
 * socket goes back to the idle list. Only a socket that connected, saw no error, was not paused
 * and was never handed to TLS is reused.
 *
 * A socket opened for implicit TLS is a TLS socket that connects itself: its decrypted bytes
 * come here too, and it is not reused. A plaintext socket upgraded later (STARTTLS) is read by
 * the TLS socket that wraps it, whose bytes then arrive as 'data' events.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/**
 * One JavaScript thread runs one read callback at a time, and each read is copied out before
 * the callback returns, so every socket of the thread can share the landing buffer.
 */
const LANDING = Buffer.allocUnsafe(64 * 1024);

/** Closed plaintext sockets waiting for their next connection (per thread, bounded). */
const idle: SocketInbox[] = [];
/** At most this many closed sockets are kept (each a few KB of objects, no descriptor). */
const MAX_IDLE = 1024;

/** How many closed sockets wait for reuse on this thread (tests and diagnostics). */
export function idleSockets(): number {
  return idle.length;
}

/** The transport using a socket now: hears its reads and events. */
export interface InboxOwner {
  data(chunk: Buffer): void;
  connect(): void;
  end(): void;
  /** The socket closed; the owner must drop every reference to it before returning. */
  close(): void;
  error(err: Error): void;
}

export interface InboxTarget {
  host: string;
  port: number;
  localAddress?: string;
}

export class SocketInbox {
  readonly socket: Socket;
  readonly #tls: boolean;
  #owner: InboxOwner | undefined;
  /**
   * Reads that came before anyone listened (none in practice: the transport listens as soon as
   * the socket exists; kept so none can be lost, and bounded: past a landing buffer's worth
   * the socket is paused until open()).
   */
  #early: Buffer[] | undefined;
  #earlyBytes = 0;
  /** This connection may not be reused: it failed, or the socket was handed to TLS. */
  #spent = false;
  #connected = false;

  /**
   * Connect to `target`: on an idle socket of this thread when there is one (plaintext only),
   * else on a new one. `tls`: connect with TLS from the start (implicit TLS), with these options.
   */
  static connect(target: InboxTarget, tls?: ConnectionOptions): SocketInbox {
    const reused = tls === undefined ? idle.pop() : undefined;
    if (reused === undefined) return new SocketInbox(target, tls);
    reused.socket.connect({ host: target.host, port: target.port, ...(target.localAddress ? { localAddress: target.localAddress } : {}) });
    return reused;
  }

  private constructor(target: InboxTarget, tls: ConnectionOptions | undefined) {
    const options = {
      host: target.host,
      port: target.port,
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
      // Kept by the socket across reconnects: every new handle gets TCP_NODELAY on connect.
      noDelay: true,
      onread: { buffer: LANDING, callback: (n: number, buf: Uint8Array) => this.#landed(n, buf) },
    };
    this.#tls = tls !== undefined;
    this.socket = tls ? tlsConnect({ ...tls, ...options }) : connect(options);
    const socket = this.socket;
    socket.on('connect', () => this.#onConnect());
    socket.on('end', () => this.#owner?.end());
    socket.on('error', (err: Error) => this.#onError(err));
    socket.on('close', () => this.#onClose());
  }

  /** Hand every read and event to `owner` from now on, the reads that came before first. */
  open(owner: InboxOwner): void {
    this.#owner = owner;
    const early = this.#early;
    this.#early = undefined;
    if (early === undefined) return;
    // Resumed first: if the owner pauses for its own backpressure while taking them, that stands.
    if (this.#earlyBytes > LANDING.length && !this.socket.destroyed) this.socket.resume();
    this.#earlyBytes = 0;
    for (const chunk of early) owner.data(chunk);
  }

  /** The socket is being handed to TLS: drop every read and event from now on, never reuse it. */
  close(): void {
    this.#owner = undefined;
    this.#early = undefined;
    this.#spent = true;
  }

  /** Always true: keep reading (backpressure goes through socket.pause()). */
  #landed(n: number, buf: Uint8Array): boolean {
    // Buffer.allocUnsafe takes small chunks from Node's pool: a slice, not an allocation.
    const chunk = Buffer.allocUnsafe(n);
    chunk.set(buf.subarray(0, n));
    if (this.#owner) this.#owner.data(chunk);
    else if (!this.#spent) {
      (this.#early ??= []).push(chunk);
      this.#earlyBytes += n;
      if (this.#earlyBytes > LANDING.length) this.socket.pause();
    }
    return true;
  }

  #onConnect(): void {
    this.#connected = true;
    this.#owner?.connect();
  }

  #onError(err: Error): void {
    this.#spent = true;
    this.#owner?.error(err);
  }

  #onClose(): void {
    const owner = this.#owner;
    this.#owner = undefined;
    this.#early = undefined;
    this.#earlyBytes = 0;
    owner?.close();
    // A paused socket would not start reading on its next connect (Node reads after a
    // connect only when not paused), and a failed or handed-over one is not trusted again.
    if (this.#tls || this.#spent || !this.#connected || this.socket.isPaused() || idle.length >= MAX_IDLE) return;
    this.#connected = false;
    idle.push(this);
  }
}
