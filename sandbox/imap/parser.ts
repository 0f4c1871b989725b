/**
 * A cursor over one client command (RFC 9051 §9 grammar): tag, command name, and the argument
 * forms handlers ask for in order (atom, astring, string, literal, number, list, flags, date).
 * Anything that does not fit throws BadCommand, which becomes a tagged BAD.
 */
import type { CommandInput } from './reader.js';

export class BadCommand extends Error {
  override readonly name = 'BadCommand';
}

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const LBRACE = 0x7b;

/** atom-specials (§9): ( ) { SP CTL % * " \ ] and 8-bit. */
function isAtomChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== LPAREN && c !== RPAREN && c !== LBRACE && c !== 0x25 && c !== 0x2a && c !== DQUOTE && c !== BACKSLASH && c !== 0x5d;
}

export class ArgParser {
  readonly #lines: readonly Buffer[];
  readonly #literals: readonly Buffer[];
  #i = 0;
  #pos = 0;

  constructor(input: CommandInput) {
    this.#lines = input.lines;
    this.#literals = input.literals;
  }

  get #text(): Buffer {
    return this.#lines[this.#i]!;
  }

  /** The next byte, undefined at the end of the command. */
  peek(): number | undefined {
    return this.#pos < this.#text.length ? this.#text[this.#pos] : undefined;
  }

  atEnd(): boolean {
    return this.#pos >= this.#text.length && this.#i >= this.#lines.length - 1;
  }

  /** The command must end here. */
  end(): void {
    if (!this.atEnd()) throw new BadCommand('Unexpected arguments at the end of the command');
  }

  /** Exactly one space. */
  sp(): void {
    if (this.peek() !== SP) throw new BadCommand('Expected a space');
    this.#pos++;
  }

  /** A space if one is next. */
  maybeSp(): boolean {
    if (this.peek() !== SP) return false;
    this.#pos++;
    return true;
  }

  expect(char: string): void {
    if (this.peek() !== char.charCodeAt(0)) throw new BadCommand(`Expected "${char}"`);
    this.#pos++;
  }

  /** `char` if it is next (consumed), else false. */
  accept(char: string): boolean {
    if (this.peek() !== char.charCodeAt(0)) return false;
    this.#pos++;
    return true;
  }

  /** Characters while `ok` holds, at least one. */
  take(ok: (c: number) => boolean, what: string): string {
    const start = this.#pos;
    while (this.#pos < this.#text.length && ok(this.#text[this.#pos]!)) this.#pos++;
    if (this.#pos === start) throw new BadCommand(`Expected ${what}`);
    return this.#text.toString('latin1', start, this.#pos);
  }

  atom(): string {
    return this.take(isAtomChar, 'an atom');
  }

  /** The atom that comes next, upper-cased, without consuming it ('' if none). */
  peekAtom(): string {
    const start = this.#pos;
    while (this.#pos < this.#text.length && isAtomChar(this.#text[this.#pos]!)) this.#pos++;
    const word = this.#text.toString('latin1', start, this.#pos).toUpperCase();
    this.#pos = start;
    return word;
  }

  /** An atom that may contain `]` and `[` (fetch attributes, command names are atoms without them). */
  word(): string {
    return this.take((c) => isAtomChar(c) || c === 0x5d, 'a word');
  }

  /** ASTRING-CHAR (atom chars plus `]`) or a string, as bytes. */
  astring(): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === LBRACE) return this.string();
    const start = this.#pos;
    this.take((x) => isAtomChar(x) || x === 0x5d, 'an atom or string');
    return this.#text.subarray(start, this.#pos);
  }

  /** A mailbox name (UTF-8; modified UTF-7 names are ASCII anyway). */
  mailbox(): string {
    return this.astring().toString('utf8');
  }

  /** list-mailbox (§6.3.9): list-chars include the wildcards % and *, or a string. */
  listMailbox(): string {
    const c = this.peek();
    if (c === DQUOTE || c === LBRACE) return this.string().toString('utf8');
    return this.take((x) => isAtomChar(x) || x === 0x25 || x === 0x2a || x === 0x5d, 'a mailbox pattern');
  }

  /** A quoted string or a literal. */
  string(): Buffer {
    const c = this.peek();
    if (c === DQUOTE) return this.#quoted();
    if (c === LBRACE) return this.#literal();
    throw new BadCommand('Expected a string');
  }

  /** nstring: NIL or a string. */
  nstring(): Buffer | null {
    if (this.peek() === DQUOTE || this.peek() === LBRACE) return this.string();
    if (this.atom().toUpperCase() !== 'NIL') throw new BadCommand('Expected NIL or a string');
    return null;
  }

  /** number (§9): digits, at most 2^32-1. */
  number(): number {
    const digits = this.take((c) => c >= 0x30 && c <= 0x39, 'a number');
    const n = Number(digits);
    if (digits.length > 10 || n > 0xffffffff) throw new BadCommand('Number out of range');
    return n;
  }

  /** A flag: `\Word`, a keyword atom, or `\*` when `allowStar`. */
  flag(allowStar = false): string {
    if (this.accept('\\')) {
      if (allowStar && this.accept('*')) return '\\*';
      return `\\${this.atom()}`;
    }
    return this.atom();
  }

  /** `(flag *(SP flag))`, possibly empty. */
  flagList(): string[] {
    this.expect('(');
    const flags: string[] = [];
    while (!this.accept(')')) {
      if (flags.length > 0) this.sp();
      flags.push(this.flag());
      if (flags.length > 256) throw new BadCommand('Too many flags');
    }
    return flags;
  }

  /** Everything left on the current line, for messages. */
  rest(): string {
    const out = this.#text.toString('latin1', this.#pos);
    this.#pos = this.#text.length;
    return out;
  }

  #quoted(): Buffer {
    const text = this.#text;
    const out: number[] = [];
    for (this.#pos++; this.#pos < text.length; this.#pos++) {
      const c = text[this.#pos]!;
      if (c === DQUOTE) {
        this.#pos++;
        return Buffer.from(out);
      }
      if (c === BACKSLASH) {
        const next = text[++this.#pos];
        // §9: only " and \ may be escaped.
        if (next !== DQUOTE && next !== BACKSLASH) throw new BadCommand('Invalid escape in quoted string');
        out.push(next);
      } else out.push(c);
    }
    throw new BadCommand('Unterminated quoted string');
  }

  #literal(): Buffer {
    const rest = this.#text.toString('latin1', this.#pos);
    if (!/^\{\d{1,10}\+?\}$/.test(rest) || this.#i >= this.#literals.length) throw new BadCommand('Invalid literal');
    const literal = this.#literals[this.#i]!;
    this.#i++;
    this.#pos = 0;
    return literal;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `date` (§9 SEARCH): `d-Mon-yyyy`, optionally quoted; a UTC midnight. */
export function parseDate(text: string): Date {
  const m = /^"?(\d{1,2})-([A-Za-z]{3})-(\d{4})"?$/.exec(text);
  const month = m ? MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase()) : -1;
  if (!m || month === -1) throw new BadCommand(`Invalid date "${text.slice(0, 30)}"`);
  return new Date(Date.UTC(Number(m[3]), month, Number(m[1])));
}

/** `date-time` (§9 APPEND): `dd-Mon-yyyy hh:mm:ss +zzzz` (the quotes already removed). */
export function parseDateTime(text: string): Date {
  const m = /^([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  const month = m ? MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase()) : -1;
  if (!m || month === -1) throw new BadCommand(`Invalid date-time "${text.slice(0, 40)}"`);
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]!.trim()), Number(m[4]), Number(m[5]), Number(m[6])) - offsetMin * 60_000;
  return new Date(utc);
}

/** `date-time` for INTERNALDATE, in UTC: `"02-Jan-2024 03:04:05 +0000"`. */
export function formatDateTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `"${p(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000"`;
}
