import { MailprobeError } from '../errors.js';
import type { Limits } from '../limits.js';
import { limitError } from '../limits.js';
import { renderWireText } from '../transcript.js';

/** One SMTP reply (RFC 5321 §4.2), possibly multi-line, as data. */
export interface SmtpReply {
  /** The three-digit reply code of the final line. */
  readonly code: number;
  /** Enhanced status code of the first line (RFC 3463 / RFC 2034 §4), e.g. `5.7.0`. */
  readonly enhanced: string | undefined;
  /** Text of each line after `NNN-` / `NNN ` (terminator removed, UTF-8 decoded). */
  readonly lines: readonly string[];
  /** Exact bytes of each line, terminator included: the evidence for framing checks. */
  readonly raw: readonly Buffer[];
  /** Framing anomalies a conformance check may want to report; the reply was still usable. */
  readonly anomalies: readonly ReplyAnomaly[];
}

export type ReplyAnomaly =
  /** A line ended in LF without CR (RFC 5321 §2.3.8 requires CRLF). */
  | 'bare-lf'
  /** Lines of one reply carried different codes (RFC 5321 §4.2.1: all lines use the same code). */
  | 'code-mismatch';

/** The reply's text, lines joined with a newline. */
export function replyText(reply: SmtpReply): string {
  return reply.lines.join('\n');
}

/** 2yz positive completion, 3yz intermediate, 4yz transient, 5yz permanent (RFC 5321 §4.2.1). */
export function replyClass(reply: Pick<SmtpReply, 'code'>): 2 | 3 | 4 | 5 {
  return Math.floor(reply.code / 100) as 2 | 3 | 4 | 5;
}

export function isPositive(reply: Pick<SmtpReply, 'code'>): boolean {
  return reply.code >= 200 && reply.code < 400;
}

/** `250 2.1.0 Ok` style one-liner for messages and transcripts. */
export function describeReply(reply: SmtpReply): string {
  const first = reply.lines[0] ?? '';
  const more = reply.lines.length > 1 ? ` (+${reply.lines.length - 1} lines)` : '';
  return `${reply.code} ${first}${more}`.trimEnd();
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)/;

/** The enhanced status code at the start of a reply line's text, if any (RFC 3463 §2). */
export function parseEnhancedCode(text: string): string | undefined {
  const m = ENHANCED.exec(text);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}

const DIGIT_0 = 0x30;
const DASH = 0x2d;
const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= DIGIT_0 && b <= DIGIT_0 + 9;
}

/**
 * Assembles replies from lines (each Buffer ends in LF or CRLF, as Transport.readLine returns
 * them). Pure: no sockets, so it is tested by feeding lines split anywhere.
 */
export class SmtpReplyParser {
  readonly #limits: Pick<Limits, 'maxReplyLines' | 'maxReplyBytes'>;
  #lines: string[] = [];
  #raw: Buffer[] = [];
  #bytes = 0;
  #code = 0;
  #anomalies = new Set<ReplyAnomaly>();

  constructor(limits: Pick<Limits, 'maxReplyLines' | 'maxReplyBytes'>) {
    this.#limits = limits;
  }

  /** True while a multi-line reply is incomplete. */
  get pending(): boolean {
    return this.#raw.length > 0;
  }

  /** Feed one line; returns the reply when this line completes it. Throws EPROTOCOL/ELIMIT. */
  push(line: Buffer): SmtpReply | undefined {
    let end = line.length;
    if (end > 0 && line[end - 1] === LF) {
      end--;
      if (end > 0 && line[end - 1] === CR) end--;
      else this.#anomalies.add('bare-lf');
    }
    if (end < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2])) {
      throw this.#malformed(line, 'does not start with a three-digit reply code');
    }
    const first = line[0]! - DIGIT_0;
    // RFC 5321 §4.2: the first digit is 2..5 (1yz is not used by SMTP).
    if (first < 2 || first > 5) throw this.#malformed(line, `has reply code ${line.subarray(0, 3).toString('latin1')} outside 2xx-5xx`);
    const code = first * 100 + (line[1]! - DIGIT_0) * 10 + (line[2]! - DIGIT_0);
    const sep = end > 3 ? line[3] : undefined;
    if (sep !== undefined && sep !== DASH && sep !== SPACE) {
      throw this.#malformed(line, 'has no "-" or space after the reply code');
    }
    if (this.#raw.length === 0) this.#code = code;
    else if (code !== this.#code) this.#anomalies.add('code-mismatch');
    this.#bytes += line.length;
    if (this.#raw.length + 1 > this.#limits.maxReplyLines) {
      const err = limitError('maxReplyLines', this.#limits.maxReplyLines, this.#raw.length + 1);
      this.reset();
      throw err;
    }
    if (this.#bytes > this.#limits.maxReplyBytes) {
      const err = limitError('maxReplyBytes', this.#limits.maxReplyBytes, this.#bytes);
      this.reset();
      throw err;
    }
    this.#raw.push(line);
    this.#lines.push(end > 4 ? line.toString('utf8', 4, end) : '');
    if (sep === DASH) return undefined;
    const reply: SmtpReply = {
      code,
      enhanced: parseEnhancedCode(this.#lines[0]!),
      lines: this.#lines,
      raw: this.#raw,
      anomalies: [...this.#anomalies],
    };
    this.reset();
    return reply;
  }

  reset(): void {
    this.#lines = [];
    this.#raw = [];
    this.#bytes = 0;
    this.#code = 0;
    this.#anomalies = new Set();
  }

  #malformed(line: Buffer, what: string): MailprobeError {
    const text = renderWireText(line.subarray(0, 200));
    this.reset();
    return new MailprobeError('EPROTOCOL', `reply line ${what}: "${text}"`, { response: text });
  }
}
