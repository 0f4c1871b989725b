/**
 * The bytes IMAP's grammar is built from (RFC 9051 §9 / RFC 3501 §9). Parsers compare numbers,
 * not characters: responses are bytes (8-bit literals, UTF-8 text) and are decoded only at
 * the edge.
 */
export const NUL = 0x00;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const DQUOTE = 0x22;
export const PERCENT = 0x25;
export const PAREN_OPEN = 0x28;
export const PAREN_CLOSE = 0x29;
export const ASTERISK = 0x2a;
export const PLUS = 0x2b;
export const MINUS = 0x2d;
export const DOT = 0x2e;
export const DIGIT_0 = 0x30;
export const DIGIT_9 = 0x39;
export const LESS_THAN = 0x3c;
export const GREATER_THAN = 0x3e;
export const BRACKET_OPEN = 0x5b;
export const BACKSLASH = 0x5c;
export const BRACKET_CLOSE = 0x5d;
export const CURLY_OPEN = 0x7b;
export const CURLY_CLOSE = 0x7d;
export const TILDE = 0x7e;
export const DEL = 0x7f;

export const CRLF: Buffer = Buffer.from([CR, LF]);

/** `true` for 0-9. */
export function isDigit(b: number): boolean {
  return b >= DIGIT_0 && b <= DIGIT_9;
}
