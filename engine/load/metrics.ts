/**
 * Per-command metrics of one run: for each name (`smtp.data`, `imap.fetch`, `session`, …) a
 * count, an error count and an HDR latency histogram. A scenario takes a handle per name once
 * (`registry.metric('smtp.mail')`) and records through it on the hot path: no map lookup, no
 * allocation per sample.
 *
 * Warm-up: a sample is kept only when the operation *started* at or after `measureFrom`, so
 * work begun during the warm-up never leaks into the results, whenever it finishes.
 */
import { createHistogram, encodeHistogram, recordMs, summarize, type Histogram } from './histogram.js';
import type { BenchMetric } from '../report-types.js';

/** At most this many distinct metric names: names come from scenario code, not from servers. */
export const MAX_METRICS = 64;

export class Metric {
  readonly name: string;
  count = 0;
  errors = 0;
  readonly histogram: Histogram;
  readonly #registry: MetricsRegistry;

  constructor(name: string, registry: MetricsRegistry) {
    this.name = name;
    this.#registry = registry;
    this.histogram = createHistogram();
  }

  /** One operation that started at `startedAt` (clock ms) and took `ms`. */
  record(startedAt: number, ms: number, ok = true): void {
    if (startedAt < this.#registry.measureFrom) return;
    this.count++;
    if (ok) recordMs(this.histogram, ms);
    else this.errors++;
  }

  /** Make this metric equal to `other` (a closed loop's service time is its latency). */
  copyFrom(other: Metric): void {
    this.count = other.count;
    this.errors = other.errors;
    this.histogram.reset();
    this.histogram.add(other.histogram);
  }

  /** A failure that has no meaningful duration (the operation never completed). */
  fail(startedAt: number): void {
    if (startedAt < this.#registry.measureFrom) return;
    this.count++;
    this.errors++;
  }
}

export class MetricsRegistry {
  /** Samples of operations started before this clock time are dropped (warm-up). */
  measureFrom: number;
  readonly #metrics = new Map<string, Metric>();

  constructor(measureFrom = -Infinity) {
    this.measureFrom = measureFrom;
  }

  /** The handle for `name`, made on first use. */
  metric(name: string): Metric {
    let m = this.#metrics.get(name);
    if (m === undefined) {
      if (this.#metrics.size >= MAX_METRICS) throw new Error(`more than ${MAX_METRICS} metric names (${name})`);
      m = new Metric(name, this);
      this.#metrics.set(name, m);
    }
    return m;
  }

  get(name: string): Metric | undefined {
    return this.#metrics.get(name);
  }

  names(): string[] {
    return [...this.#metrics.keys()];
  }

  /**
   * Keep no sample from now on (the run has ended): an iteration still in flight past the
   * drain cannot change the histograms after they were exported.
   */
  seal(): void {
    this.measureFrom = Infinity;
  }

  /** Each metric's histogram by name (live: what export() encodes). */
  histograms(): Map<string, Histogram> {
    const out = new Map<string, Histogram>();
    for (const [name, m] of this.#metrics) out.set(name, m.histogram);
    return out;
  }

  /** Histograms allocated and their bytes: fixed once every name has been seen. */
  footprint(): { metrics: number; bytes: number } {
    let bytes = 0;
    for (const m of this.#metrics.values()) bytes += m.histogram.estimatedFootprintInBytes;
    return { metrics: this.#metrics.size, bytes };
  }

  /** Portable form: counts and encoded histograms (for another thread, a shard file, a merge). */
  export(): ExportedMetric[] {
    return [...this.#metrics.values()].map((m) => ({ name: m.name, count: m.count, errors: m.errors, hdr: encodeHistogram(m.histogram) }));
  }
}

export interface ExportedMetric {
  readonly name: string;
  readonly count: number;
  readonly errors: number;
  readonly hdr: string;
}

/** The report's view of one metric over a measured window of `windowMs`. */
export function toBenchMetric(count: number, errors: number, histogram: Histogram, hdr: string, windowMs: number): BenchMetric {
  return {
    count,
    errors,
    ratePerSec: windowMs > 0 ? Math.round((count / windowMs) * 1000 * 100) / 100 : 0,
    latencyMs: summarize(histogram),
    hdr,
  };
}
