/**
 * Tokenize one complete IMAP server response (RFC 9051 §7, §9 / RFC 3501 §7, §9): the line
 * with its literals inline (`* 1 FETCH (BODY[] {5}\r\nhello)`), with or without the final CRLF.
 *
 * Pure and synchronous: bytes in, typed tree out. Literals are counted in bytes and returned as
 * views of the input (no copies). Every failure is a MailprobeError: EPROTOCOL saying what was
 * found where, or ELIMIT from drivers/limits.ts (nesting depth, literal size).
 *
 * Lenient where real servers are sloppy and nothing is ambiguous (repeated or trailing spaces,
 * LF without CR, `\` `%` `*` in atoms, bracketed keywords such as `[css3-page]`); strict where
 * leniency would guess (unclosed quotes or lists, bare CR/LF, a short literal).
 */
import { MailprobeError } from '../errors.js';
import { DEFAULT_LIMITS, limitError } from '../limits.js';
import { renderWireText } from '../transcript.js';
import {
  ASTERISK,
  BACKSLASH,
  BRACKET_CLOSE,
  BRACKET_OPEN,
  CR,
  CURLY_CLOSE,
  CURLY_OPEN,
  DEL,
  DOT,
  DQUOTE,
  GREATER_THAN,
  LESS_THAN,
  LF,
  NUL,
  PAREN_CLOSE,
  PAREN_OPEN,
  PERCENT,
  PLUS,
  SP,
  TILDE,
} from './bytes.js';
import {
  NIL_TOKEN,
  STATUS_WORDS,
  type AtomToken,
  type ImapToken,
  type LiteralToken,
  type NilToken,
  type NumberToken,
  type PartialRange,
  type ResponseCode,
  type TokenizedResponse,
} from './tokens.js';

export interface TokenizerOptions {
  /** Deepest allowed nesting of lists and sections (default limits.maxNesting). */
  maxNesting?: number;
  /** Largest allowed literal (default limits.maxLiteralBytes). */
  maxLiteralBytes?: number;
}

/**
 * Buffer#latin1Slice / #utf8Slice are what Buffer#toString calls after argument checks; calling
 * them directly saves ~10% of the tokenizer's time on a FETCH corpus. Feature-detected, with
 * toString as the fallback.
 */
interface DirectSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
const proto = Buffer.prototype as unknown as Partial<DirectSlices>;
const latin1: (buf: Buffer, start: number, end: number) => string =
  typeof proto.latin1Slice === 'function'
    ? (buf, start, end) => (buf as unknown as DirectSlices).latin1Slice(start, end)
    : (buf, start, end) => buf.toString('latin1', start, end);
const utf8: (buf: Buffer, start: number, end: number) => string =
  typeof proto.utf8Slice === 'function'
    ? (buf, start, end) => (buf as unknown as DirectSlices).utf8Slice(start, end)
    : (buf, start, end) => buf.toString('utf8', start, end);

/** Digits that always fit a double exactly: 15 (2^53 has 16). */
const SAFE_DIGITS = 15;
/** More digits than any literal size a limit can allow: fail before the number is imprecise. */
const MAX_SIZE_DIGITS = 16;
const EMPTY_CODE_ARGS: ImapToken[] = [];

/**
 * Tokenize one complete response. Throws MailprobeError (EPROTOCOL, ELIMIT) on malformed input.
 */
export function tokenizeResponse(input: Buffer, options: TokenizerOptions = {}): TokenizedResponse {
  return new Lexer(input, options.maxNesting ?? DEFAULT_LIMITS.maxNesting, options.maxLiteralBytes ?? DEFAULT_LIMITS.maxLiteralBytes).response();
}

class Lexer {
  readonly buf: Buffer;
  readonly end: number;
  readonly maxNesting: number;
  readonly maxLiteralBytes: number;
  pos = 0;

  constructor(buf: Buffer, maxNesting: number, maxLiteralBytes: number) {
    this.buf = buf;
    this.end = buf.length;
    this.maxNesting = maxNesting;
    this.maxLiteralBytes = maxLiteralBytes;
  }

