/**
 * The IMAP hot path's response reader: where each response ends and how each command was
 * completed, nothing more. The driver (drivers/imap/connection.ts) parses every response for
 * the conformance checks; a load run only needs the framing, the tag and status of each
 * tagged completion (RFC 9051 §7.1: OK, NO or BAD) and to notice an untagged BYE.
 *
 * Framing (RFC 9051 §4.3, RFC 7888, RFC 3516): a line that ends in `{n}`, `{n+}` or `~{n}` is
 * followed by n bytes of literal, then the response goes on with another line; status and
 * continuation lines carry free text, where a trailing `{n}` is text (drivers/imap/framer.ts
 * decides both, shared with the driver). Untagged data is counted and skipped unparsed.
 *
 * Bounds are the driver's: a literal over limits.maxLiteralBytes, more than limits.maxUntagged
 * responses or limits.maxReplyBytes for one command, a line over limits.maxLineBytes (the
 * transport's check) are ELIMIT; a `+` no command asked for, a completion with a tag not in
 * flight or without a status are EPROTOCOL; an untagged BYE is ECLOSED (RFC 9051 §7.1.5: the
 * server is closing). Like the driver, any failure before the completions gives the connection
 * up: the server still owes them, and whatever came next would be read as a later answer.
 *
 * Lines already buffered are taken without a promise (Transport.takeLine), and literal bytes
 * already buffered are dropped unread (Transport.skipBytes). A read that has to wait does so by
 * callback (Transport.waitLine), under what is left of the commands' one budget from their
 * write; next() then returns one promise, settled with the index of the completion (a number:
 * settling a promise with a Buffer makes V8 look up `then` along the Buffer's prototypes).
 */
import { MailprobeError } from '../../drivers/errors.js';
import { ASTERISK, BRACKET_CLOSE, BRACKET_OPEN, CR, LF, PLUS, SP } from '../../drivers/imap/bytes.js';
import { isTextResponseLine, literalAnnouncement } from '../../drivers/imap/framer.js';
import type { TaggedStatus } from '../../drivers/imap/response-types.js';
import { limitError } from '../../drivers/limits.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { LineReceiver, ReadOptions, Transport, WriteOptions } from '../../drivers/transport.js';

/** Where tags come from: the connection's own counter (ImapConnection.nextTag), so the lean
 * commands and the driver's never share a tag on one connection (RFC 9051 §2.2.1). */
export interface TagSource {
  nextTag(): string;
}

/** `nextTo()`'s answer when the completion has to be waited for (and #line's: read on). */
export const WAITING = -1;
const MORE = WAITING;

/** Hears the completion `nextTo()` could not return at once: exactly one call, never from inside nextTo(). */
export interface CompletionReceiver {
  completed(index: number): void;
  failed(err: unknown): void;
}
/** Bytes of a response line shown in an error. */
const SHOWN = 300;

/**
 * One session's lean reader and writer. `send` writes a group of commands (one, or a pipelined
 * round, RFC 9051 §5.5); `next` returns the index of the next one completed, in the order the
 * server completes them, with its `status` (and `text` for NO and BAD) on this object until
 * the next call.
 */
