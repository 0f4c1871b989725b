/**
 * The JSON report (DESIGN.md "Report schema"): schemaVersion 1, the source every other format
 * renders. Reporters read these types only; they never compute statistics.
 */
import type { Protocol } from '../drivers/target.js';
import type { TranscriptEntry } from '../drivers/transcript.js';

export const SCHEMA_VERSION = 1;

/**
 * pass; fail (a MUST was broken); warn (a SHOULD declined: permitted latitude); skip (does not
 * apply); inconclusive (could not decide: rate limited, 421, fixture missing); error (the
 * harness itself failed; never blamed on the server).
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'inconclusive' | 'error';
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error'];

/** RFC 2119 requirement level of what a check verifies. */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** `demo` reports combine the check, diagnose and bench runs of `mailprobe demo`. */
export type Command = 'check' | 'diagnose' | 'bench' | 'run' | 'demo';

export interface CheckResult {
  readonly id: string;
  readonly protocol: Protocol;
  readonly target: string;
  readonly title: string;
  /** e.g. `RFC 5321 §4.2.1`. */
  readonly ref: string;
  readonly level: Level;
  readonly status: CheckStatus;
  /** Why: for failures what was expected and what came back. */
  readonly message: string;
  readonly durationMs: number;
  /** Redacted conversation (kept for every check; reporters decide what to show). */
  readonly transcript: readonly TranscriptEntry[];
  /** Where a user-written check came from (`file.yaml:14`), when it came from a file. */
  readonly source?: string;
}

export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly target: string;
  readonly port?: number;
  readonly title: string;
  readonly detail: string;
  readonly fix: string;
  readonly evidence: readonly string[];
}

/** What a port really speaks (diagnose), DESIGN.md `ports`. */
export type ObservedService =
  | 'smtp-plaintext'
  | 'smtp-starttls'
  | 'imap-plaintext'
  | 'imap-starttls'
  | 'pop3-plaintext'
  | 'pop3-starttls'
  | 'tls'
  | 'closed'
  | 'timeout'
  | 'silent'
  | 'unknown';

export interface CertificateReport {
  readonly subject: string;
  readonly san: readonly string[];
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyBits: number | null;
  readonly chainLength: number;
  readonly trusted: boolean;
  /** The verification error (`CERT_HAS_EXPIRED`, hostname mismatch reason, …) or null. */
  readonly error: string | null;
}

export interface TlsReport {
  readonly version: string | null;
  readonly cipher: string | null;
  /** Protocol versions the server accepted when tried one at a time. */
  readonly versions: readonly string[];
  readonly certificate: CertificateReport | null;
}

export interface PortReport {
  readonly port: number;
  readonly host?: string;
  /** What the port is for: `smtps`, `submission`, `imap`, … (from the port number or URL scheme). */
  readonly expected: string;
  readonly observed: ObservedService;
  readonly tls?: TlsReport;
}

export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface BenchMetric {
  readonly count: number;
  readonly errors: number;
  readonly ratePerSec: number;
  readonly latencyMs: LatencySummary;
  /** Compressed base64 HdrHistogram (microseconds): mergeable across shards. */
  readonly hdr: string;
}

export interface TimelinePoint {
  /** Seconds since the measured phase began. */
  readonly t: number;
  readonly ops: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * The point's latencies as a compressed base64 HdrHistogram (µs), present in shard reports
   * (`bench --shard`) and merged reports (optional): `mailprobe merge` adds them second by
   * second, so a merged timeline's percentiles are exact.
   */
  readonly hdr?: string;
}

export interface ThresholdResult {
  readonly expr: string;
  readonly ok: boolean;
  /** In the expression's unit: ms for latencies, per second for rates, percent or a count. */
  readonly actual: number;
  /** Why the threshold could not be measured (e.g. no samples); it then fails. */
  readonly note?: string;
}

/** How the load generator itself fared (DESIGN.md "Load engine": it watches itself). */
export interface GeneratorReport {
  /** Process CPU over the measured window, percent of one core (above 100 with workers). */
  readonly cpuPercent: number;
  readonly eventLoopDelayP99Ms: number;
  /** True when the generator, not the server, limited what was measured. */
  readonly saturated: boolean;
  /** 0..1: share of time the busiest event loop was running (optional, bench engine). */
  readonly eventLoopUtilization?: number;
  /** Open loop: p99 of how late arrivals started after their due time (optional). */
  readonly startLagP99Ms?: number;
  /** Why it counts as saturated (optional; present when saturated). */
  readonly reason?: string;
}

