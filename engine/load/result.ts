/**
 * From what the threads (or shards) measured to the report's `bench`: histograms merged by
 * adding, counts summed, thresholds evaluated once over the merged numbers.
 */
import type { BenchMetric, BenchReport, GeneratorReport, TimelinePoint } from '../report-types.js';
import { createHistogram, encodeHistogram, mergeEncoded, summarize, type Histogram } from './histogram.js';
import { saturationReason } from './monitor.js';
import type { ThreadResult } from './runner.js';
import { metricView } from './threshold-source.js';
import { evaluateThresholds, type ThresholdSource } from './thresholds-eval.js';
import type { Threshold } from './thresholds-parse.js';
import { shareOf } from './slice.js';
import type { LoadPlan, Slice } from './types.js';

interface MergedMetric {
  count: number;
  errors: number;
  readonly histogram: Histogram;
  /** `histogram` encoded, when a part's encoding is it exactly (a run of one part). */
  readonly hdr?: string;
}

export interface MergedRun {
  readonly metrics: ReadonlyMap<string, MergedMetric>;
  readonly errors: Record<string, number>;
  readonly errorSamples: Record<string, string[]>;
  readonly arrivals: number;
  readonly dropped: number;
  readonly interrupted: number;
  readonly windowMs: number;
  readonly generator: GeneratorReport;
  readonly aborted: boolean;
  readonly thresholdAbort: string | undefined;
  readonly parts: number;
}

/**
 * `local`: the live histograms of a part that ran on this thread (runLoadHere). With one part
 * they are the merge as they are, with the part's own encodings: decoding each into a fresh
 * histogram and encoding that again cost a run most of its report's CPU (and two histograms'
 * worth of memory per metric) for the same numbers.
 */
export function mergeThreads(parts: readonly ThreadResult[], local?: ReadonlyMap<string, Histogram>): MergedRun {
  const metrics = new Map<string, MergedMetric>();
  const errors: Record<string, number> = {};
  const errorSamples: Record<string, string[]> = {};
  const own = parts.length === 1 ? local : undefined;
  for (const part of parts) {
    for (const m of part.metrics) {
      const live = own?.get(m.name);
      if (live !== undefined) {
        metrics.set(m.name, { count: m.count, errors: m.errors, histogram: live, hdr: m.hdr });
        continue;
      }
      let into = metrics.get(m.name);
      if (into === undefined) {
        into = { count: 0, errors: 0, histogram: createHistogram() };
        metrics.set(m.name, into);
      }
      into.count += m.count;
      into.errors += m.errors;
      mergeEncoded(into.histogram, m.hdr);
    }
    for (const [c, n] of Object.entries(part.errors)) errors[c] = (errors[c] ?? 0) + n;
    for (const [c, list] of Object.entries(part.errorSamples)) {
      const into = (errorSamples[c] ??= []);
      for (const s of list) if (into.length < 3 && !into.includes(s)) into.push(s);
    }
  }
  const sum = (f: (p: ThreadResult) => number): number => parts.reduce((a, p) => a + f(p), 0);
  const max = (f: (p: ThreadResult) => number): number => parts.reduce((a, p) => Math.max(a, f(p)), 0);
  // Every thread samples the same process CPU; the busiest event loop decides saturation.
  const sample = {
    eventLoopUtilization: max((p) => p.generator.eventLoopUtilization),
    eventLoopDelayP99Ms: max((p) => p.generator.eventLoopDelayP99Ms),
    startLagP99Ms: max((p) => p.generator.startLagP99Ms),
  };
  const reason = saturationReason(sample);
  return {
    metrics,
    errors,
    errorSamples,
    arrivals: sum((p) => p.arrivals),
    dropped: sum((p) => p.dropped),
    interrupted: sum((p) => p.interrupted),
    windowMs: max((p) => p.windowMs),
    generator: {
      cpuPercent: max((p) => p.generator.cpuPercent),
      eventLoopDelayP99Ms: sample.eventLoopDelayP99Ms,
      saturated: reason !== undefined,
      eventLoopUtilization: sample.eventLoopUtilization,
      startLagP99Ms: sample.startLagP99Ms,
      ...(reason === undefined ? {} : { reason }),
    },
    aborted: parts.some((p) => p.aborted),
    thresholdAbort: parts.find((p) => p.thresholdAbort !== undefined)?.thresholdAbort,
    parts: parts.length,
  };
}

export function mergedSource(run: MergedRun): ThresholdSource {
  return {
    metric: (name) => {
      const m = run.metrics.get(name);
      return m === undefined ? undefined : metricView(m.count, m.errors, m.histogram, run.windowMs);
    },
    dropped: run.dropped,
    arrivals: run.arrivals,
  };
}

/** Metrics in report order: the run's own first, then by name. */
const FIRST = ['iteration', 'iteration.service', 'session'];

export function benchMetrics(run: MergedRun): Record<string, BenchMetric> {
  const names = [...run.metrics.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: Record<string, BenchMetric> = {};
  for (const name of names) {
    const m = run.metrics.get(name)!;
    out[name] = {
      count: m.count,
      errors: m.errors,
      ratePerSec: run.windowMs > 0 ? Math.round((m.count / run.windowMs) * 1000 * 100) / 100 : 0,
      latencyMs: summarize(m.histogram),
      hdr: m.hdr ?? encodeHistogram(m.histogram),
    };
  }
  return out;
}

function rank(name: string): number {
  const i = FIRST.indexOf(name);
  return i === -1 ? FIRST.length : i;
}

export interface BenchReportInput {
  readonly scenario: string;
  readonly plan: LoadPlan;
  readonly run: MergedRun;
  readonly timeline: readonly TimelinePoint[];
  readonly thresholds: readonly Threshold[];
  /** A shard's report: its rate, stages and concurrency are its share of the plan's. */
  readonly share?: Slice;
  /** ISO-8601 wall-clock start of the measured window. */
  readonly measuredFrom?: string;
}

/** A shard's share of a rate: exact to the µ/s (the shards' arrivals interleave on one schedule). */
export function rateShare(ratePerSec: number, share: Slice | undefined): number {
  return share === undefined ? ratePerSec : Math.round((ratePerSec / share.count) * 1e6) / 1e6;
}

export function toBenchReport(x: BenchReportInput): BenchReport {
  const { plan, run, share } = x;
  return {
    scenario: x.scenario,
    mode: plan.mode,
    ratePerSec: plan.mode === 'open' ? rateShare(plan.ratePerSec, share) : 0,
    concurrency: share === undefined ? plan.concurrency : shareOf(plan.concurrency, share),
    durationMs: Math.round(run.windowMs),
    warmupMs: plan.warmupMs,
    dropped: run.dropped,
    metrics: benchMetrics(run),
    timeline: x.timeline,
    thresholds: evaluateThresholds(x.thresholds, mergedSource(run)),
    errors: run.errors,
    ...(Object.keys(run.errorSamples).length > 0 ? { errorSamples: run.errorSamples } : {}),
    ...(run.interrupted > 0 ? { interrupted: run.interrupted } : {}),
    ...(run.thresholdAbort === undefined ? {} : { abortedBy: run.thresholdAbort }),
    ...(run.parts > 1 ? { workers: run.parts } : {}),
    ...(plan.stages.length > 0 ? { stages: plan.stages.map((s) => ({ durationMs: s.durationMs, ratePerSec: rateShare(s.targetRatePerSec, share) })) } : {}),
    generator: run.generator,
    ...(x.measuredFrom === undefined ? {} : { measuredFrom: x.measuredFrom }),
    arrivals: run.arrivals,
  };
}
