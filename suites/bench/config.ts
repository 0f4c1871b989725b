/**
 * A bench scenario's settings as plain data: built once by the CLI, cloned into every worker
 * thread (and, later, written for shards). Passwords travel as strings here and become
 * Secrets where a scenario builds its commands.
 */
import type { Target } from '../../drivers/target.js';
import type { Timeouts } from '../../drivers/timeouts.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { BenchUser, LoadScenarioConfig } from '../../engine/load/types.js';

// Defined by the engine (it reads users files and hands users out per part); re-exported for the scenarios.
export type { BenchUser };

export const SCENARIO_NAMES = ['smtp-send', 'imap-session', 'pop3-session', 'e2e'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export type StartTlsPolicy = 'required' | 'optional' | 'never';

/** One step of the IMAP mix (imap-session), in order, once per iteration. */
export const IMAP_OPS = ['fetch', 'fetch-body', 'search', 'store', 'append', 'expunge', 'idle', 'noop', 'status', 'list'] as const;
export type ImapOp = (typeof IMAP_OPS)[number];

export interface ScenarioConfig extends LoadScenarioConfig {
  readonly name: ScenarioName;
  /** Where the load goes: SMTP for smtp-send and e2e, IMAP or POP3 for the session scenarios. */
  readonly target: Target;
  /** e2e: the IMAP or POP3 server where delivery is watched. */
  readonly watch: Target | undefined;
  readonly tls: TlsClientOptions;
  /** Plaintext ports: `optional` uses STARTTLS when offered (the bench default). */
  readonly starttls: StartTlsPolicy;
  readonly timeouts: Partial<Timeouts>;
  /** Logins, in order; each part of a split run takes its own (slice.ts). */
  readonly users: readonly BenchUser[];
  /** SMTP envelope sender; default: the login, else `mailprobe@<clientName>`. */
  readonly from: string | undefined;
  /** SMTP recipients; default: the session's user (mail to oneself). */
  readonly rcpt: readonly string[];
  /** Whole message size in bytes (headers included). */
  readonly sizeBytes: number;
  readonly mix: readonly ImapOp[];
  /** imap-session: write consecutive FETCH/SEARCH/STORE/NOOP/STATUS/LIST of the mix together. */
  readonly pipeline: boolean;
  readonly mailbox: string;
  /** Name given in EHLO. */
  readonly clientName: string;
  /** Unique per run: in every Message-ID, so a run's messages can be told apart. */
  readonly runId: string;
  /** e2e: how long a message may take to show up before it counts as lost. */
  readonly deliveryTimeoutMs: number;
  /** e2e over POP3: how often the mailbox is polled. */
  readonly pollMs: number;
}
