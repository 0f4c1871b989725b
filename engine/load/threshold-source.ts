/**
 * ThresholdSource views: over a live registry (`--abort-on-fail` while running) and over
 * merged histograms (the end of a run, several threads or shards).
 */
import { percentileMs, type Histogram } from './histogram.js';
import type { MetricsRegistry } from './metrics.js';
import type { ThresholdMetricView, ThresholdSource } from './thresholds-eval.js';

export function metricView(count: number, errors: number, histogram: Histogram, windowMs: number): ThresholdMetricView {
  const empty = histogram.totalCount === 0;
  const ms = (us: number): number => Math.round(us) / 1000;
  return {
    count,
    errors,
    ratePerSec: windowMs > 0 ? (count / windowMs) * 1000 : 0,
    percentileMs: (p) => (empty ? undefined : Math.min(percentileMs(histogram, p), ms(histogram.maxValue))),
    minMs: empty ? undefined : ms(histogram.minNonZeroValue),
    maxMs: empty ? undefined : ms(histogram.maxValue),
    meanMs: empty ? undefined : ms(histogram.mean),
  };
}

export function liveSource(registry: MetricsRegistry, stats: { dropped: number; arrivals: number }, windowMs: number): ThresholdSource {
  return {
    metric: (name) => {
      const m = registry.get(name);
      return m === undefined ? undefined : metricView(m.count, m.errors, m.histogram, windowMs);
    },
    dropped: stats.dropped,
    arrivals: stats.arrivals,
  };
}
