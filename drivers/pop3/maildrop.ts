/**
 * Pure parsers for what POP3 says about the maildrop and itself: STAT's drop listing, LIST's
 * scan listings, UIDL's unique-id listings (RFC 1939 §5, §7) and CAPA (RFC 2449 §5).
 *
 * They never throw: a line that does not fit the grammar is returned in `invalid`, so a
 * conformance check can report it and a benchmark can ignore it.
 */
import { lineText } from './multiline.js';

/** `+OK nn mm` (RFC 1939 §5 STAT). */
export interface DropListing {
  count: number;
  octets: number;
}

/** `msg octets` (RFC 1939 §5 LIST). */
export interface ScanListing {
  msg: number;
  octets: number;
}

/** `msg unique-id` (RFC 1939 §7 UIDL). */
export interface UniqueIdListing {
  msg: number;
  uid: string;
}

export interface Listings<T> {
  entries: T[];
  /** Lines (terminator removed) that did not fit the grammar. */
  invalid: string[];
}

/**
 * RFC 1939 §5: "a single space and the exact size of the message in octets"; the RFC makes no
 * requirement on what follows the size, so anything after one more space is allowed.
 */
const SCAN = /^(\d+) (\d+)(?: .*)?$/s;
// RFC 1939 §7: the unique-id is 1 to 70 characters in the range 0x21 to 0x7E.
const UIDL = /^(\d+) ([\x21-\x7e]{1,70})$/;

/** Parse the text of a STAT reply (`2 320`); undefined when it does not fit. */
export function parseDropListing(text: string): DropListing | undefined {
  const m = SCAN.exec(text);
  return m ? { count: Number(m[1]), octets: Number(m[2]) } : undefined;
}

/** Parse one scan listing: the text of `LIST n`'s +OK, or one line of `LIST`'s body. */
export function parseScanListing(text: string): ScanListing | undefined {
  const m = SCAN.exec(text);
  return m ? { msg: Number(m[1]), octets: Number(m[2]) } : undefined;
}

/** Parse one unique-id listing: the text of `UIDL n`'s +OK, or one line of `UIDL`'s body. */
export function parseUniqueIdListing(text: string): UniqueIdListing | undefined {
  const m = UIDL.exec(text);
  return m ? { msg: Number(m[1]), uid: m[2]! } : undefined;
}

/** Parse the body lines of LIST or UIDL. */
export function parseListings<T>(lines: readonly Buffer[], parse: (text: string) => T | undefined): Listings<T> {
  const entries: T[] = [];
  const invalid: string[] = [];
  for (const line of lines) {
    const text = lineText(line);
    const entry = parse(text);
    if (entry === undefined) invalid.push(text);
    else entries.push(entry);
  }
  return { entries, invalid };
}

/**
 * CAPA body → keyword (upper case: RFC 2449 §5 tags are case-insensitive) → arguments as sent.
 * `SASL PLAIN XOAUTH2` gives `SASL → ['PLAIN', 'XOAUTH2']`; `STLS` gives `STLS → []`. A keyword
 * sent twice keeps the last line's arguments.
 */
export function parseCapabilities(lines: readonly Buffer[]): Map<string, string[]> {
  const caps = new Map<string, string[]>();
  for (const line of lines) {
    const words = lineText(line).split(' ').filter((w) => w !== '');
    const keyword = words.shift();
    if (keyword !== undefined) caps.set(keyword.toUpperCase(), words);
  }
  return caps;
}
