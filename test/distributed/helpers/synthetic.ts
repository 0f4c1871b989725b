/**
 * Shard reports built from known samples, the way the engine builds them (histogram.ts
 * settings, per-second interval histograms in the timeline), so merges can be checked against
 * a single histogram fed every sample.
 */
import { createHistogram, encodeHistogram, percentileMs, recordMs, summarize } from '../../../engine/load/histogram.js';
import type { BenchReport, Report, ShardReport, TimelinePoint } from '../../../engine/report-types.js';

/** One iteration: in which measured second (0-based) it ended, its latency in µs, and whether it succeeded. */
export interface Sample {
  readonly second: number;
  readonly us: number;
  readonly ok: boolean;
}

export interface SyntheticShard {
  readonly samples: readonly Sample[];
  /** Whole seconds after the run's base time at which this shard's measured window began. */
  readonly offsetS?: number;
  readonly index?: number;
  readonly count?: number;
  readonly host?: string;
  readonly scenario?: string;
  readonly saturated?: boolean;
  readonly thresholds?: readonly string[];
  readonly startAt?: string;
  readonly totalRate?: number;
}

export const BASE_MS = Date.parse('2030-01-02T03:04:05.000Z');

export function syntheticReport(s: SyntheticShard): Report {
  const all = createHistogram();
  const seconds = Math.max(1, ...s.samples.map((x) => x.second + 1));
  const timeline: TimelinePoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const h = createHistogram();
    const inSecond = s.samples.filter((x) => x.second === t);
    for (const x of inSecond) if (x.ok) recordMs(h, x.us / 1000);
    timeline.push({ t: t + 1, ops: inSecond.length, errors: inSecond.filter((x) => !x.ok).length, p50Ms: percentileMs(h, 50), p99Ms: percentileMs(h, 99), hdr: encodeHistogram(h) });
  }
  for (const x of s.samples) if (x.ok) recordMs(all, x.us / 1000);
  const count = s.samples.length;
  const errors = s.samples.filter((x) => !x.ok).length;
  const durationMs = seconds * 1000;
  const shard: ShardReport | undefined =
    s.index === undefined
      ? undefined
      : { index: s.index, count: s.count ?? 1, host: s.host ?? `host-${s.index}`, runId: `run${s.index}`, users: { count: 1, names: [`u${s.index}@example.test`] }, total: { ratePerSec: s.totalRate ?? 100, concurrency: 10 } };
  const metric = { count, errors, ratePerSec: (count / durationMs) * 1000, latencyMs: summarize(all), hdr: encodeHistogram(all) };
  const measuredFrom = new Date(BASE_MS + (s.offsetS ?? 0) * 1000).toISOString();
  const bench: BenchReport = {
    scenario: s.scenario ?? 'smtp-send',
    mode: 'open',
    ratePerSec: (s.totalRate ?? 100) / (s.count ?? 1),
    concurrency: 10,
    durationMs,
    warmupMs: 0,
    dropped: 0,
    metrics: { iteration: metric, 'smtp.data': metric },
    timeline,
    thresholds: (s.thresholds ?? []).map((expr) => ({ expr, ok: true, actual: 0 })),
    errors: errors > 0 ? { '5xx': errors } : {},
    ...(errors > 0 ? { errorSamples: { '5xx': ['554 synthetic'] } } : {}),
    generator: { cpuPercent: 10, eventLoopDelayP99Ms: 1, saturated: s.saturated === true, ...(s.saturated ? { reason: 'the generator\'s event loop was busy 95% of the time' } : {}) },
    measuredFrom,
    arrivals: count,
    ...(shard === undefined ? {} : { clock: { offsetMs: null, ...(s.startAt === undefined ? {} : { startAt: s.startAt }) }, shard }),
  };
  return {
    schemaVersion: 1,
    tool: { name: 'mailprobe', version: '0.0.0-test' },
    command: 'bench',
    startedAt: new Date(BASE_MS - 100).toISOString(),
    durationMs: durationMs + 200,
    targets: ['submission://127.0.0.1:2587'],
    server: {},
    summary: { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0, error: 0 },
    checks: [],
    findings: [],
    bench,
  };
}
