/**
 * Evaluate parsed thresholds against a run's numbers. The source is an accessor so the same
 * code serves the end of a run (merged histograms) and `--abort-on-fail` checks while it runs
 * (live registry). A stat that cannot be measured (a latency with no successful sample) fails:
 * a gate that saw nothing has nothing to pass on.
 */
import type { ThresholdResult } from '../report-types.js';
import { DEFAULT_METRIC, type Threshold, type ThresholdOp } from './thresholds-parse.js';

export interface ThresholdMetricView {
  readonly count: number;
  readonly errors: number;
  readonly ratePerSec: number;
  /** Latency percentile in ms over the successful samples; undefined when there are none. */
  percentileMs(p: number): number | undefined;
  readonly minMs: number | undefined;
  readonly maxMs: number | undefined;
  readonly meanMs: number | undefined;
}

export interface ThresholdSource {
  metric(name: string): ThresholdMetricView | undefined;
  /** Open-loop arrivals that found no free slot, and all arrivals. */
  readonly dropped: number;
  readonly arrivals: number;
}

export function evaluateThresholds(thresholds: readonly Threshold[], source: ThresholdSource): ThresholdResult[] {
  return thresholds.map((t) => evaluateOne(t, source));
}

function evaluateOne(t: Threshold, source: ThresholdSource): ThresholdResult {
  const actual = actualValue(t, source);
  if (actual === undefined) return { expr: t.expr, ok: false, actual: 0, note: 'no samples to measure' };
  const rounded = Math.round(actual * 1000) / 1000;
  return { expr: t.expr, ok: compare(actual, t.op, t.value), actual: rounded };
}

function actualValue(t: Threshold, source: ThresholdSource): number | undefined {
  const s = t.stat;
  if (s.kind === 'dropped') {
    if (!s.percent) return source.dropped;
    return source.arrivals === 0 ? 0 : (source.dropped / source.arrivals) * 100;
  }
  const m = source.metric(t.metric ?? DEFAULT_METRIC);
  switch (s.kind) {
    case 'count':
      return m?.count ?? 0;
    case 'rate':
      return m?.ratePerSec ?? 0;
    case 'errors':
      if (!s.percent) return m?.errors ?? 0;
      return m === undefined || m.count === 0 ? 0 : (m.errors / m.count) * 100;
    case 'percentile':
      return m?.percentileMs(s.p);
    case 'min':
      return m?.minMs;
    case 'max':
      return m?.maxMs;
    case 'mean':
      return m?.meanMs;
  }
}

function compare(actual: number, op: ThresholdOp, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}

/**
 * Thresholds worth checking while the run goes (`--abort-on-fail`): upper bounds on latency,
 * errors and drops, which only a misbehaving server pushes up. Rates and counts start at zero
 * and are judged at the end only.
 */
export function abortable(t: Threshold): boolean {
  const upper = t.op === '<' || t.op === '<=';
  return upper && t.stat.kind !== 'rate' && t.stat.kind !== 'count';
}
