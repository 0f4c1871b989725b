/**
 * The reads of a TCP socket the transport opens itself, taken through Node's `onread` option:
 * each read lands in one buffer shared by every socket of the thread and is copied out at once
 * into a right-sized chunk. Without it Node allocates a fresh backing store per read and pushes
 * it through the Readable stream machinery to a 'data' listener; a bench that opens a
 * connection per message reads about four times per connection, and that path was a fifth of
 * its CPU per connection.
 *
 * Only plaintext reads come here: once TLS takes the socket over (implicit TLS or STARTTLS)
 * the TLS socket reads the handle itself and its plaintext arrives as 'data' events.
 */
import { connect, type Socket } from 'node:net';

/**
 * One JavaScript thread runs one read callback at a time, and each read is copied out before
 * the callback returns, so every socket of the thread can share the landing buffer.
 */
const LANDING = Buffer.allocUnsafe(64 * 1024);

const DROP = (): void => {};

export class SocketInbox {
  readonly socket: Socket;
  /** Reads that came before anyone listened (none in practice: kept so none can be lost). */
  #early: Buffer[] | undefined;
  #sink: ((chunk: Buffer) => void) | undefined;

  constructor(target: { host: string; port: number; localAddress?: string }) {
    this.socket = connect({
      host: target.host,
      port: target.port,
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
      onread: { buffer: LANDING, callback: (n: number, buf: Uint8Array) => this.#landed(n, buf) },
    });
  }

  /** Hand every read to `sink` from now on, those that came before first. */
  open(sink: (chunk: Buffer) => void): void {
    this.#sink = sink;
    const early = this.#early;
    this.#early = undefined;
    if (early) for (const chunk of early) sink(chunk);
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
    else (this.#early ??= []).push(chunk);
    return true;
  }
}