  response(): TokenizedResponse {
    const tag = this.tag();
    if (tag === '+') {
      // RFC 9051 §7.5: "+" SP (resp-text / base64). A bare "+" is common enough to accept.
      if (this.atTerminator(this.pos)) return { tag, tokens: [], code: undefined, text: '' };
      if (this.buf[this.pos] !== SP) this.fail('expected a space after "+"', this.pos);
      this.pos++;
      const { code, text } = this.respText();
      return { tag, tokens: [], code, text };
    }
    if (this.atTerminator(this.pos)) this.fail(`response "${tag}" has nothing after its tag`, this.pos);
    if (this.buf[this.pos] !== SP) this.fail('expected a space after the tag', this.pos);
    this.skipSpaces();
    const tokens: ImapToken[] = [];
    let word = this.word();
    if (tag === '*' && word.kind === 'number' && this.buf[this.pos] === SP) {
      // `* 23 EXISTS`, `* 5 FETCH (...)`: the message number comes before the name.
      tokens.push(word);
      this.skipSpaces();
      word = this.word();
    }
    tokens.push(word);
    if (word.kind === 'atom' && word.value.length <= 7 && STATUS_WORDS.has(word.value.toUpperCase())) {
      const { code, text } = this.afterStatus();
      return { tag, tokens, code, text };
    }
    this.tokens(false, 0, tokens);
    return { tag, tokens, code: undefined, text: undefined };
  }

  // ---- tag and words ----

  /** tag = 1*<any ASTRING-CHAR except "+">, or "*", or "+" (RFC 9051 §9). */
  tag(): string {
    const { buf, end } = this;
    let i = 0;
    let special = false;
    while (i < end) {
      const b = buf[i]!;
      if (b === SP || b === CR || b === LF) break;
      if (b < SP || b >= DEL || b === PAREN_OPEN || b === PAREN_CLOSE || b === CURLY_OPEN || b === DQUOTE || b === BACKSLASH || b === PERCENT) {
        this.fail(`byte ${hex(b)} cannot be part of a tag`, i);
      }
      if (b === ASTERISK || b === PLUS) special = true;
      i++;
    }
    if (i === 0) this.fail('response does not start with a tag', 0);
    const tag = latin1(buf, 0, i);
    if (special && i > 1) this.fail(`"${tag}" is not a valid tag`, 0);
    this.pos = i;
    return tag;
  }

  /** A bare word right after the tag (status word, message number or response name). */
  word(): AtomToken | NumberToken | NilToken {
    const start = this.pos;
    const token = this.atomOrNumber();
    if (this.pos === start) this.fail(`expected a response name, found ${this.describe(start)}`, start);
    return token;
  }

  // ---- status responses: resp-text = ["[" resp-text-code "]" SP] text ----

  afterStatus(): { code: ResponseCode | undefined; text: string } {
    if (this.atTerminator(this.pos)) return { code: undefined, text: '' };
    if (this.buf[this.pos] !== SP) this.fail('expected a space after the status word', this.pos);
    this.pos++;
    return this.respText();
  }

  respText(): { code: ResponseCode | undefined; text: string } {
    let code: ResponseCode | undefined;
    if (this.buf[this.pos] === BRACKET_OPEN) {
      code = this.responseCode();
      if (this.buf[this.pos] === SP) this.pos++;
    }
    return { code, text: this.text() };
  }

  responseCode(): ResponseCode {
    const { buf } = this;
    const open = this.pos;
    this.pos++;
    const nameStart = this.pos;
    while (this.pos < this.end) {
      const b = buf[this.pos]!;
      if (b <= SP || b === BRACKET_CLOSE || b === BRACKET_OPEN || b >= DEL || b === PAREN_OPEN || b === PAREN_CLOSE || b === DQUOTE || b === CURLY_OPEN) break;
      this.pos++;
    }
    if (this.pos === nameStart) this.fail(`expected a response code name after "[", found ${this.describe(this.pos)}`, this.pos);
    const name = buf.toString('latin1', nameStart, this.pos).toUpperCase();
    const b = buf[this.pos];
    if (b === BRACKET_CLOSE) {
      this.pos++;
      return { name, text: '', args: EMPTY_CODE_ARGS };
    }
    if (b !== SP) this.fail(`unexpected ${this.describe(this.pos)} in response code "${name}"`, this.pos);
    this.pos++;
    const argsStart = this.pos;
    let args: ImapToken[] | undefined;
    try {
      args = this.tokens(true, 0, []);
    } catch (err) {
      if (!(err instanceof MailprobeError) || err.code !== 'EPROTOCOL') throw err;
      // Free-text code arguments (RFC 9051 §7.1 `atom [SP 1*<any TEXT-CHAR except "]">]`).
      args = undefined;
      const close = this.closingBracket(argsStart);
      if (close === -1) this.fail(`response code "${name}" opened at byte ${open} is not closed`, open);
      this.pos = close + 1;
    }
    return { name, text: this.decode(argsStart, this.pos - 1), args };
  }

