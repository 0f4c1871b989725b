/**
 * One thread's load run: the arrival loop (open) or back-to-back sessions (closed) over a slot
 * pool, warm-up, the end by time or budget, draining, and what the thread measured.
 *
 * Latency of an iteration is measured from when it was due (open loop: its scheduled time;
 * closed loop: when it started), service time from when it actually started; both are kept
 * (`iteration`, `iteration.service`). A session's life from connect to close is `session`.
 */
import { setMaxListeners } from 'node:events';
import { isMailprobeError } from '../../drivers/errors.js';
import { realClock, type Clock } from './clock.js';
import type { Histogram } from './histogram.js';
import { GeneratorMonitor, type GeneratorSample } from './monitor.js';
import { MetricsRegistry, type ExportedMetric, type Metric } from './metrics.js';
import { SlotPool, type Slot } from './pool.js';
import { RunStats } from './run-stats.js';
import { constantSchedule, firstIndexAtOrAfter, rampSchedule, type ArrivalSchedule } from './schedule.js';
import { runArrivals } from './scheduler.js';
import { checkSlice, shareOf } from './slice.js';
import { abortable, evaluateThresholds } from './thresholds-eval.js';
import type { Threshold } from './thresholds-parse.js';
import { liveSource } from './threshold-source.js';
import { TimelineRecorder, type Tick } from './timeline.js';
import type { LoadPlan, LoadScenario, ScenarioContext, Slice } from './types.js';
import type { ServerInfo } from '../report-types.js';

export interface RunLoadOptions {
  readonly plan: LoadPlan;
  readonly slice?: Slice;
  readonly scenario: LoadScenario;
  /**
   * Clock time of schedule offset 0, or a function that resolves to it once the scenario has
   * started (a worker reports ready and waits for the parent's common start). Default: 20 ms
   * after the scenario's start() finished.
   */
  readonly t0?: number | (() => Promise<number>);
  readonly clock?: Clock;
  /** Stop now: in-flight iterations are cut off (SIGINT). */
  readonly signal?: AbortSignal;
  /** Stop gracefully: no new iterations, in-flight ones finish (another part crossed a threshold). */
  readonly stop?: AbortSignal;
  /** Each finished second of this thread. */
  readonly onTick?: (tick: Tick) => void;
  /** `--abort-on-fail`: checked every second; the first one crossed stops the run gracefully. */
  readonly abortOn?: readonly Threshold[];
  /** Told when a threshold of `abortOn` was crossed (the parent then stops the other parts). */
  readonly onCrossed?: (expr: string) => void;
}

/** What one thread measured: plain data, so it crosses threads and goes into shard files. */
export interface ThreadResult {
  readonly metrics: ExportedMetric[];
  readonly errors: Record<string, number>;
  readonly errorSamples: Record<string, string[]>;
  readonly arrivals: number;
  readonly dropped: number;
  readonly interrupted: number;
  /** The measured window: from the end of the warm-up to the last completion (or the abort). */
  readonly windowMs: number;
  readonly generator: GeneratorSample;
  /** Stopped by `signal`. */
  readonly aborted: boolean;
  /** The threshold that stopped the run early (`--abort-on-fail`). */
  readonly thresholdAbort: string | undefined;
  readonly server: Readonly<Record<string, ServerInfo>>;
}

/** How long idle sessions get to say goodbye at the end before they are dropped. */
const CLOSE_GRACE_MS = 3_000;

export async function runLoad(o: RunLoadOptions): Promise<ThreadResult> {
  return (await runLoadHere(o)).result;
}

/**
 * A run on this thread: its result and the live histograms its metrics were encoded from, by
 * name (they cannot travel between threads; a run of one part is merged from them as they are).
 */
export interface LocalRun {
  readonly result: ThreadResult;
  readonly histograms: ReadonlyMap<string, Histogram>;
}

export async function runLoadHere(o: RunLoadOptions): Promise<LocalRun> {
  const run = new LoadRun(o);
  const result = await run.execute();
  return { result, histograms: run.histograms() };
}

