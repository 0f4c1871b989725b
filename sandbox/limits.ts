/**
 * Every bound of the sandbox in one place: connections, lines, literals, messages, storage and
 * idle time. A load test or a hostile client meets one of these, never the end of memory.
 */

export interface SandboxLimits {
  /** Open connections per port; more are greeted with a "too busy" reply and closed. */
  readonly maxConnectionsPerPort: number;
  /** One command line (IMAP: between literals), terminator included. */
  readonly maxLineBytes: number;
  /** Largest message accepted by SMTP (SIZE), IMAP APPEND and stored at all. */
  readonly maxMessageBytes: number;
  /** Everything one IMAP command may carry besides an APPEND literal (lines and small literals). */
  readonly maxCommandBytes: number;
  /** Literals in one IMAP command. */
  readonly maxLiteralsPerCommand: number;
  /** Unread input kept per connection before the socket is paused (pipelining floods). */
  readonly maxBufferedInputBytes: number;
  /** Invalid commands in a row before the connection is dropped. */
  readonly maxBadCommands: number;
  /** Failed logins per connection before it is dropped. */
  readonly maxAuthFailures: number;
  /** Messages and bytes per user over all mailboxes. */
  readonly maxMessagesPerUser: number;
  readonly maxBytesPerUser: number;
  readonly maxMailboxesPerUser: number;
  /** Recipients of one SMTP transaction (RFC 5321 §4.5.3.1.8: at least 100). */
  readonly maxRecipients: number;
  /** A connection that has not logged in is dropped after this much silence. */
  readonly preAuthIdleMs: number;
  /**
   * A logged-in connection is dropped after this much silence. RFC 9051 §5.4 asks IMAP servers
   * for at least 30 minutes; RFC 5321 §4.5.3.2.7 gives SMTP servers 5.
   */
  readonly idleMs: number;
  /** A TLS handshake (implicit or after STARTTLS) must finish within this. */
  readonly tlsHandshakeMs: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  maxConnectionsPerPort: 256,
  maxLineBytes: 64 * 1024,
  maxMessageBytes: 10 * 1024 * 1024,
  maxCommandBytes: 1024 * 1024,
  maxLiteralsPerCommand: 64,
  maxBufferedInputBytes: 1024 * 1024,
  maxBadCommands: 20,
  maxAuthFailures: 5,
  maxMessagesPerUser: 10_000,
  maxBytesPerUser: 200 * 1024 * 1024,
  maxMailboxesPerUser: 200,
  maxRecipients: 1000,
  preAuthIdleMs: 60_000,
  idleMs: 30 * 60_000,
  tlsHandshakeMs: 10_000,
};

export function resolveLimits(overrides: Partial<SandboxLimits> | undefined): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`sandbox limit ${name} must be a positive integer, got ${value}`);
  }
  return limits;
}