  /** The `]` that closes a code, skipping balanced inner brackets (`[css3-page]` keywords). */
  closingBracket(from: number): number {
    const { buf } = this;
    let depth = 0;
    let first = -1;
    for (let i = from; i < this.end; i++) {
      const b = buf[i]!;
      if (b === CR || b === LF) break;
      if (b === BRACKET_OPEN) depth++;
      else if (b === BRACKET_CLOSE) {
        if (first === -1) first = i;
        if (depth === 0) return i;
        depth--;
      }
    }
    return first;
  }

  /** Free text up to the final terminator; no line break may occur inside it. */
  text(): string {
    const { buf } = this;
    const start = this.pos;
    let stop = this.end;
    if (stop > start && buf[stop - 1] === LF) {
      stop--;
      if (stop > start && buf[stop - 1] === CR) stop--;
    }
    const lf = buf.indexOf(LF, start);
    if (lf !== -1 && lf < stop) this.fail('line break inside response text', lf);
    const cr = buf.indexOf(CR, start);
    if (cr !== -1 && cr < stop) this.fail('bare CR inside response text', cr);
    this.pos = this.end;
    return this.decode(start, stop);
  }

  // ---- tokens ----

  /**
   * Tokens separated by spaces, with nested lists, until the end of the response (or, when
   * `inBracket`, until the `]` that closes a section or response code). Iterative: nesting is
   * an explicit stack bounded by maxNesting.
   */
  tokens(inBracket: boolean, baseDepth: number, into: ImapToken[]): ImapToken[] {
    const { buf, end } = this;
    const stack: ImapToken[][] = [];
    let items = into;
    for (;;) {
      let b = buf[this.pos];
      while (b === SP) b = buf[++this.pos];
      if (b === undefined) {
        if (stack.length > 0) this.fail(`${stack.length} list(s) not closed at end of response`, this.pos);
        if (inBracket) this.fail('"[" not closed at end of response', this.pos);
        return into;
      }
      switch (b) {
        case PAREN_OPEN: {
          if (baseDepth + stack.length + 1 > this.maxNesting) {
            throw this.limit(baseDepth + stack.length + 1);
          }
          const list: ImapToken[] = [];
          items.push({ kind: 'list', items: list });
          stack.push(items);
          items = list;
          this.pos++;
          continue;
        }
        case PAREN_CLOSE: {
          const parent = stack.pop();
          if (parent === undefined) this.fail('")" without a matching "("', this.pos);
          items = parent;
          this.pos++;
          // body-type-mpart and env-to put lists back to back: `(...)(...)` (RFC 9051 §9).
          if (buf[this.pos] === PAREN_OPEN) continue;
          break;
        }
        case BRACKET_CLOSE:
          if (!inBracket || stack.length > 0) this.fail(stack.length > 0 ? '"]" inside an unclosed list' : 'unexpected "]"', this.pos);
          this.pos++;
          return into;
        case CR:
        case LF:
          if (inBracket || stack.length > 0 || !this.atTerminator(this.pos)) {
            this.fail(stack.length > 0 || inBracket ? 'line ends inside a list or bracket' : `bare ${b === CR ? 'CR' : 'LF'} inside response`, this.pos);
          }
          this.pos = end;
          return into;
        case DQUOTE:
          items.push({ kind: 'string', value: this.quoted() });
          break;
        case CURLY_OPEN:
          items.push(this.literal(false));
          break;
        case TILDE:
          items.push(buf[this.pos + 1] === CURLY_OPEN ? this.literal(true) : this.atomToken(baseDepth + stack.length));
          break;
        default:
          items.push(this.atomToken(baseDepth + stack.length));
      }
      // Tokens are separated by SP; a list or bracket may close right after one.
      const next = buf[this.pos];
      if (next !== undefined && next !== SP && next !== PAREN_CLOSE && next !== BRACKET_CLOSE && next !== CR && next !== LF) {
        this.fail(`expected a space, found ${this.describe(this.pos)}`, this.pos);
      }
    }
  }