class LoadRun {
  readonly #o: RunLoadOptions;
  readonly #plan: LoadPlan;
  readonly #slice: Slice;
  readonly #clock: Clock;
  #t0 = 0;
  #measureFrom = Infinity;
  #endAt = Infinity;
  readonly #registry: MetricsRegistry;
  readonly #stats = new RunStats();
  readonly #monitor = new GeneratorMonitor();
  #timeline: TimelineRecorder | undefined;
  readonly #pool: SlotPool<unknown>;
  readonly #ctx: ScenarioContext;
  /** Cuts every connection (external abort, end of drain). */
  readonly #hard = new AbortController();
  /** Wakes the arrival loop when the run stops early. */
  readonly #wake = new AbortController();
  readonly #iteration: Metric;
  readonly #service: Metric;
  readonly #session: Metric;
  readonly #inFlight = new Set<Promise<void>>();
  #stopping = false;
  #aborted = false;
  #thresholdAbort: string | undefined;
  #sessions = 0;
  #lastEnd = 0;
  /** Closed loop: measured iterations this thread may still start. */
  #budget: number;
  #counter = 0;
  /** The clock was seen at or after measureFrom (set by #mayStart). */
  #pastWarmup = false;

  constructor(o: RunLoadOptions) {
    this.#o = o;
    this.#plan = o.plan;
    this.#slice = o.slice ?? { index: 0, count: 1 };
    checkSlice(this.#slice);
    this.#clock = o.clock ?? realClock;
    // Nothing counts until the start is known (set in execute()).
    this.#registry = new MetricsRegistry(Infinity);
    this.#iteration = this.#registry.metric('iteration');
    this.#service = this.#registry.metric('iteration.service');
    this.#session = this.#registry.metric('session');
    this.#pool = new SlotPool(shareOf(this.#plan.concurrency, this.#slice), (slot) => this.#followedBy(slot));
    this.#budget = this.#plan.iterations === undefined ? Infinity : shareOf(this.#plan.iterations, this.#slice);
    // Every connection of the run listens on this one signal.
    setMaxListeners(0, this.#hard.signal);
    const clock = this.#clock;
    this.#ctx = {
      metrics: this.#registry,
      signal: this.#hard.signal,
      now: () => clock.now(),
      reportError: (err, startedAt) => {
        if (startedAt >= this.#measureFrom) this.#stats.error(err);
      },
    };
  }

  async execute(): Promise<ThreadResult> {
    const onAbort = (): void => this.#abort();
    const onStop = (): void => this.#stop();
    this.#o.signal?.addEventListener('abort', onAbort, { once: true });
    this.#o.stop?.addEventListener('abort', onStop, { once: true });
    if (this.#o.signal?.aborted) this.#abort();
    let ticker: { timer: NodeJS.Timeout | undefined; stopped: boolean } | undefined;
    try {
      if (this.#pool.slots.length > 0 && !this.#aborted) {
        await this.#o.scenario.start?.(this.#ctx);
        this.#begin(typeof this.#o.t0 === 'function' ? await this.#o.t0() : (this.#o.t0 ?? this.#clock.now() + 20));
        ticker = this.#startTicker();
        await this.#sleepUntil(this.#t0);
        if (this.#plan.mode === 'open') await this.#openLoop();
        else await this.#closedLoop();
        this.#stopping = true;
        await this.#drain();
        await this.#closeIdle();
      }
      await this.#o.scenario.stop?.(this.#ctx);
    } finally {
      if (ticker) {
        clearTimeout(ticker.timer);
        ticker.stopped = true;
      }
      this.#o.signal?.removeEventListener('abort', onAbort);
      this.#o.stop?.removeEventListener('abort', onStop);
    }
    const end = Math.max(this.#lastEnd, Math.min(this.#clock.now(), this.#endAt));
    this.#timeline?.finish(end);
    if (this.#plan.mode === 'closed') this.#service.copyFrom(this.#iteration);
    const generator = this.#monitor.sample();
    this.#monitor.stop();
    const metrics = this.#registry.export();
    this.#registry.seal();
    return {
      metrics,
      errors: this.#stats.errorCounts(),
      errorSamples: this.#stats.errorSamples(),
      arrivals: this.#stats.arrivals,
      dropped: this.#stats.dropped,
      interrupted: this.#stats.interrupted,
      windowMs: Number.isFinite(this.#measureFrom) ? Math.max(0, end - this.#measureFrom) : 0,
      generator,
      aborted: this.#aborted,
      thresholdAbort: this.#thresholdAbort,
      server: this.#o.scenario.server?.() ?? {},
    };
  }

  histograms(): ReadonlyMap<string, Histogram> {
    return this.#registry.histograms();
  }

  /** Fix the schedule's origin: the warm-up and measured window follow from it. */
  #begin(t0: number): void {
    this.#t0 = t0;
    this.#measureFrom = t0 + this.#plan.warmupMs;
    this.#endAt = this.#plan.durationMs === undefined ? Infinity : this.#measureFrom + this.#plan.durationMs;
    this.#registry.measureFrom = this.#measureFrom;
    this.#timeline = new TimelineRecorder(this.#measureFrom, (tick) => this.#onTick(tick));
  }

  // ---- arrivals ----

  async #openLoop(): Promise<void> {
    const schedule = this.#schedule();
    const firstMeasured = firstIndexAtOrAfter(schedule, this.#plan.warmupMs);
    const lastIndex = this.#plan.iterations === undefined ? Infinity : firstMeasured + this.#plan.iterations;
    await runArrivals({
      clock: this.#clock,
      schedule,
      t0: this.#t0,
      first: this.#slice.index,
      step: this.#slice.count,
      signal: this.#wake.signal,
      stopBefore: (i, due) => this.#stopping || due >= this.#endAt || i >= lastIndex,
      arrive: (i, due) => {
        if (due >= this.#measureFrom) this.#stats.arrivals++;
        const slot = this.#pool.acquire();
        if (slot === undefined) return false;
        this.#track(this.#runIteration(slot, i, due).finally(() => this.#pool.release(slot)));
        return true;
      },
      dropped: (_i, due) => {
        if (due >= this.#measureFrom) this.#stats.dropped++;
      },
    });
  }

  #schedule(): ArrivalSchedule {
    return this.#plan.stages.length > 0 ? rampSchedule(this.#plan.ratePerSec, this.#plan.stages) : constantSchedule(this.#plan.ratePerSec);
  }

  /** Every slot runs iterations back to back until the end; a stuck one is left to the drain. */
  async #closedLoop(): Promise<void> {
    const workers = this.#pool.slots.map(async (slot) => {
      while ((slot.reserved && !this.#aborted) || this.#mayStart()) {
        slot.reserved = false;
        const now = this.#clock.now();
        if (now >= this.#measureFrom) this.#stats.arrivals++;
        await this.#runIteration(slot, this.#counter++, now);
      }
    });
    for (const w of workers) this.#track(w);
    const all = Promise.all(workers);
    if (this.#endAt === Infinity) {
      await all;
      return;
    }
    // Whichever comes first: the budget spent, or the end time (the timer must not outlive it).
    const done = new AbortController();
    await Promise.race([all, this.#sleepUntil(this.#endAt, done.signal)]);
    done.abort();
  }

  /** Closed loop: whether another iteration may start now (takes it from the budget). */
  #mayStart(): boolean {
    if (this.#stopping || this.#aborted) return false;
    // Without an end time, once past the warm-up only the budget decides (the clock is monotonic).
    if (this.#endAt !== Infinity || !this.#pastWarmup) {
      const now = this.#clock.now();
      if (now >= this.#endAt) return false;
      if (now < this.#measureFrom) return true;
      this.#pastWarmup = true;
    }
    if (this.#budget <= 0) return false;
    this.#budget--;
    return true;
  }

  // ---- one iteration ----

  async #runIteration(slot: Slot<unknown>, index: number, due: number): Promise<void> {
    const clock = this.#clock;
    const start = clock.now();
    const measured = due >= this.#measureFrom;
    if (this.#plan.mode === 'open' && measured) this.#monitor.lag(start - due);
    const scenario = this.#o.scenario;
    slot.followed = undefined;
    slot.info.index = index;
    let ok = true;
    try {
      if (slot.session === undefined) {
        slot.sessionStart = clock.now();
        slot.used = 0;
        slot.session = await scenario.open({ slot: slot.index, session: this.#sessions++ }, this.#ctx);
      }
      slot.info.last = slot.used + 1 >= this.#plan.perSession;
      await scenario.iterate(slot.session, slot.info, this.#ctx);
      slot.used++;
      if (slot.used >= this.#plan.perSession || (this.#stopping && !slot.reserved) || this.#aborted) {
        const session = slot.session;
        slot.session = undefined;
        await scenario.close(session, this.#ctx);
        this.#session.record(slot.sessionStart, clock.now() - slot.sessionStart, true);
      }
    } catch (err) {
      // A follow-up iteration this one reserved (closed loop) is kept: it runs on a new session.
      // Dropping it lost one iteration of the budget per failed session (--messages 20 with six
      // failures ran 14).
      if (slot.session !== undefined) scenario.destroy(slot.session);
      slot.session = undefined;
      if (this.#hard.signal.aborted && (isMailprobeError(err, 'EABORTED') || isMailprobeError(err, 'ECLOSED'))) {
        if (measured) this.#stats.interrupted++;
        return;
      }
      ok = false;
      if (measured) this.#stats.error(err);
      this.#session.fail(slot.sessionStart);
    }
    const end = clock.now();
    this.#lastEnd = Math.max(this.#lastEnd, end);
    this.#iteration.record(due, end - due, ok);
    // Closed loop: due is the start, service time equals latency (copied at the end).
    if (this.#plan.mode === 'open') this.#service.record(due, end - start, ok);
    this.#timeline!.record(due, end, end - due, ok);
  }

  /** IterationInfo.followedBy: promise the scenario another iteration on this session (closed loop). */
  #followedBy(slot: Slot<unknown>): boolean {
    if (slot.followed === undefined) {
      slot.followed = this.#plan.mode === 'closed' && slot.used + 1 < this.#plan.perSession && this.#mayStart();
      slot.reserved = slot.followed;
    }
    return slot.followed;
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  // ---- ending ----

  /** In-flight iterations get drainMs to finish; then their connections are cut. */
  async #drain(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    const all = Promise.allSettled([...this.#inFlight]);
    const timer = new AbortController();
    const expired = this.#clock.sleep(this.#plan.drainMs, timer.signal).then(() => 'expired' as const);
    const outcome = await Promise.race([all.then(() => 'done' as const), expired]);
    timer.abort();
    if (outcome === 'expired') {
      this.#hard.abort(new Error('the run ended; iterations still in flight were cut off'));
      await all;
    }
  }

  /** Say goodbye on sessions left open (open loop, or a run stopped between iterations). */
  async #closeIdle(): Promise<void> {
    const open = this.#pool.slots.filter((s) => s.session !== undefined);
    if (open.length === 0) return;
    const scenario = this.#o.scenario;
    const closing = Promise.allSettled(
      open.map(async (slot) => {
        const session = slot.session;
        slot.session = undefined;
        try {
          if (this.#hard.signal.aborted) throw new Error('aborted');
          await scenario.close(session, this.#ctx);
          this.#session.record(slot.sessionStart, this.#clock.now() - slot.sessionStart, true);
        } catch {
          scenario.destroy(session);
        }
      }),
    );
    const timer = new AbortController();
    const outcome = await Promise.race([closing.then(() => 'done' as const), this.#clock.sleep(CLOSE_GRACE_MS, timer.signal).then(() => 'expired' as const)]);
    timer.abort();
    if (outcome === 'expired') this.#hard.abort(new Error('sessions did not close in time'));
    await closing;
  }

  #stop(): void {
    this.#stopping = true;
    this.#wake.abort();
  }

  #abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#stop();
    this.#hard.abort(this.#o.signal?.reason ?? new Error('aborted'));
  }

  /** Timers may fire a little early: sleep again until the clock really reached `t`. */
  async #sleepUntil(t: number, cancel?: AbortSignal): Promise<void> {
    const signal = cancel ? AbortSignal.any([this.#wake.signal, cancel]) : this.#wake.signal;
    for (;;) {
      const wait = t - this.#clock.now();
      if (wait <= 0 || signal.aborted) return;
      await this.#clock.sleep(wait, signal);
    }
  }

  // ---- once a second ----

  /** A timer on second boundaries of the measured window: closes idle seconds, checks thresholds. */
  #startTicker(): { timer: NodeJS.Timeout | undefined; stopped: boolean } {
    const state: { timer: NodeJS.Timeout | undefined; stopped: boolean } = { timer: undefined, stopped: false };
    const arm = (): void => {
      if (state.stopped) return;
      const now = this.#clock.now();
      const since = now - this.#measureFrom;
      const next = since < 0 ? -since + 1 : 1000 - (since % 1000) + 1;
      state.timer = setTimeout(() => {
        this.#timeline?.flushUntil(this.#clock.now());
        arm();
      }, next);
      state.timer.unref?.();
    };
    this.#monitorReset();
    arm();
    return state;
  }

  #monitorReset(): void {
    const wait = this.#measureFrom - this.#clock.now();
    if (wait <= 0) return;
    const t = setTimeout(() => this.#monitor.reset(), wait);
    t.unref?.();
  }

  #onTick(tick: Tick): void {
    this.#o.onTick?.(tick);
    const checks = this.#o.abortOn?.filter(abortable) ?? [];
    if (checks.length === 0 || this.#thresholdAbort !== undefined) return;
    const windowMs = tick.t * 1000;
    const crossed = evaluateThresholds(checks, liveSource(this.#registry, this.#stats, windowMs)).find((r) => !r.ok && r.note === undefined);
    if (crossed) {
      this.#thresholdAbort = crossed.expr;
      this.#o.onCrossed?.(crossed.expr);
      this.#stop();
    }
  }
}
