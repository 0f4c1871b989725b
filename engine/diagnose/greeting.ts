/**
 * What a server's first line says: which protocol greets (RFC 5321 §4.2 `220`, RFC 9051 §7.1
 * `* OK`/`* PREAUTH`/`* BYE`, RFC 1939 §4 `+OK`/`-ERR`), whether it serves us, and whether a
 * refusal looks like rate limiting (inconclusive) rather than a broken service. Pure functions.
 */
import type { Protocol } from '../../drivers/target.js';
import type { GreetingStatus } from './types.js';

export interface GreetingClass {
  /** undefined: not a mail protocol greeting. */
  readonly protocol: Protocol | undefined;
  readonly status: GreetingStatus;
  /** For a foreign banner, what it looks like (`SSH`, `HTTP`, `FTP`), if recognisable. */
  readonly foreign: string | undefined;
}

/**
 * Refusals that mean "not now, not you": Postfix `421 … Error: too many connections from …`,
 * Exim `421 Too many concurrent SMTP connections`, Dovecot `* BYE Too many connections`, and
 * RFC 2449 §8.1.2 `[SYS/TEMP]`, RFC 3206 `[LOGIN-DELAY]`/`[IN-USE]`.
 */
const RATE_LIMIT_TEXT = /too many|rate.?limit|limit exceeded|try again later|too busy|server busy|overload|throttl|slow down|\[SYS\/TEMP\]|\[LOGIN-DELAY\]|\[IN-USE\]/i;

export function looksRateLimited(text: string): boolean {
  return RATE_LIMIT_TEXT.test(text);
}

/** Classify the first line a server sent. */
export function classifyGreeting(line: string): GreetingClass {
  const text = line.replace(/\r?\n$/, '');
  const smtp = /^(\d{3})(?:[ -]|$)/.exec(text);
  // FTP greets with a 220 too; its banners name FTP and rarely SMTP.
  if (smtp && /ftp/i.test(text) && !/smtp/i.test(text)) return { protocol: undefined, status: 'unavailable', foreign: 'FTP' };
  if (smtp) {
    const code = Number(smtp[1]);
    // RFC 5321 §4.3.1: the greeting is 220 (ready) or 554 (no service); §3.8: 421 closes.
    if (code === 220) return { protocol: 'smtp', status: 'ok', foreign: undefined };
    return { protocol: 'smtp', status: refusal(code === 421 || code === 450 || code === 451, text), foreign: undefined };
  }
  const imap = /^\* (OK|PREAUTH|BYE)\b/i.exec(text);
  if (imap) {
    const word = imap[1]!.toUpperCase();
    if (word === 'OK') return { protocol: 'imap', status: 'ok', foreign: undefined };
    if (word === 'PREAUTH') return { protocol: 'imap', status: 'preauth', foreign: undefined };
    return { protocol: 'imap', status: refusal(false, text), foreign: undefined };
  }
  if (/^\+OK\b/i.test(text)) return { protocol: 'pop3', status: 'ok', foreign: undefined };
  if (/^-ERR\b/i.test(text)) return { protocol: 'pop3', status: refusal(false, text), foreign: undefined };
  return { protocol: undefined, status: 'unavailable', foreign: foreignBanner(text) };
}

function refusal(transient: boolean, text: string): GreetingStatus {
  // A bare 421 is "service not available"; only a text that says why makes it a rate limit.
  return looksRateLimited(text) || (transient && /later|temporar/i.test(text)) ? 'rate-limited' : 'unavailable';
}

function foreignBanner(text: string): string | undefined {
  if (/^SSH-\d/.test(text)) return 'SSH';
  if (/^HTTP\/\d/i.test(text)) return 'HTTP';
  if (/^[\x16\x15]\x03[\x00-\x04]/.test(text)) return 'TLS';
  return undefined;
}

/** Whether an SMTP line continues a multi-line reply (`220-`): RFC 5321 §4.2.1. */
export function isSmtpContinuation(line: string): boolean {
  return /^\d{3}-/.test(line);
}
