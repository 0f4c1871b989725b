/**
 * What charts.js draws, taken from each bench run of the report as it is: no statistic is computed here or in
 * the page. The latency spectrum plots each metric's summary percentiles (min, p50, p90, p99,
 * p99.9, max) against 1/(1-p) on a log axis, as HdrHistogram's percentile plots do, so each
 * decade is one more nine; the timeline plots the per-second points.
 */
import type { BenchReport } from '../../engine/report-types.js';

export interface SpectrumData {
  /** 1/(1-p) of each point: 1 (p=0, the minimum), 2 (p50), 10 (p90), 100, 1000, and max. */
  readonly x: readonly number[];
  /** The tick label of each x. */
  readonly ticks: readonly string[];
  /** One line per metric with successful samples; y in ms, null where a log axis cannot show it (≤ 0). */
  readonly series: readonly { readonly name: string; readonly y: readonly (number | null)[] }[];
}

export interface TimelineData {
  /** Seconds each point covers (1, or 2, 4, … once a long run's timeline was coarsened). */
  readonly step: number;
  readonly t: readonly number[];
  readonly ops: readonly number[];
  readonly errors: readonly number[];
  readonly p50: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
}

/** What the charts of one bench run draw. */
export interface ChartData {
  readonly spectrum?: SpectrumData;
  readonly timeline?: TimelineData;
}

/**
 * The `mp-data` JSON block of a report page: each run's chart data by the id of its section
 * (`bench`, or `bench-1`, `bench-2`, … in a demo report), which its chart containers name in
 * `data-mp-bench`. Only runs with something to draw are in it.
 */
export type PageChartData = Readonly<Record<string, ChartData>>;

/** Whether a run has anything to draw. */
export function hasCharts(data: ChartData): boolean {
  return data.spectrum !== undefined || data.timeline !== undefined;
}

/**
 * The percentiles a report carries and where they sit. The maximum is p=1, where 1/(1-p) is
 * infinite: it is drawn one decade after p99.9 and labelled `max`, not given a percentile.
 */
const SPECTRUM_POINTS = [
  { key: 'min', tick: 'min', x: 1 },
  { key: 'p50', tick: '50%', x: 2 },
  { key: 'p90', tick: '90%', x: 10 },
  { key: 'p99', tick: '99%', x: 100 },
  { key: 'p999', tick: '99.9%', x: 1000 },
  { key: 'max', tick: 'max', x: 10000 },
] as const;

export function chartData(bench: BenchReport): ChartData {
  // A metric where every sample failed has no latencies to show (its summary is all zero).
  const series = Object.entries(bench.metrics)
    .filter(([, m]) => m.count - m.errors > 0)
    .map(([name, m]) => ({ name, y: SPECTRUM_POINTS.map((p) => positive(m.latencyMs[p.key])) }));
  const points = bench.timeline;
  const first = points[0];
  const second = points[1];
  return {
    ...(series.length === 0 ? {} : { spectrum: { x: SPECTRUM_POINTS.map((p) => p.x), ticks: SPECTRUM_POINTS.map((p) => p.tick), series } }),
    ...(first === undefined
      ? {}
      : {
          timeline: {
            step: second === undefined ? 1 : second.t - first.t,
            t: points.map((p) => p.t),
            ops: points.map((p) => p.ops),
            errors: points.map((p) => p.errors),
            // A second with no successful iteration has no latency: a gap, not a zero (and the
            // latency axis is logarithmic).
            p50: points.map((p) => (p.ops - p.errors > 0 ? positive(p.p50Ms) : null)),
            p99: points.map((p) => (p.ops - p.errors > 0 ? positive(p.p99Ms) : null)),
          },
        }),
  };
}

function positive(v: number): number | null {
  return Number.isFinite(v) && v > 0 ? v : null;
}
