/**
 * A whole bench run: the scenario on this thread or split over worker threads, the per-second
 * timeline, and the `bench` section of the report with thresholds evaluated once over the
 * merged numbers. A shard of a distributed run (`--shard k/N`) runs part k of N of the same
 * plan, its threads each a sub-part (slice.ts), starting at the agreed instant (shard.ts).
 * The scenarios come from the caller (`scenarios`), so the engine never imports suites/.
 */
import { performance } from 'node:perf_hooks';
import type { BenchReport, ServerInfo, TimelinePoint } from '../report-types.js';
import { isUnreachable, type ErrorClass } from './classify.js';
import { mergeThreads, toBenchReport } from './result.js';
import type { Histogram } from './histogram.js';
import { runLoadHere, type ThreadResult } from './runner.js';
import { nowAbs, startInstant, wallClock } from './shard.js';
import { subSlice } from './slice.js';
import { abortable } from './thresholds-eval.js';
import type { Threshold } from './thresholds-parse.js';
import { Timeline } from './timeline.js';
import type { LoadPlan, LoadScenarioConfig, ScenarioSource, Slice } from './types.js';
import { runWorkers } from './workers.js';
import { growYoungGenerationAtOnce } from './young-generation.js';

export interface BenchRequest<C extends LoadScenarioConfig = LoadScenarioConfig> {
  readonly scenario: C;
  /** Builds `scenario` on this thread and in each worker (suites/bench/registry.ts BENCH_SCENARIOS). */
  readonly scenarios: ScenarioSource<C>;
  readonly plan: LoadPlan;
  readonly thresholds: readonly Threshold[];
  /** Stop at the first crossed threshold (checked once a second). */
  readonly abortOnFail: boolean;
  /** Worker threads; 1 runs on this thread. */
  readonly workers: number;
  /** SIGINT: stop now and report what finished. */
  readonly signal?: AbortSignal;
  /** Each second of the timeline as it completes (live console). */
  readonly onPoint?: (p: TimelinePoint) => void;
  /** `--shard k/N`: this process runs part k of N of `plan` (default: the whole run). */
  readonly shard?: Slice;
  /** `--start-at`: begin the schedule at this instant, epoch ms on the reference clock (else as soon as the scenario is ready). */
  readonly startAtMs?: number;
  /** `--ntp`: reference minus local clock, ms; corrects the start and `measuredFrom` (default 0). */
  readonly clockOffsetMs?: number;
  /** Keep each timeline point's histogram in the report (shard reports, for an exact merge). */
  readonly timelineHistograms?: boolean;
}

export interface BenchOutcome {
  readonly bench: BenchReport;
  readonly server: Readonly<Record<string, ServerInfo>>;
  readonly aborted: boolean;
  /** Nothing succeeded and every failure was a failure to connect. */
  readonly unreachable: boolean;
  /** Iterations that succeeded. */
  readonly succeeded: number;
  /** `--start-at`: how late the schedule began (ms; 0 on time); undefined without --start-at or when it never began. */
  readonly startLateMs: number | undefined;
}

/** Between the scenario being ready and the first arrival, without --start-at: one thread, or workers to be woken. */
const START_DELAY_MS = { thread: 20, workers: 50 } as const;

export async function runBench<C extends LoadScenarioConfig>(req: BenchRequest<C>): Promise<BenchOutcome> {
  // V8's steady state before the first arrival, not a memory step mid-run (young-generation.ts).
  growYoungGenerationAtOnce();
  const abortOn = req.abortOnFail ? req.thresholds.filter(abortable) : [];
  const shard = req.shard ?? { index: 0, count: 1 };
  const timeline = new Timeline(req.workers, req.onPoint, { histograms: req.timelineHistograms === true });
  const wall = wallClock();
  let t0Abs: number | undefined;
  let startLateMs: number | undefined;
  // Called once the scenario (every worker's) is ready: the schedule's origin, absolute.
  const start = (delayMs: number): number => {
    if (req.startAtMs !== undefined) {
      const s = startInstant({ epochMs: req.startAtMs, clockOffsetMs: req.clockOffsetMs ?? 0 }, wall);
      startLateMs = s.lateMs;
      t0Abs = s.t0Abs;
    } else t0Abs = nowAbs() + delayMs;
    return t0Abs;
  };
  let results: ThreadResult[];
  let local: ReadonlyMap<string, Histogram> | undefined;
  if (req.workers <= 1) {
    const slice = subSlice(shard, { index: 0, count: 1 });
    const scenario = await req.scenarios.create(req.scenario, slice);
    const here = await runLoadHere({
      plan: req.plan,
      slice,
      scenario,
      t0: () => Promise.resolve(start(START_DELAY_MS.thread) - performance.timeOrigin),
      ...(req.signal ? { signal: req.signal } : {}),
      abortOn,
      onTick: (tick) => timeline.add(0, tick),
    });
    timeline.sourceFinished(0);
    results = [here.result];
    local = here.histograms;
  } else {
    const inits = Array.from({ length: req.workers }, (_, index) => ({
      scenario: req.scenario,
      scenarioModule: req.scenarios.module,
      plan: req.plan,
      slice: subSlice(shard, { index, count: req.workers }),
      abortOn,
    }));
    results = await runWorkers({ inits, timeline, ...(req.signal ? { signal: req.signal } : {}), start: () => start(START_DELAY_MS.workers) });
  }
  const run = mergeThreads(results, local);
  const measuredFromMs = t0Abs === undefined ? undefined : wall.wallOf(t0Abs) + req.plan.warmupMs + (req.clockOffsetMs ?? 0);
  const bench = toBenchReport({
    scenario: req.scenario.name,
    plan: req.plan,
    run,
    timeline: timeline.finish(),
    thresholds: req.thresholds,
    ...(shard.count > 1 ? { share: shard } : {}),
    ...(measuredFromMs === undefined ? {} : { measuredFrom: new Date(Math.round(measuredFromMs)).toISOString() }),
  });
  const iteration = bench.metrics['iteration'];
  const succeeded = iteration ? iteration.count - iteration.errors : 0;
  const classes = Object.keys(run.errors) as ErrorClass[];
  const server = Object.assign({}, ...results.map((r) => r.server).reverse()) as Record<string, ServerInfo>;
  return {
    bench,
    server,
    aborted: run.aborted,
    unreachable: succeeded === 0 && classes.length > 0 && classes.every(isUnreachable),
    succeeded,
    startLateMs,
  };
}