  /** An atom, number or NIL, with the section and partial that may follow. */
  atomToken(depth: number): ImapToken {
    const start = this.pos;
    if (this.buf[start] === BRACKET_OPEN) return this.bracketAtom();
    const token = this.atomOrNumber();
    if (this.pos === start) this.fail(`unexpected ${this.describe(start)}`, start);
    if (this.buf[this.pos] !== BRACKET_OPEN) return token;
    const nameEnd = this.pos;
    // BODY[...], BINARY.PEEK[...]: the section belongs to the atom (RFC 9051 §7.5.2).
    if (depth + 1 > this.maxNesting) throw this.limit(depth + 1);
    this.pos++;
    const section = this.tokens(true, depth + 1, []);
    const partial = this.buf[this.pos] === LESS_THAN ? this.partial() : undefined;
    const value = token.kind === 'atom' ? token.value : this.buf.toString('latin1', start, nameEnd);
    return { kind: 'atom', value, section, partial };
  }

  /**
   * Scan ATOM-CHARs (plus `\ % *` for flags, wildcards and sequence sets, and 8-bit bytes for
   * sloppy UTF-8 mailbox names). A pure digit run is a number; `NIL` is NIL.
   */
  atomOrNumber(): AtomToken | NumberToken | NilToken {
    const { buf, end } = this;
    const start = this.pos;
    let i = start;
    let hi = 0;
    let digits = true;
    let n = 0;
    while (i < end) {
      const b = buf[i]!;
      if (b <= SP || b === PAREN_OPEN || b === PAREN_CLOSE || b === BRACKET_CLOSE || b === BRACKET_OPEN || b === DQUOTE || b === CURLY_OPEN || b === DEL) break;
      if (digits) {
        const d = b - 0x30;
        if (d >= 0 && d <= 9) n = n * 10 + d;
        else digits = false;
      }
      hi |= b;
      i++;
    }
    this.pos = i;
    const len = i - start;
    if (digits && len > 0 && (len <= SAFE_DIGITS || n <= Number.MAX_SAFE_INTEGER)) return { kind: 'number', value: n };
    if (len === 3 && (buf[start]! | 0x20) === 0x6e && (buf[start + 1]! | 0x20) === 0x69 && (buf[start + 2]! | 0x20) === 0x6c) {
      return NIL_TOKEN;
    }
    return { kind: 'atom', value: hi < 0x80 ? latin1(buf, start, i) : utf8(buf, start, i), section: undefined, partial: undefined };
  }

  /** An atom that starts with `[`: a bracketed keyword or mailbox (`[Gmail]/Sent`). */
  bracketAtom(): AtomToken {
    const { buf, end } = this;
    const start = this.pos;
    let depth = 0;
    let hi = 0;
    let i = start;
    for (; i < end; i++) {
      const b = buf[i]!;
      if (b === BRACKET_OPEN) depth++;
      else if (b === BRACKET_CLOSE) {
        if (depth === 0) break;
        depth--;
      } else if (b <= SP || b === PAREN_OPEN || b === PAREN_CLOSE || b === DQUOTE || b === CURLY_OPEN || b === DEL) {
        if (depth > 0) this.fail(`"[" opened at byte ${start} is not closed`, start);
        break;
      }
      hi |= b;
    }
    if (depth > 0) this.fail(`"[" opened at byte ${start} is not closed`, start);
    this.pos = i;
    return { kind: 'atom', value: hi < 0x80 ? latin1(buf, start, i) : utf8(buf, start, i), section: undefined, partial: undefined };
  }

  /** `<origin>` or `<origin.length>` after a section (RFC 9051 §6.4.5, §7.5.2). */
  partial(): PartialRange {
    const at = this.pos;
    this.pos++;
    const offset = this.digits();
    if (offset === undefined) this.fail('expected digits after "<"', at);
    let length: number | undefined;
    if (this.buf[this.pos] === DOT) {
      this.pos++;
      length = this.digits();
      if (length === undefined) this.fail('expected digits after "." in a partial', at);
    }
    if (this.buf[this.pos] !== GREATER_THAN) this.fail(`partial opened at byte ${at} is not closed with ">"`, this.pos);
    this.pos++;
    return { offset, length };
  }