export class ImapWire {
  /** Status of the completion `next()` returned last. */
  status: TaggedStatus = 'OK';
  /** Its resp-text without the response code (as the driver's `text`); empty for OK. */
  text = '';
  readonly #t: Transport;
  readonly #tagSource: TagSource;
  readonly #budgetMs: number;
  readonly #take: ReadOptions = { record: false, phase: 'command' };
  /** One object for every waiting read; its timeout is what is left of the budget. */
  readonly #read: { record: boolean; phase: 'command'; timeoutMs: number } = { record: false, phase: 'command', timeoutMs: 0 };
  readonly #write: WriteOptions;
  /**
   * Tags of the group in flight (the first #sent entries; reused between groups, never
   * truncated: setting an array's length is a runtime call), as sent (error messages), and
   * whether each is still owed a completion.
   */
  readonly #tags: string[] = [];
  readonly #owed: boolean[] = [];
  #sent = 0;
  /** The group's commands without tags (for error messages only). */
  #bodies: readonly Buffer[] = [];
  #pending = 0;
  #startedAt = 0;
  #deadline = 0;
  /** Untagged responses and bytes read since the last completion (see #count). */
  #untagged = 0;
  #bytes = 0;
  /** Literal bytes announced and not read yet. */
  #literal = 0;
  /** The next line goes on with a response whose literal was just read. */
  #continues = false;
  /** Who hears the completion being waited for. */
  #to: CompletionReceiver | undefined;
  /** The promise next() returned while a read waits, and the receiver that settles it. */
  #resolve: ((index: number) => void) | undefined;
  #reject: ((err: unknown) => void) | undefined;
  readonly #promised: CompletionReceiver = {
    completed: (index) => {
      const resolve = this.#resolve;
      this.#resolve = this.#reject = undefined;
      resolve?.(index);
    },
    failed: (err) => {
      const reject = this.#reject;
      this.#resolve = this.#reject = undefined;
      reject?.(err);
    },
  };
  /** Literal bytes that were not buffered yet have arrived (they are not looked at). */
  readonly #literalRead = (): void => this.#pump();
  readonly #literalFailed = (err: unknown): void => this.#settle(MORE, err);
  /** Hears the line a wait was for (Transport.waitLine). */
  readonly #receiver: LineReceiver = {
    resolve: (line) => this.#onLine(line),
    reject: (err) => this.#settle(MORE, err),
  };

  /** `budgetMs`: from the write of a group to its last completion (timeouts.commandMs). */
  constructor(t: Transport, tagSource: TagSource, budgetMs: number) {
    this.#t = t;
    this.#tagSource = tagSource;
    this.#budgetMs = budgetMs;
    this.#write = { display: false, phase: 'command', timeoutMs: budgetMs };
  }

  /** When the group in flight was written (transport clock, ms). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /**
   * Tag the first `count` of `bodies` (each a command without its tag: ` NOOP\r\n`) and write
   * them in one write. Write failures need no clean-up here: the transport has closed already
   * (ECLOSED) or gives the connection up itself (ETIMEDOUT).
   */
  send(bodies: readonly Buffer[], count = bodies.length): Promise<void> {
    // Completions still owed on an open connection would be read as this group's (a failed
    // group's connection is closed: its write then fails as the transport says).
    if (this.#pending > 0 && !this.#t.closed) throw new Error('ImapWire.send() while commands are still in flight');
    const tags = this.#tags;
    const owed = this.#owed;
    let size = 0;
    for (let i = 0; i < count; i++) {
      const tag = this.#tagSource.nextTag();
      tags[i] = tag;
      owed[i] = true;
      size += tag.length + bodies[i]!.length;
    }
    const wire = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < count; i++) {
      // Tags are short ASCII (ImapConnection.nextTag): stored byte by byte, no encoder call.
      const tag = tags[i]!;
      for (let k = 0; k < tag.length; k++) wire[at++] = tag.charCodeAt(k);
      at += bodies[i]!.copy(wire, at);
    }
    this.#bodies = bodies;
    this.#sent = count;
    this.#pending = count;
    this.#untagged = 0;
    this.#bytes = 0;
    this.#literal = 0;
    this.#continues = false;
    const t = this.#t;
    const written = t.write(wire, this.#write);
    // The write's own clock reading: the group is timed from it.
    this.#startedAt = t.lastWriteAt;
    this.#deadline = this.#startedAt + this.#budgetMs;
    return written;
  }

  /**
   * The index (into `send`'s bodies) of the next command completed; a number when its
   * completion was already buffered, else a promise. Callers test `typeof` to skip the await.
   */
  next(): number | Promise<number> {
    const done = this.nextTo(this.#promised);
    if (done !== WAITING) return done;
    // Settled only from a later callback (Transport.waitLine never calls back from inside).
    return new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * next() without a promise: the index when the completion was already buffered, else
   * WAITING, and `to` hears the index or the failure later. A failure found at once throws.
   */
  nextTo(to: CompletionReceiver): number {
    if (this.#pending === 0) throw new Error('ImapWire.next() with no command in flight');
    try {
      const done = this.#drain();
      if (done !== MORE) return done;
      this.#to = to;
      this.#wait();
      return WAITING;
    } catch (err) {
      this.#to = undefined;
      throw this.#fail(err);
    }
  }

  /** The line a wait was for. */
  #onLine(line: Buffer): void {
    let done: number;
    try {
      done = this.#line(line);
    } catch (err) {
      this.#settle(MORE, err);
      return;
    }
    if (done !== MORE) this.#settle(done, undefined);
    else this.#pump();
  }

  /** What is buffered, without waiting: literal bytes dropped, lines taken; MORE when that runs out first. */
  #drain(): number {
    const t = this.#t;
    for (;;) {
      if (this.#literal > 0) {
        // The bytes are not looked at: the mix acts on no message data.
        this.#literal -= t.skipBytes(this.#literal, this.#take);
        if (this.#literal > 0) return MORE;
        continue;
      }
      const line = t.takeLine(this.#take);
      if (line === undefined) return MORE;
      const done = this.#line(line);
      if (done !== MORE) return done;
    }
  }

  /** Go on after a wait: what is buffered, then the next wait or the completion. */
  #pump(): void {
    let done: number;
    try {
      done = this.#drain();
    } catch (err) {
      this.#settle(MORE, err);
      return;
    }
    if (done !== MORE) {
      this.#settle(done, undefined);
      return;
    }
    try {
      this.#wait();
    } catch (err) {
      this.#settle(MORE, err);
    }
  }

  /** Wait for the rest of a literal, or for the next line (a throw here is a misuse: a read already pending). */
  #wait(): void {
    const t = this.#t;
    if (this.#literal > 0) {
      const n = this.#literal;
      this.#literal = 0;
      t.readBytes(n, this.#timed()).then(this.#literalRead, this.#literalFailed);
    } else t.waitLine(this.#timed(), this.#receiver);
  }

  /** Tell the receiver: the completion's index, or the failure. */
  #settle(done: number, err: unknown): void {
    const to = this.#to;
    this.#to = undefined;
    if (err !== undefined) to?.failed(this.#fail(err));
    else to?.completed(done);
  }

  /** One line: MORE, or the index of the command it completes. */
  #line(line: Buffer): number {
    this.#count(line.length);
    if (this.#continues) {
      this.#continues = false;
      this.#announced(line, false);
      return MORE;
    }
    const first = line[0];
    if (first === ASTERISK) {
      const max = this.#t.limits.maxUntagged;
      if (++this.#untagged > max) throw limitError('maxUntagged', max, this.#untagged, { response: shown(line) });
      if (isBye(line)) throw new MailprobeError('ECLOSED', `IMAP: the server ended the session: ${shown(line)}`, { response: shown(line) });
      this.#announced(line, true);
      return MORE;
    }
    if (first === PLUS) throw protocolError('continuation request the command did not ask for', line);
    return this.#completion(line);
  }

  /** A literal announced at the end of `line` (the first line of a response may be text). */
  #announced(line: Buffer, first: boolean): void {
    const a = literalAnnouncement(line);
    if (a === undefined || (first && isTextResponseLine(line))) return;
    const limits = this.#t.limits;
    if (a.size > limits.maxLiteralBytes) throw limitError('maxLiteralBytes', limits.maxLiteralBytes, a.size, { response: shown(line) });
    this.#count(a.size);
    this.#literal = a.size;
    this.#continues = true;
  }

  /**
   * Count bytes against limits.maxReplyBytes. The driver caps what it attributes to each
   * command; unparsed data cannot be attributed, so here the cap holds for what comes between
   * two completions (for one command, the same thing).
   */
  #count(bytes: number): void {
    this.#bytes += bytes;
    const max = this.#t.limits.maxReplyBytes;
    if (this.#bytes > max) throw limitError('maxReplyBytes', max, this.#bytes, { detail: { scope: 'command' } });
  }

  /** `tag SP status SP resp-text` (RFC 9051 §7.1): the index of the command it completes. */
  #completion(line: Buffer): number {
    const sp = line.indexOf(SP);
    if (sp <= 0) throw protocolError('response line without a tag', line);
    const i = this.#owedTag(line, sp);
    if (i === -1) throw protocolError(`tagged response for "${renderWireText(line.subarray(0, sp))}", which is not a command in flight`, line);
    const status = statusAt(line, sp + 1);
    if (status === undefined) throw protocolError('tagged response without OK, NO or BAD', line);
    this.#owed[i] = false;
    this.#pending--;
    this.#untagged = 0;
    this.#bytes = 0;
    this.status = status;
    this.text = status === 'OK' ? '' : respText(line, sp + 1 + status.length);
    return i;
  }

  /** The index of the command still owed a completion whose tag is `line[0, sp)`, or -1. */
  #owedTag(line: Buffer, sp: number): number {
    for (let i = 0; i < this.#sent; i++) {
      if (!this.#owed[i]) continue;
      const tag = this.#tags[i]!;
      if (tag.length !== sp) continue;
      let k = 0;
      while (k < sp && line[k] === tag.charCodeAt(k)) k++;
      if (k === sp) return i;
    }
    return -1;
  }

  /** Read options whose timeout is what is left of the budget (at least 1 ms: an expired
   * budget fails on the transport's timer, like connection.ts readResponseBytes). */
  #timed(): ReadOptions {
    this.#read.timeoutMs = Math.max(1, Math.ceil(this.#deadline - this.#t.now()));
    return this.#read;
  }

  /** Give the connection up and say which commands failed; a read timeout is the budget's. */
  #fail(err: unknown): unknown {
    const t = this.#t;
    t.destroy();
    this.#pending = 0;
    if (!(err instanceof MailprobeError)) return err;
    const what = this.#describe();
    const context = { phase: 'command' as const, command: what, transcript: t.snapshot(30) };
    if (err.code !== 'ETIMEDOUT') return err.withContext(context);
    return new MailprobeError(
      'ETIMEDOUT',
      `no completion of ${what} within ${this.#budgetMs} ms`,
      { ...err.context, ...context, elapsedMs: Math.round(t.now() - this.#startedAt) },
      { cause: err },
    );
  }

  /** `A5 NOOP, A6 UID SEARCH UNSEEN`: the group as sent. */
  #describe(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.#sent; i++) parts.push(`${this.#tags[i]!}${renderWireText(this.#bodies[i]!)}`);
    return parts.join(', ');
  }
}

