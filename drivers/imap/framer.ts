/**
 * Where one IMAP response ends. A response is a line, unless the line ends in a literal
 * announcement (`{n}`, `{n+}`, `~{n}` then CRLF: RFC 9051 §4.3, RFC 7888, RFC 3516): then n
 * bytes follow and the response continues with another line (RFC 9051 §2.2.2: "the server
 * ... terminates a response with CRLF" only after its literals).
 *
 * `ResponseFramer` is the pure decision logic: fed lines and literal bytes, it says what to read
 * next, so the client drives it with `transport.readLine()` / `readBytes(n)` and tests drive it
 * with plain buffers. `ResponseSplitter` adapts it to arbitrary chunks (streaming input).
 */
import { ByteQueue } from '../byte-queue.js';
import { MailprobeError } from '../errors.js';
import { DEFAULT_LIMITS, limitError, type Limits } from '../limits.js';
import { renderWireText } from '../transcript.js';
import { CR, CURLY_CLOSE, CURLY_OPEN, LF, PLUS, SP, TILDE } from './bytes.js';
import { STATUS_WORDS } from './tokens.js';

export interface LiteralAnnouncement {
  /** Bytes that follow the line. */
  readonly size: number;
  /** `~{n}` (RFC 3516 literal8). */
  readonly binary: boolean;
  /** `{n+}` (RFC 7888). */
  readonly nonSync: boolean;
}

/** What to do next: read a line, read exactly `size` bytes, or take the complete response. */
export type FramerStep =
  | { readonly kind: 'line' }
  | { readonly kind: 'literal'; readonly size: number }
  | { readonly kind: 'response'; readonly bytes: Buffer };

export type FramerLimits = Pick<Limits, 'maxLiteralBytes' | 'maxReplyBytes'>;

const READ_LINE: FramerStep = Object.freeze({ kind: 'line' });
/** More digits than any allowed size: reject before the number loses precision. */
const MAX_SIZE_DIGITS = 16;

/**
 * The literal a line announces at its end, if any. `line` includes its terminator (as
 * transport.readLine returns it). A size past limits is still returned: the caller decides.
 */
export function literalAnnouncement(line: Buffer): LiteralAnnouncement | undefined {
  let i = line.length - 1;
  if (i >= 0 && line[i] === LF) i--;
  if (i >= 0 && line[i] === CR) i--;
  if (i < 0 || line[i] !== CURLY_CLOSE) return undefined;
  i--;
  let nonSync = false;
  if (line[i] === PLUS) {
    nonSync = true;
    i--;
  }
  const digitsEnd = i + 1;
  while (i >= 0) {
    const d = line[i]! - 0x30;
    if (d < 0 || d > 9) break;
    i--;
  }
  const digits = digitsEnd - (i + 1);
  if (digits === 0 || i < 0 || line[i] !== CURLY_OPEN) return undefined;
  const size = digits > MAX_SIZE_DIGITS ? Number.POSITIVE_INFINITY : Number(line.toString('latin1', i + 1, digitsEnd));
  const binary = i > 0 && line[i - 1] === TILDE;
  return { size, binary, nonSync };
}

/**
 * A status (`tag OK|NO|BAD|BYE|PREAUTH ...`) or continuation (`+ ...`) line carries free text,
 * where a trailing `{5}` is text, not a literal (RFC 9051 §7.1 resp-text has no literals).
 */
export function isTextResponseLine(line: Buffer): boolean {
  if (line[0] === PLUS && (line.length === 1 || line[1] === SP || line[1] === CR || line[1] === LF)) return true;
  const tagEnd = line.indexOf(SP);
  if (tagEnd <= 0) return false;
  let wordStart = tagEnd + 1;
  while (line[wordStart] === SP) wordStart++;
  let wordEnd = wordStart;
  while (wordEnd < line.length && wordEnd - wordStart <= 7 && line[wordEnd] !== SP && line[wordEnd] !== CR && line[wordEnd] !== LF) wordEnd++;
  if (wordEnd - wordStart > 7 || wordEnd === wordStart) return false;
  // Status words are letters; the common untagged data line is `* 12 FETCH ...`.
  const c = line[wordStart]!;
  if (c >= 0x30 && c <= 0x39) return false;
  return STATUS_WORDS.has(line.toString('latin1', wordStart, wordEnd).toUpperCase());
}

/**
 * Assembles one response from lines and literals. Reusable: after a `response` step it starts
 * over. Enforces limits.maxLiteralBytes per literal (before reading it) and limits.maxReplyBytes
 * for the whole response.
 */
export class ResponseFramer {
  readonly #limits: FramerLimits;
  #parts: Buffer[] = [];
  #bytes = 0;
  #awaiting = 0;
  #state: 'line' | 'literal' = 'line';