  digits(): number | undefined {
    const { buf } = this;
    const start = this.pos;
    let n = 0;
    while (this.pos < this.end) {
      const d = buf[this.pos]! - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      this.pos++;
    }
    if (this.pos === start) return undefined;
    if (this.pos - start > SAFE_DIGITS) this.fail('number too long in a partial', start);
    return n;
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE, with `\"` and `\\` the only escapes (RFC 9051 §9). */
  quoted(): string {
    const { buf, end } = this;
    const open = this.pos;
    let i = open + 1;
    let hi = 0;
    let escaped = false;
    for (;;) {
      if (i >= end) this.fail(`quoted string opened at byte ${open} is not closed`, open);
      const b = buf[i]!;
      if (b === DQUOTE) break;
      if (b === BACKSLASH) {
        const e = buf[i + 1];
        if (e !== DQUOTE && e !== BACKSLASH) this.fail(`invalid escape "\\${e === undefined ? '' : String.fromCharCode(e)}" in quoted string`, i);
        escaped = true;
        i += 2;
        continue;
      }
      if (b === CR || b === LF || b === NUL) this.fail(`${b === NUL ? 'NUL' : 'line break'} inside quoted string opened at byte ${open}`, i);
      hi |= b;
      i++;
    }
    this.pos = i + 1;
    const raw = hi < 0x80 ? latin1(buf, open + 1, i) : utf8(buf, open + 1, i);
    return escaped ? raw.replace(/\\([\\"])/g, '$1') : raw;
  }

  /**
   * `{n}` / `{n+}` (RFC 7888) / `~{n}` (RFC 3516) CRLF, then exactly n bytes. The size is
   * checked against limits.maxLiteralBytes before anything else is looked at.
   */
  literal(binary: boolean): LiteralToken {
    const { buf } = this;
    const open = this.pos;
    this.pos += binary ? 2 : 1;
    const sizeStart = this.pos;
    let n = 0;
    while (this.pos < this.end) {
      const d = buf[this.pos]! - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      this.pos++;
      if (this.pos - sizeStart > MAX_SIZE_DIGITS) throw this.literalLimit(Number(buf.toString('latin1', sizeStart, this.pos)), open);
    }
    if (this.pos === sizeStart) this.fail('literal without a size after "{"', open);
    let nonSync = false;
    if (buf[this.pos] === PLUS) {
      nonSync = true;
      this.pos++;
    }
    if (buf[this.pos] !== CURLY_CLOSE) this.fail(`literal size not closed with "}", found ${this.describe(this.pos)}`, this.pos);
    if (n > this.maxLiteralBytes) throw this.literalLimit(n, open);
    this.pos++;
    if (buf[this.pos] === CR && buf[this.pos + 1] === LF) this.pos += 2;
    else if (buf[this.pos] === LF) this.pos++;
    else this.fail(`literal announcement {${n}} not followed by CRLF`, this.pos);
    const left = this.end - this.pos;
    if (n > left) this.fail(`literal {${n}} announced at byte ${open} but only ${left} bytes follow`, open);
    const value = buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return { kind: 'literal', value, binary, nonSync };
  }

  // ---- helpers ----

  skipSpaces(): void {
    while (this.buf[this.pos] === SP) this.pos++;
  }

  /** At `i` there is nothing, or only the final CRLF / LF. */
  atTerminator(i: number): boolean {
    const left = this.end - i;
    if (left === 0) return true;
    if (left === 1) return this.buf[i] === LF;
    return left === 2 && this.buf[i] === CR && this.buf[i + 1] === LF;
  }

  /** Text as UTF-8 (RFC 9051 §9: resp-text is UTF-8), with an ASCII fast path. */
  decode(start: number, stop: number): string {
    const { buf } = this;
    for (let i = start; i < stop; i++) if (buf[i]! >= 0x80) return utf8(buf, start, stop);
    return latin1(buf, start, stop);
  }

  describe(i: number): string {
    const b = this.buf[i];
    if (b === undefined) return 'end of response';
    if (b > SP && b < DEL) return `"${String.fromCharCode(b)}"`;
    return `byte ${hex(b)}`;
  }

  fail(what: string, at: number): never {
    throw new MailprobeError('EPROTOCOL', `malformed IMAP response: ${what} (byte ${at})`, {
      response: renderWireText(this.buf.subarray(0, Math.min(this.end, 300))),
      detail: { offset: at },
    });
  }

  limit(depth: number): MailprobeError {
    return limitError('maxNesting', this.maxNesting, depth, {
      response: renderWireText(this.buf.subarray(0, Math.min(this.end, 300))),
    });
  }

  literalLimit(size: number, at: number): MailprobeError {
    return limitError('maxLiteralBytes', this.maxLiteralBytes, size, {
      response: renderWireText(this.buf.subarray(0, Math.min(this.end, 300))),
      detail: { offset: at },
    });
  }
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}
