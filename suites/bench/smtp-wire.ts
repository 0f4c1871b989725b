/**
 * How the bench reads SMTP replies: the code of each reply, multi-line replies taken to their
 * last line, the EHLO keywords a session acts on matched in place, nothing else parsed or
 * decoded (the driver's reply parser keeps every line as text for conformance checks; a load
 * run needs the codes). ReplyScan reads a reply line by line for the callback pump
 * (smtp-reply-pump.ts: greetings, EHLO, pipelined messages); readCode() with promises, for
 * what is answered one command at a time (QUIT on its own, sessions without PIPELINING).
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { ReadOptions, Transport } from '../../drivers/transport.js';
import { renderWireText } from '../../drivers/transcript.js';

const DIGIT_0 = 0x30;
const DASH = 0x2d;
/** Lines in one reply before it counts as a protocol error (a server that never ends a reply). */
const MAX_REPLY_LINES = 1000;

/**
 * The code of the next reply (RFC 5321 §4.2: `NNN-` continues, `NNN ` or `NNN` ends).
 * `options` should say `record: false` (bench transports keep no transcript anyway) and carry
 * the deadline; it is passed through as is, so callers build it once per session.
 *
 * A reply already buffered whole (pipelined replies usually are) is returned as a number, at
 * once; otherwise a promise waits for the rest under the read deadline. Callers `await` it
 * either way; the hot path tests `typeof` and skips the await.
 */
export function readCode(t: Transport, options: ReadOptions): number | Promise<number> {
  for (let lines = 0; lines < MAX_REPLY_LINES; lines++) {
    const line = t.takeLine(options);
    if (line === undefined) return readCodeAsync(t, options, lines);
    const code = codeOf(t, line);
    if (line[3] !== DASH) return code;
  }
  return tooLong(t);
}

async function readCodeAsync(t: Transport, options: ReadOptions, from: number): Promise<number> {
  for (let lines = from; lines < MAX_REPLY_LINES; lines++) {
    const line = await t.readLine(options);
    const code = codeOf(t, line);
    if (line[3] !== DASH) return code;
  }
  return tooLong(t);
}

/** The reply code of one line; a line that does not start with one closes the connection. */
function codeOf(t: Transport, line: Buffer): number {
  const a = line[0]! - DIGIT_0;
  const b = line[1]! - DIGIT_0;
  const c = line[2]! - DIGIT_0;
  if (line.length < 4 || a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) {
    t.destroy();
    throw new MailprobeError('EPROTOCOL', `reply line does not start with a reply code: "${renderWireText(line.subarray(0, 120))}"`);
  }
  return a * 100 + b * 10 + c;
}

function tooLong(t: Transport): never {
  t.destroy();
  throw new MailprobeError('EPROTOCOL', `reply longer than ${MAX_REPLY_LINES} lines`);
}

const SPACE = 0x20;
const EQUALS = 0x3d;

/** EHLO keywords a bench session acts on, as bits of LeanReply.extensions. */
export const EXT_STARTTLS = 1;
export const EXT_AUTH = 2;
export const EXT_PIPELINING = 4;
const KNOWN: readonly (readonly [Buffer, number])[] = [
  [Buffer.from('starttls', 'latin1'), EXT_STARTTLS],
  [Buffer.from('auth', 'latin1'), EXT_AUTH],
  [Buffer.from('pipelining', 'latin1'), EXT_PIPELINING],
];

/** A reply read leanly: its code, the known EHLO keywords, and (only when asked) its text. */
export interface LeanReply {
  readonly code: number;
  /** EXT_* bits of the keywords its continuation lines start with. */
  readonly extensions: number;
  /** Text of every line after the code, when `withText` was asked. */
  readonly lines: string[] | undefined;
}

/**
 * One reply read line by line (RFC 5321 §4.1.1.1: `250-KEYWORD params`, keywords
 * case-insensitive): the code, the EHLO keywords of its continuation lines matched in place
 * against the few a session acts on, nothing decoded; the full text only when `withText` (the
 * first session, for the report's `server`). The callback pump (smtp-reply-pump.ts) reads
 * greetings, EHLO replies and the replies of pipelined messages through it.
 */
export class ReplyScan {
  readonly #t: Transport;
  withText = false;
  /** The reply's code, its EXT_* keywords and (withText) its lines: whole once line() said so. */
  code = 0;
  extensions = 0;
  lines: string[] | undefined;
  #n = 0;

  constructor(t: Transport) {
    this.#t = t;
  }

  /** Take one line; true when it ended the reply. A line without a code throws EPROTOCOL. */
  line(line: Buffer): boolean {
    const code = codeOf(this.#t, line);
    let end = line.length;
    while (end > 4 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
    if (this.withText) (this.lines ??= []).push(end > 4 ? line.toString('utf8', 4, end) : '');
    if (this.#n > 0 && end > 4) {
      let stop = 4;
      while (stop < end && line[stop] !== SPACE && line[stop] !== EQUALS) stop++;
      this.extensions |= knownKeyword(line, 4, stop);
    }
    if (line[3] !== DASH) {
      this.code = code;
      return true;
    }
    if (++this.#n >= MAX_REPLY_LINES) tooLong(this.#t);
    return false;
  }

  /** Ready for the next reply. */
  reset(): void {
    this.extensions = 0;
    this.#n = 0;
    this.lines = undefined;
  }
}

/** The EXT_* bit of the keyword in line[from, to), compared without case; 0 if not one of them. */
function knownKeyword(line: Buffer, from: number, to: number): number {
  const length = to - from;
  for (const [word, bit] of KNOWN) {
    if (word.length !== length) continue;
    let i = 0;
    // ASCII letters: setting 0x20 lower-cases; the keywords have no other characters.
    while (i < length && (line[from + i]! | 0x20) === word[i]) i++;
    if (i === length) return bit;
  }
  return 0;
}
