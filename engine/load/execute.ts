/**
 * A whole bench run: the scenario on this thread or split over worker threads, the per-second
 * timeline, and the `bench` section of the report with thresholds evaluated once over the
 * merged numbers.
 */
import type { ScenarioConfig } from '../../suites/bench/config.js';
import { createScenario } from '../../suites/bench/registry.js';
import type { BenchReport, ServerInfo, TimelinePoint } from '../report-types.js';
import { isUnreachable, type ErrorClass } from './classify.js';
import { mergeThreads, toBenchReport } from './result.js';
import { runLoad, type ThreadResult } from './runner.js';
import { abortable } from './thresholds-eval.js';
import type { Threshold } from './thresholds-parse.js';
import { Timeline } from './timeline.js';
import type { LoadPlan } from './types.js';
import { runWorkers } from './workers.js';

export interface BenchRequest {
  readonly scenario: ScenarioConfig;
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
}

export interface BenchOutcome {
  readonly bench: BenchReport;
  readonly server: Readonly<Record<string, ServerInfo>>;
  readonly aborted: boolean;
  /** Nothing succeeded and every failure was a failure to connect. */
  readonly unreachable: boolean;
  /** Iterations that succeeded. */
  readonly succeeded: number;
}

export async function runBench(req: BenchRequest): Promise<BenchOutcome> {
  const abortOn = req.abortOnFail ? req.thresholds.filter(abortable) : [];
  const timeline = new Timeline(req.workers, req.onPoint);
  let results: ThreadResult[];
  if (req.workers <= 1) {
    const slice = { index: 0, count: 1 };
    const scenario = await createScenario(req.scenario, slice);
    const result = await runLoad({
      plan: req.plan,
      slice,
      scenario,
      ...(req.signal ? { signal: req.signal } : {}),
      abortOn,
      onTick: (tick) => timeline.add(0, tick),
    });
    timeline.sourceFinished(0);
    results = [result];
  } else {
    const inits = Array.from({ length: req.workers }, (_, index) => ({ scenario: req.scenario, plan: req.plan, slice: { index, count: req.workers }, abortOn }));
    results = await runWorkers({ inits, timeline, ...(req.signal ? { signal: req.signal } : {}) });
  }
  const run = mergeThreads(results);
  const bench = toBenchReport({ scenario: req.scenario.name, plan: req.plan, run, timeline: timeline.finish(), thresholds: req.thresholds });
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
  };
}
