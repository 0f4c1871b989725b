/**
 * The reads of a TCP socket the transport opens itself, taken through Node's `onread` option:
 * each read lands in one buffer shared by every socket of the thread and is copied out at once
 * into a right-sized chunk. Without it Node allocates a fresh backing store per read and pushes
 * it through the Readable stream machinery to a 'data' listener; a bench that opens a
 * connection per message reads about four times per connection, and that path was a fifth of
 * its CPU per connection.
 *
 * A socket opened for implicit TLS is a TLS socket that connects itself: its decrypted bytes
 * come here too. A plaintext socket upgraded later (STARTTLS) is read by the TLS socket that
 * wraps it, whose bytes then arrive as 'data' events.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/**
 * One JavaScript thread runs one read callback at a time, and each read is copied out before
 * the callback returns, so every socket of the thread can share the landing buffer.
 */
const LANDING = Buffer.allocUnsafe(64 * 1024);

const DROP = (): void => {};

export class SocketInbox {
  readonly socket: Socket;
  /**
   * Reads that came before anyone listened (none in practice: the transport listens as soon as
   * the socket exists; kept so none can be lost, and bounded: past a landing buffer's worth
   * the socket is paused until open()).
   */
  #early: Buffer[] | undefined;
  #earlyBytes = 0;
  #sink: ((chunk: Buffer) => void) | undefined;

  /** `tls`: connect with TLS from the start (implicit TLS), with these options. */
  constructor(target: { host: string; port: number; localAddress?: string }, tls?: ConnectionOptions) {
    const options = {
      host: target.host,
      port: target.port,
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
      onread: { buffer: LANDING, callback: (n: number, buf: Uint8Array) => this.#landed(n, buf) },
    };
    this.socket = tls ? tlsConnect({ ...tls, ...options }) : connect(options);
  }

  /** Hand every read to `sink` from now on, those that came before first. */
  open(sink: (chunk: Buffer) => void): void {
    this.#sink = sink;
    const early = this.#early;
    this.#early = undefined;
    if (early === undefined) return;
    // Resumed first: if the sink pauses for its own backpressure while taking them, that stands.
    if (this.#earlyBytes > LANDING.length && !this.socket.destroyed) this.socket.resume();
    for (const chunk of early) sink(chunk);
  }

  /** Drop every read from now on (the connection is being handed to TLS or is over). */
  close(): void {
    this.#sink = DROP;
    this.#early = undefined;
  }

  /** Always true: keep reading (backpressure goes through socket.pause()). */
  #landed(n: number, buf: Uint8Array): boolean {
    // Buffer.allocUnsafe takes small chunks from Node's pool: a slice, not an allocation.
    const chunk = Buffer.allocUnsafe(n);
    chunk.set(buf.subarray(0, n));
    if (this.#sink) this.#sink(chunk);
    else {
      (this.#early ??= []).push(chunk);
      this.#earlyBytes += n;
      if (this.#earlyBytes > LANDING.length) this.socket.pause();
    }
    return true;
  }
}