export interface BenchReport {
  readonly scenario: string;
  readonly mode: 'open' | 'closed';
  readonly ratePerSec: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Arrivals that found no free slot (open loop): counted, never queued. */
  readonly dropped: number;
  readonly metrics: Readonly<Record<string, BenchMetric>>;
  readonly timeline: readonly TimelinePoint[];
  readonly thresholds: readonly ThresholdResult[];
  /** Errors by class: connect refused, timeout, 4xx, 5xx, protocol, … */
  readonly errors?: Readonly<Record<string, number>>;
  /** Up to three distinct messages per error class, to say what failed (optional). */
  readonly errorSamples?: Readonly<Record<string, readonly string[]>>;
  /** Iterations cut off by an interruption or the end of the drain period (optional). */
  readonly interrupted?: number;
  /** The threshold that stopped the run early with --abort-on-fail (optional). */
  readonly abortedBy?: string;
  /** Worker threads that generated the load (optional; absent = 1). */
  readonly workers?: number;
  /** Open-loop ramp stages after the start rate `ratePerSec` (optional; `--ramp`). */
  readonly stages?: readonly { readonly durationMs: number; readonly ratePerSec: number }[];
  readonly generator: GeneratorReport;
  /**
   * Wall-clock time (ISO-8601, ms) at which the measured window began (after the warm-up),
   * on the reference clock when the offset was measured (`--ntp`), else on this host's clock
   * (optional). `mailprobe merge` aligns timelines on it.
   */
  readonly measuredFrom?: string;
  /** Measured iterations due (open loop: started + dropped; closed loop: started); the base of `dropped%` (optional). */
  readonly arrivals?: number;
  /** `--start-at` / `--ntp`: the agreed start and this host's clock (optional). */
  readonly clock?: ClockReport;
  /** `--shard i/N`: which slice of a distributed run this report holds (optional). */
  readonly shard?: ShardReport;
  /** `mailprobe merge`: the reports merged into this one, in shard order (optional). */
  readonly shards?: readonly MergedShardReport[];
  /** Remarks on how the numbers came about: missing shards, clocks, approximations (optional). */
  readonly notes?: readonly string[];
}

/** The start and clock of a bench run (`--start-at`, `--ntp`). */
export interface ClockReport {
  /** `--start-at`: when the schedule was to begin, ISO-8601 UTC (optional). */
  readonly startAt?: string;
  /**
   * Reference time minus this host's clock, in ms (add it to local time to get the reference),
   * from `--ntp`; null when not measured.
   */
  readonly offsetMs: number | null;
  /** Where the offset came from, e.g. `ntp://time.example.org:123` (optional). */
  readonly source?: string;
  /** Round trip of the NTP exchange the offset was taken from, ms (optional). */
  readonly rttMs?: number;
  /** Why the offset could not be measured (optional). */
  readonly error?: string;
  /** How late the schedule began after `startAt` (0: on time), ms (optional). */
  readonly startLateMs?: number;
}

/** A shard of a distributed bench run (`--shard i/N`). */
export interface ShardReport {
  /** 0-based shard index (Kubernetes' JOB_COMPLETION_INDEX). */
  readonly index: number;
  /** How many shards the run has. */
  readonly count: number;
  /** The generator's host name (a pod's name on Kubernetes). */
  readonly host: string;
  /** This process's run id: its Message-IDs start `<runId.PPP-` (PPP = index + count × worker). */
  readonly runId: string;
  /** The logins this shard took (every count-th from the users list, from index): how many, and the first 20. */
  readonly users: { readonly count: number; readonly names: readonly string[] };
  /** What the whole run asked for, all shards together (this report's ratePerSec and concurrency are the shard's share). */
  readonly total: {
    readonly ratePerSec: number;
    readonly concurrency: number;
    readonly iterations?: number;
    readonly stages?: readonly { readonly durationMs: number; readonly ratePerSec: number }[];
  };
}

/** One input of a merged report. */
export interface MergedShardReport {
  /** The file it was read from, as given to `mailprobe merge`. */
  readonly file: string;
  /** Absent when the input was a report of its own, not a shard. */
  readonly shard?: ShardReport;
  readonly clock?: ClockReport;
  readonly startedAt: string;
  readonly measuredFrom?: string;
  readonly durationMs: number;
  /** Its measured iterations and failed ones. */
  readonly iterations: number;
  readonly errors: number;
  readonly dropped: number;
  readonly workers?: number;
  /** The shard's run was interrupted (its report is partial). */
  readonly partial?: boolean;
  readonly abortedBy?: string;
  readonly generator: GeneratorReport;
}

export interface ServerInfo {
  readonly greeting: string;
  /**
   * What the server says it is, when it says so without being asked anything risky: the IMAP ID
   * response (RFC 2971: name and version) or the POP3 CAPA IMPLEMENTATION line (RFC 2449 §6.9).
   * Server-supplied text. SMTP has no such field; its greeting often names the software.
   */
  readonly implementation?: string;
  readonly capabilities: readonly string[];
}

export type Summary = Readonly<Record<CheckStatus, number>>;

export interface Report {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'mailprobe'; readonly version: string };
  readonly command: Command;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly targets: readonly string[];
  readonly server: Readonly<Record<string, ServerInfo>>;
  readonly summary: Summary;
  readonly checks: readonly CheckResult[];
  readonly findings: readonly Finding[];
  /** diagnose: what each port speaks and its TLS. */
  readonly ports?: readonly PortReport[];
  /** bench: load results. */
  readonly bench?: BenchReport;
  /** demo: one bench result per scenario run. */
  readonly benches?: readonly BenchReport[];
  /** True when the run was interrupted and the report holds what finished. */
  readonly partial?: boolean;
  /** `--insecure` was used: certificate verification was off. */
  readonly insecure?: boolean;
}

export function summarize(checks: readonly CheckResult[]): Summary {
  const out: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0, error: 0 };
  for (const c of checks) out[c.status]++;
  return out;
}