/** `* BYE` (alphabetic characters are case-insensitive, RFC 9051 §9). */
function isBye(line: Buffer): boolean {
  return line[1] === SP && lower(line, 2) === 0x62 && lower(line, 3) === 0x79 && lower(line, 4) === 0x65 && wordEnds(line, 5);
}

/** OK, NO or BAD at `at`, any case; undefined otherwise. */
function statusAt(line: Buffer, at: number): TaggedStatus | undefined {
  const a = lower(line, at);
  const b = lower(line, at + 1);
  if (a === 0x6f && b === 0x6b && wordEnds(line, at + 2)) return 'OK';
  if (a === 0x6e && b === 0x6f && wordEnds(line, at + 2)) return 'NO';
  if (a === 0x62 && b === 0x61 && lower(line, at + 2) === 0x64 && wordEnds(line, at + 3)) return 'BAD';
  return undefined;
}

function lower(line: Buffer, i: number): number {
  return (line[i] ?? 0) | 0x20;
}

function wordEnds(line: Buffer, i: number): boolean {
  const c = line[i];
  return c === undefined || c === SP || c === CR || c === LF;
}

/** The text after the status word, without a leading `[code]` (RFC 9051 §7.1 resp-text). */
function respText(line: Buffer, at: number): string {
  let start = line[at] === SP ? at + 1 : at;
  let end = line.length;
  while (end > start && (line[end - 1] === LF || line[end - 1] === CR)) end--;
  if (line[start] === BRACKET_OPEN) {
    const close = line.indexOf(BRACKET_CLOSE, start);
    if (close !== -1 && close < end) start = line[close + 1] === SP ? close + 2 : close + 1;
  }
  return renderWireText(line.subarray(Math.min(start, end), end));
}

function shown(line: Buffer): string {
  return renderWireText(line.subarray(0, SHOWN));
}

function protocolError(what: string, line: Buffer): MailprobeError {
  return new MailprobeError('EPROTOCOL', `IMAP: ${what}`, { response: shown(line) });
}
