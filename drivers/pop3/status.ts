/**
 * POP3 status lines, parsed from the bytes at the wire (RFC 1939 §3, RFC 2449 §8, RFC 5034 §4).
 *
 * A status line is `+OK [text]`, `-ERR [text]`, or during AUTH the continuation `+ [base64]`.
 * RFC 1939 §3 spells the indicators in upper case, so `+ok` is not a status line: anything
 * else is EPROTOCOL. That is the parser's one judgement; everything it accepts it returns with
 * the raw bytes, so a conformance check can still look at line endings and length.
 */
import { MailprobeError } from '../errors.js';
import { renderWireText } from '../transcript.js';

export type Pop3StatusKind = 'ok' | 'err' | 'continue';

/** One parsed status line. */
export interface Pop3Status {
  /** `ok` for +OK, `err` for -ERR, `continue` for the SASL `+ ` continuation (RFC 5034 §4). */
  readonly status: Pop3StatusKind;
  /** Everything after the indicator and its space, terminator removed (UTF-8 decoded, RFC 6856). */
  readonly text: string;
  /** The RFC 2449 §8 response code without brackets (`SYS/TEMP`, `AUTH`, `IN-USE`), if any. */
  readonly code: string | undefined;
  /** The line exactly as received, terminator included. */
  readonly raw: Buffer;
  /** The line ended in a bare LF instead of CRLF (RFC 1939 §3 requires CRLF). */
  readonly bareLf: boolean;
}

const PLUS = 0x2b;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const OK = Buffer.from('+OK', 'latin1');
const ERR = Buffer.from('-ERR', 'latin1');

/**
 * Parse one status line (a Buffer as `Transport.readLine` returns it, terminator included).
 * Throws EPROTOCOL for a line that is not `+OK`, `-ERR` or `+` followed by a space or the end
 * of the line.
 */
export function parseStatus(line: Buffer): Pop3Status {
  let end = line.length;
  let bareLf = false;
  if (end > 0 && line[end - 1] === LF) {
    end--;
    if (end > 0 && line[end - 1] === CR) end--;
    else bareLf = true;
  }
  const body = line.subarray(0, end);
  let status: Pop3StatusKind | undefined;
  let indicatorLength = 0;
  if (startsWith(body, OK)) {
    status = 'ok';
    indicatorLength = OK.length;
  } else if (startsWith(body, ERR)) {
    status = 'err';
    indicatorLength = ERR.length;
  } else if (body[0] === PLUS) {
    // RFC 5034 §4: continue-req = "+" SP [base64] CRLF. A bare "+" CRLF is tolerated: the
    // raw bytes still show it for a check that wants to judge it.
    status = 'continue';
    indicatorLength = 1;
  }
  const after = body[indicatorLength];
  if (status === undefined || (after !== undefined && after !== SP)) {
    throw new MailprobeError('EPROTOCOL', `not a POP3 status line (expected +OK, -ERR or "+ "): ${renderWireText(line.subarray(0, 200))}`, {
      response: renderWireText(line.subarray(0, 512)),
    });
  }
  const text = body.subarray(Math.min(body.length, indicatorLength + 1)).toString('utf8');
  return { status, text, code: status === 'continue' ? undefined : parseRespCode(text), raw: line, bareLf };
}

/** True when `line` is a status line (for probes that sniff what a port speaks). */
export function looksLikeStatus(line: Buffer): boolean {
  try {
    parseStatus(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The RFC 2449 §8 response code at the start of a status text:
 * `resp-code = "[" resp-level *("/" resp-level) "]"`, with a resp-level being one or more
 * CHARs except "]", "/", SP and CTLs. A bracket that does not fit the grammar is plain text.
 */
export function parseRespCode(text: string): string | undefined {
  const m = /^\[([^\]/\x00-\x20\x7f-\uffff]+(?:\/[^\]/\x00-\x20\x7f-\uffff]+)*)\]/.exec(text);
  return m?.[1];
}

/** The levels of a response code: `SYS/TEMP` → `['SYS', 'TEMP']`. */
export function respCodeLevels(code: string): string[] {
  return code.split('/');
}

/**
 * The APOP timestamp of a greeting (RFC 1939 §7): a msg-id `<process-ID.clock@hostname>`,
 * angle brackets included, since the digest is computed over them. Whitespace inside brackets
 * is not accepted: a greeting like `<ready> at @host>` holds no timestamp.
 */
export function apopTimestamp(text: string): string | undefined {
  return /<[^<>\s@]+@[^<>\s]+>/.exec(text)?.[0];
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
