/**
 * Whole SMTP replies handed to a state machine by callback: the reading half of the SMTP hot
 * path without a promise per reply. A run with a new connection per message reads five or six
 * replies per connection; as promises (a read, an async reader around it, the session's await)
 * they were the largest part of mailprobe's own CPU per connection.
 *
 * Lines already buffered are taken at once (Transport.takeLine); otherwise the pump waits
 * with Transport.waitLine, under the read's deadline, and goes on when the line comes. Each
 * line goes through ReplyScan (smtp-wire.ts): a reply code or EPROTOCOL, at most
 * MAX_REPLY_LINES lines per reply, the known EHLO keywords, the text only when asked.
 */
import type { MailprobeError } from '../../drivers/errors.js';
import { writtenAtOnce, type LineReceiver, type ReadOptions, type Transport, type WriteOptions } from '../../drivers/transport.js';
import { ReplyScan } from './smtp-wire.js';

const IGNORE = (): void => {};

/** What a pump hands whole replies to. */
export interface ReplySink {
  /**
   * A whole reply. Return true to read the next one (the pump goes on at once, or waits for
   * it), false to stop: the sink then calls read() again when it wants another.
   */
  reply(code: number, extensions: number, lines: string[] | undefined): boolean;
  /** The read failed (deadline, close, a limit, a line without a reply code): no more replies. */
  failed(err: unknown): void;
}

export class ReplyPump implements LineReceiver {
  readonly #t: Transport;
  readonly #sink: ReplySink;
  readonly #scan: ReplyScan;
  #options: ReadOptions = {};

  constructor(t: Transport, sink: ReplySink) {
    this.#t = t;
    this.#sink = sink;
    this.#scan = new ReplyScan(t);
  }

  /**
   * Read replies into the sink until it says stop. `withText`: keep every line's text (the
   * first session's EHLO, for the report); `options` carries the deadline of each wait.
   */
  read(options: ReadOptions, withText = false): void {
    this.#options = options;
    this.#scan.withText = withText;
    this.#drain();
  }

  /**
   * Write `bytes`, not waited for: the read that follows reports a failed write (the transport
   * closes the connection on one) and a peer that stops reading (the write's deadline fails it).
   */
  send(bytes: Uint8Array, options: WriteOptions): void {
    const written = this.#t.write(bytes, options);
    if (!writtenAtOnce(written)) written.catch(IGNORE);
  }

  /** LineReceiver: the line a wait was for. */
  resolve(line: Buffer): void {
    if (this.#line(line)) this.#drain();
  }

  /** LineReceiver: the wait failed. */
  reject(err: MailprobeError): void {
    this.#sink.failed(err);
  }

  #drain(): void {
    const t = this.#t;
    const options = this.#options;
    for (;;) {
      let line: Buffer | undefined;
      try {
        line = t.takeLine(options);
      } catch (err) {
        this.#sink.failed(err);
        return;
      }
      if (line === undefined) {
        t.waitLine(options, this);
        return;
      }
      if (!this.#line(line)) return;
    }
  }

  /** Whether to read on: a reply continues, or the sink asked for the next one. */
  #line(line: Buffer): boolean {
    const scan = this.#scan;
    let done: boolean;
    try {
      done = scan.line(line);
    } catch (err) {
      this.#sink.failed(err);
      return false;
    }
    if (!done) return true;
    const { code, extensions, lines } = scan;
    scan.reset();
    return this.#sink.reply(code, extensions, lines);
  }
}