  constructor(limits: Partial<FramerLimits> = {}) {
    this.#limits = {
      maxLiteralBytes: limits.maxLiteralBytes ?? DEFAULT_LIMITS.maxLiteralBytes,
      maxReplyBytes: limits.maxReplyBytes ?? DEFAULT_LIMITS.maxReplyBytes,
    };
  }

  /** Bytes of the response assembled so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Feed the next line, terminator included. */
  line(line: Buffer): FramerStep {
    if (this.#state !== 'line') throw new Error('ResponseFramer.line() while a literal is expected');
    const first = this.#parts.length === 0;
    this.#add(line);
    const announced = literalAnnouncement(line);
    if (announced === undefined || (first && isTextResponseLine(line))) return this.#complete();
    if (announced.size > this.#limits.maxLiteralBytes) {
      const err = limitError('maxLiteralBytes', this.#limits.maxLiteralBytes, announced.size, { response: preview(this.#parts) });
      this.reset();
      throw err;
    }
    if (this.#bytes + announced.size > this.#limits.maxReplyBytes) {
      const err = limitError('maxReplyBytes', this.#limits.maxReplyBytes, this.#bytes + announced.size, { response: preview(this.#parts) });
      this.reset();
      throw err;
    }
    if (announced.size === 0) return READ_LINE;
    this.#state = 'literal';
    this.#awaiting = announced.size;
    return { kind: 'literal', size: announced.size };
  }

  /** Feed exactly the bytes a `literal` step asked for. */
  literal(bytes: Buffer): FramerStep {
    if (this.#state !== 'literal' || bytes.length !== this.#awaiting) {
      throw new Error(`ResponseFramer.literal(): expected ${this.#awaiting} bytes, got ${bytes.length}`);
    }
    this.#state = 'line';
    this.#awaiting = 0;
    this.#parts.push(bytes);
    this.#bytes += bytes.length;
    return READ_LINE;
  }

  /** Forget a partly assembled response. */
  reset(): void {
    this.#parts = [];
    this.#bytes = 0;
    this.#awaiting = 0;
    this.#state = 'line';
  }

  #add(line: Buffer): void {
    if (this.#bytes + line.length > this.#limits.maxReplyBytes) {
      const err = limitError('maxReplyBytes', this.#limits.maxReplyBytes, this.#bytes + line.length, { response: preview(this.#parts) });
      this.reset();
      throw err;
    }
    this.#parts.push(line);
    this.#bytes += line.length;
  }

  #complete(): FramerStep {
    const parts = this.#parts;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    return { kind: 'response', bytes };
  }
}

/**
 * The framer over arbitrary chunks (a socket's `data` events, a test's byte-by-byte feed):
 * `push()` returns the responses the chunk completed, each exactly as sent.
 */
export class ResponseSplitter {
  readonly #queue = new ByteQueue();
  readonly #framer: ResponseFramer;
  readonly #maxLineBytes: number;
  #step: FramerStep = READ_LINE;
  #scanned = 0;

  constructor(limits: Partial<FramerLimits & Pick<Limits, 'maxLineBytes'>> = {}) {
    this.#framer = new ResponseFramer(limits);
    this.#maxLineBytes = limits.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes;
  }

  /** Bytes received that do not complete a response yet. */
  get pending(): number {
    return this.#queue.length + this.#framer.bytes;
  }

  push(chunk: Buffer): Buffer[] {
    this.#queue.push(chunk);
    const out: Buffer[] = [];
    for (;;) {
      const step = this.#step;
      if (step.kind === 'literal') {
        if (this.#queue.length < step.size) return out;
        this.#step = this.#framer.literal(this.#queue.take(step.size));
        continue;
      }
      const lf = this.#queue.indexOf(LF, this.#scanned);
      if (lf === -1) {
        this.#scanned = this.#queue.length;
        if (this.#queue.length > this.#maxLineBytes) throw limitError('maxLineBytes', this.#maxLineBytes, this.#queue.length);
        return out;
      }
      if (lf + 1 > this.#maxLineBytes) throw limitError('maxLineBytes', this.#maxLineBytes, lf + 1);
      this.#scanned = 0;
      const next = this.#framer.line(this.#queue.take(lf + 1));
      if (next.kind === 'response') {
        out.push(next.bytes);
        this.#step = READ_LINE;
      } else this.#step = next;
    }
  }

  /** At end of input: fail if a response was left incomplete. */
  end(): void {
    if (this.pending > 0) {
      throw new MailprobeError('EPROTOCOL', `input ended inside a response (${this.pending} bytes pending)`);
    }
  }
}

function preview(parts: readonly Buffer[]): string {
  const first = parts[0];
  return first === undefined ? '' : renderWireText(first.subarray(0, 300));
}
