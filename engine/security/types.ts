/**
 * What every security probe gets and gives back. A probe takes its connections from `open()`
 * (diagnose connects directly, a check opens through the runner so the runner's budget and
 * transcript apply), always closes what it opened, and reports what it saw as data: findings
 * (DESIGN.md ids, catalogue.ts) plus a one-line summary. Only EABORTED escapes a probe.
 */
import type { Protocol } from '../../drivers/target.js';
import type { Secret } from '../../drivers/redact.js';
import type { Severity } from '../report-types.js';
import type { ClientFor } from '../checks/code-check.js';
import type { SecurityFindingId } from './catalogue.js';

export type { ClientFor };

export interface ProbeContext<P extends Protocol> {
  readonly protocol: P;
  /**
   * A new connection with its greeting read: plaintext, or inside TLS from the first byte on an
   * implicit-TLS port. Never upgraded yet; the probe decides about STARTTLS.
   */
  open(): Promise<ClientFor[P]>;
  /** The connection starts inside TLS (smtps, imaps, pop3s). */
  readonly implicitTls: boolean;
  /** STARTTLS/STLS may be used where offered (false: the user said --starttls never). */
  readonly starttls: boolean;
  /** Deadline for one reply, in milliseconds. */
  readonly timeoutMs: number;
  /** EHLO name. */
  readonly clientName: string;
  readonly signal: AbortSignal | undefined;
}

export interface Credentials {
  readonly user: string;
  readonly password: Secret;
}

/** A finding before it knows its target: the rule says what it saw and shows the wire lines. */
export interface ProbeFinding {
  readonly id: SecurityFindingId;
  readonly severity: Severity;
  /** What was seen, in a sentence or two. */
  readonly seen: string;
  /** Redacted transcript lines (`C: …`, `S: …`, `I: …`). */
  readonly evidence: readonly string[];
}

/**
 * `done`: the probe ran to its end (findings say what is wrong, none means nothing was);
 * `not-applicable`: nothing to probe here (no STARTTLS, no login offered, an implicit-TLS port);
 * `inconclusive`: it could not decide (refused transaction, 4xx, timeout, dropped connection).
 */
export type ProbeStatus = 'done' | 'not-applicable' | 'inconclusive';

export interface ProbeReport {
  readonly status: ProbeStatus;
  /** What the probe saw, one or two sentences: the check message when nothing is found. */
  readonly summary: string;
  readonly findings: readonly ProbeFinding[];
}
