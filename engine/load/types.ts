/**
 * The contract between the load engine and a scenario (suites/bench), and the plan of a run.
 *
 * The engine owns time: when an iteration is due, which slot runs it, warm-up, stopping,
 * per-iteration latency and errors. A scenario owns the protocol: opening a session (connect,
 * greeting, TLS, login), one iteration on it (a message, a round of IMAP commands), closing
 * it, and recording its per-command metrics through the handles it was given.
 */
import type { ServerInfo } from '../report-types.js';
import type { MetricsRegistry } from './metrics.js';
import type { RampStage } from './schedule.js';

/** What a session or an iteration may use. */
export interface ScenarioContext {
  readonly metrics: MetricsRegistry;
  /** Cancels every connection of the run (SIGINT, end of the drain period). */
  readonly signal: AbortSignal;
  /** Milliseconds on the run's clock (the transports use the same clock). */
  now(): number;
  /**
   * Count a failure outside an iteration (an e2e message that never arrived) in the run's
   * errors by class, when the operation started in the measured window.
   */
  reportError(err: unknown, startedAt: number): void;
}

export interface SlotInfo {
  /** 0-based index of the slot in this thread's pool. */
  readonly slot: number;
  /** Sessions opened so far on this thread (round-robin over users). */
  readonly session: number;
}

export interface IterationInfo {
  /** Global arrival index (open loop) or this thread's iteration count (closed loop). */
  readonly index: number;
  /**
   * Another iteration will run on this session right after this one (closed loop, budget left,
   * not the session's last): an SMTP scenario may pipeline the next envelope behind this body.
   * Once asked, the engine keeps the promise unless the run is aborted.
   */
  readonly followedBy: () => boolean;
  /**
   * The session's last iteration (`--messages-per-session` reached): the engine closes it
   * right after, so a scenario may send its goodbye along with this iteration's last write.
   */
  readonly last: boolean;
}

/** A login for a scenario (`--users FILE`, users.ts); each part of a split run takes its own (slice.ts usersOf). */
export interface BenchUser {
  readonly user: string;
  readonly password: string;
}

/**
 * The part of a scenario's settings the engine reads; the rest belongs to the scenario layer
 * (suites/bench/config.ts extends this). The whole object is cloned into every worker thread,
 * so it must be plain data.
 */
export interface LoadScenarioConfig {
  /** The report's `bench.scenario`. */
  readonly name: string;
}

/** Builds the scenario for one part (thread, shard) of a run. */
export type ScenarioFactory<C extends LoadScenarioConfig = LoadScenarioConfig> = (config: C, slice: Slice) => Promise<LoadScenario>;

/**
 * Where a run's scenarios come from. The caller supplies it so that the engine imports no
 * scenario layer: `create` on this thread, and, because a function cannot be sent to a worker
 * thread, `module` for each worker (`--workers N`) to import.
 */
export interface ScenarioSource<C extends LoadScenarioConfig = LoadScenarioConfig> {
  readonly create: ScenarioFactory<C>;
  /** URL of an ES module whose `createScenario` export is that same factory (worker-entry.ts). */
  readonly module: string;
}

/** A scenario bound to its options, ready to run on one thread. */
export interface LoadScenario<S = unknown> {
  /** Optional set-up before the first session (e2e starts its mailbox watchers here). */
  start?(ctx: ScenarioContext): Promise<void>;
  open(slot: SlotInfo, ctx: ScenarioContext): Promise<S>;
  iterate(session: S, it: IterationInfo, ctx: ScenarioContext): Promise<void>;
  /** Polite end (QUIT, LOGOUT). */
  close(session: S, ctx: ScenarioContext): Promise<void>;
  /** Drop the session now (after an error, at abort). Never throws. */
  destroy(session: S): void;
  /**
   * After the last iteration: wait (bounded) for what is still owed (e2e deliveries) and
   * release what start() took.
   */
  stop?(ctx: ScenarioContext): Promise<void>;
  /** Greeting and capabilities seen, for the report's `server`. */
  server?(): Readonly<Record<string, ServerInfo>>;
}

export interface LoadPlan {
  readonly mode: 'open' | 'closed';
  /** Open loop: arrivals per second (the start rate when `stages` are given). */
  readonly ratePerSec: number;
  readonly stages: readonly RampStage[];
  /** Closed loop: sessions running back to back. Open loop: the most in flight at once. */
  readonly concurrency: number;
  /** Measured time after the warm-up; undefined when bounded by `iterations` only. */
  readonly durationMs: number | undefined;
  /** Measured iterations (`--messages`); undefined when bounded by time only. */
  readonly iterations: number | undefined;
  readonly warmupMs: number;
  /** Iterations on one session before it is closed (`--messages-per-session`). */
  readonly perSession: number;
  /** How long in-flight iterations may finish after the end before they are cut off. */
  readonly drainMs: number;
}

/** Which part of a run a thread (or a shard) takes: disjoint arrivals, users and share of load. */
export interface Slice {
  readonly index: number;
  readonly count: number;
}
