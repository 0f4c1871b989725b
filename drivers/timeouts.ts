import { MailprobeError } from './errors.js';

/** One deadline per phase of a connection's life, in milliseconds. */
export interface Timeouts {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  /** Waiting for the server's greeting after connect (or after an implicit TLS handshake). */
  greetingMs: number;
  /** Waiting for the reply to one command. */
  commandMs: number;
  /** Waiting for the reply after a message body (SMTP end of data, IMAP APPEND). */
  dataMs: number;
  /** Waiting for the server to close after QUIT/LOGOUT before the socket is destroyed. */
  closeMs: number;
}

// A prober wants answers in seconds, not the minutes RFC 5321 §4.5.3.2 grants MTAs.
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  dnsMs: 5_000,
  connectMs: 10_000,
  tlsMs: 10_000,
  greetingMs: 30_000,
  commandMs: 30_000,
  dataMs: 60_000,
  closeMs: 2_000,
});

export function resolveTimeouts(overrides?: Partial<Timeouts>): Timeouts {
  const out: Timeouts = { ...DEFAULT_TIMEOUTS };
  if (!overrides) return out;
  for (const key of Object.keys(DEFAULT_TIMEOUTS) as (keyof Timeouts)[]) {
    const v = overrides[key];
    if (v !== undefined) {
      if (!Number.isFinite(v) || v <= 0) {
        throw new MailprobeError('ECONFIG', `timeout ${key} must be a positive number of milliseconds, got ${String(v)}`);
      }
      out[key] = v;
    }
  }
  return out;
}

/** The same overall budget for every phase: what `--timeout 5s` means. */
export function uniformTimeouts(ms: number): Partial<Timeouts> {
  return { dnsMs: ms, connectMs: ms, tlsMs: ms, greetingMs: ms, commandMs: ms, dataMs: ms, closeMs: Math.min(ms, 2_000) };
}
