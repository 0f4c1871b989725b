/**
 * The typed tree one IMAP response is tokenized into (RFC 9051 §4 data formats). Lists nest;
 * a section (`BODY[HEADER.FIELDS (SUBJECT)]`) and a partial (`<0.100>`) are attached to the atom
 * they follow, the way imapflow's token parser does, so `BODY[1.2]<0>` stays one FETCH item key.
 */
export type ImapToken = AtomToken | NumberToken | StringToken | LiteralToken | NilToken | ListToken;

/** An atom (`FLAGS`, `\Seen`, `1:5,7`, `AUTH=PLAIN`), optionally with a section and partial. */
export interface AtomToken {
  readonly kind: 'atom';
  readonly value: string;
  /** The bracketed part right after the atom, `BODY[<section>]`; undefined when absent. */
  readonly section: ImapToken[] | undefined;
  /** `<origin>` or `<origin.length>` right after a section. */
  readonly partial: PartialRange | undefined;
}

export interface PartialRange {
  readonly offset: number;
  readonly length: number | undefined;
}

/**
 * A run of digits that fits a JavaScript number exactly. Longer runs (RFC 7162 mod-sequences
 * can reach 2^63-1) stay atoms: read them with `tokenBigInt`.
 */
export interface NumberToken {
  readonly kind: 'number';
  readonly value: number;
}

/** A quoted string, unescaped and decoded as UTF-8 (RFC 9051 §4.3). */
export interface StringToken {
  readonly kind: 'string';
  readonly value: string;
}

/**
 * A literal (`{n}`, `{n+}`) or a literal8 (`~{n}`, RFC 3516 BINARY), with its bytes exactly as
 * sent: `value` is a view of the response buffer, not a copy.
 */
export interface LiteralToken {
  readonly kind: 'literal';
  readonly value: Buffer;
  /** `~{n}`: may hold NUL bytes (RFC 3516 §4.2). */
  readonly binary: boolean;
  /** `{n+}`: the RFC 7888 non-synchronizing form. */
  readonly nonSync: boolean;
}

export interface NilToken {
  readonly kind: 'nil';
}

export interface ListToken {
  readonly kind: 'list';
  readonly items: ImapToken[];
}

/** One shared NIL: the most frequent token in ENVELOPE and BODYSTRUCTURE needs no allocation. */
export const NIL_TOKEN: NilToken = Object.freeze({ kind: 'nil' });

/** `[CODE args] text` after OK/NO/BAD/BYE/PREAUTH or `+` (RFC 9051 §7.1). */
export interface ResponseCode {
  /** The code's atom, upper-cased (`UIDVALIDITY`, `CAPABILITY`, `APPENDUID`). */
  readonly name: string;
  /** Everything after the name up to the closing bracket, as sent. */
  readonly text: string;
  /**
   * The arguments tokenized, or undefined when they are free text that does not tokenize
   * (RFC 9051's `atom [SP 1*<any TEXT-CHAR except "]">]` form allows that).
   */
  readonly args: ImapToken[] | undefined;
}

/** One complete server response, split into tag, tokens and (for status responses) text. */
export interface TokenizedResponse {
  /** `*` (untagged), `+` (continuation) or the command tag. */
  readonly tag: string;
  /**
   * Tokens after the tag. For status responses (OK/NO/BAD/BYE/PREAUTH) just the status atom,
   * whose resp-text goes to `code` and `text`; for `+` empty.
   */
  readonly tokens: ImapToken[];
  readonly code: ResponseCode | undefined;
  /** Human-readable text of status and continuation responses; undefined otherwise. */
  readonly text: string | undefined;
}

/** The words that introduce resp-text instead of tokens (RFC 9051 §7.1). */
export const STATUS_WORDS: ReadonlySet<string> = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);

/** A token as IMAP text: atoms with their section, strings quoted, lists in parentheses. */
export function tokenText(token: ImapToken): string {
  switch (token.kind) {
    case 'atom': {
      let out = token.value;
      if (token.section !== undefined) out += `[${token.section.map(tokenText).join(' ')}]`;
      if (token.partial !== undefined) {
        out += token.partial.length === undefined ? `<${token.partial.offset}>` : `<${token.partial.offset}.${token.partial.length}>`;
      }
      return out;
    }
    case 'number':
      return String(token.value);
    case 'string':
      return `"${token.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'literal':
      return `${token.binary ? '~' : ''}{${token.value.length}}`;
    case 'nil':
      return 'NIL';
    case 'list':
      return `(${token.items.map(tokenText).join(' ')})`;
  }
}

/**
 * The value of an IMAP string-ish token (atom, number, quoted, literal decoded as UTF-8);
 * null for NIL; undefined for a list.
 */
export function tokenString(token: ImapToken | undefined): string | null | undefined {
  if (token === undefined) return undefined;
  switch (token.kind) {
    case 'atom':
      return token.section === undefined && token.partial === undefined ? token.value : tokenText(token);
    case 'string':
      return token.value;
    case 'number':
      return String(token.value);
    case 'literal':
      return token.value.toString('utf8');
    case 'nil':
      return null;
    case 'list':
      return undefined;
  }
}

/** A number token's value, or a digit-only atom's when it is a safe integer; else undefined. */
export function tokenNumber(token: ImapToken | undefined): number | undefined {
  if (token === undefined) return undefined;
  if (token.kind === 'number') return token.value;
  return undefined;
}

const DIGITS = /^\d+$/;

/** A digit run as a bigint (RFC 7162 mod-sequences); undefined when not a number. */
export function tokenBigInt(token: ImapToken | undefined): bigint | undefined {
  if (token === undefined) return undefined;
  if (token.kind === 'number') return BigInt(token.value);
  if (token.kind === 'atom' && token.section === undefined && DIGITS.test(token.value)) return BigInt(token.value);
  return undefined;
}

/** The bytes of a string-ish token (literal as sent, quoted string as UTF-8); null for NIL. */
export function tokenBytes(token: ImapToken | undefined): Buffer | null | undefined {
  if (token === undefined) return undefined;
  switch (token.kind) {
    case 'literal':
      return token.value;
    case 'nil':
      return null;
    case 'list':
      return undefined;
    default: {
      const s = tokenString(token);
      return s === undefined || s === null ? null : Buffer.from(s, 'utf8');
    }
  }
}
