/**
 * Latency histograms: hdr-histogram-js with stated, fixed bounds (autocannon's histUtil.js).
 *
 * - Pure JS build (`useWebAssembly: false`): no WASM start-up, identical on Node 20/22/24 and
 *   in worker threads.
 * - Microseconds from 1 µs to 1 h at 3 significant digits; `autoResize: false`, so memory is
 *   fixed when the histogram is made and does not grow with the run. Longer values are
 *   clamped to the top (and counted as such by the caller if it cares).
 * - 64-bit (float) counts: a bucket cannot overflow within any run length.
 *
 * Histograms travel between threads and shards as compressed base64 (the report's `hdr`),
 * and merge by adding.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../report-types.js';

export const LOWEST_US = 1;
export const HIGHEST_US = 3_600_000_000;
export const SIGNIFICANT_DIGITS = 3;
const BITS = 64;

export type { Histogram };

export function createHistogram(): Histogram {
  return build({
    bitBucketSize: BITS,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/**
 * The members of hdr-histogram-js's JsHistogram that its recordValue() goes through
 * (dist/JsHistogram.js: countsArrayIndex, incrementCountAtIndex, updateMinAndMax,
 * incrementTotalCount). Not in its typings.
 */
interface JsHistogramInternals {
  readonly unitMagnitude: number;
  readonly subBucketHalfCountMagnitude: number;
  readonly countsArrayLength: number;
  incrementCountAtIndex(index: number): void;
  updateMinAndMax(value: number): void;
  incrementTotalCount(): void;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  medianEquivalentValue(value: number): number;
}

/** Sub-bucket half count magnitude of 3 significant digits (2048 sub-buckets). */
const HALF_MAGNITUDE = 10;

/**
 * Whether recordMs may index the counts itself: the library is the JsHistogram it was written
 * against, with our bounds (unit magnitude 0: 1 µs). Otherwise recordValue() is used.
 */
const DIRECT = ((): boolean => {
  const h = createHistogram() as unknown as Partial<JsHistogramInternals>;
  return (
    h.unitMagnitude === 0 &&
    h.subBucketHalfCountMagnitude === HALF_MAGNITUDE &&
    typeof h.countsArrayLength === 'number' &&
    typeof h.incrementCountAtIndex === 'function' &&
    typeof h.updateMinAndMax === 'function' &&
    typeof h.incrementTotalCount === 'function' &&
    typeof h.getCountAtIndex === 'function' &&
    typeof h.valueFromIndex === 'function' &&
    typeof h.medianEquivalentValue === 'function'
  );
})();

/**
 * Record a duration given in milliseconds (negative clock noise → 0; above the top → the top).
 *
 * The hot path of every load run (several samples per message): the counts index is computed
 * with integer operations instead of the library's log2/pow/floor (JsHistogram.countsArrayIndex:
 * bucket = max(floor(log2 v) − 10, 0), sub-bucket = floor(v / 2^bucket), index =
 * bucket·1024 + sub-bucket), the same index for every value up to HIGHEST_US (< 2^32); the
 * count, minimum, maximum and total are then updated exactly as recordValue() does.
 */
export function recordMs(h: Histogram, ms: number): void {
  const rounded = Math.round(ms * 1000);
  const us = rounded <= 0 ? 0 : rounded >= HIGHEST_US ? HIGHEST_US : rounded;
  if (!DIRECT) {
    h.recordValue(us);
    return;
  }
  const bucket = us === 0 ? 0 : Math.max(31 - Math.clz32(us) - HALF_MAGNITUDE, 0);
  const index = bucket * (1 << HALF_MAGNITUDE) + (us >>> bucket);
  const j = h as unknown as JsHistogramInternals;
  if (index >= j.countsArrayLength) {
    h.recordValue(us);
    return;
  }
  j.incrementCountAtIndex(index);
  j.updateMinAndMax(us);
  j.incrementTotalCount();
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Percentiles in milliseconds (3 decimals: µs resolution); all zero for an empty histogram. */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  // Percentiles report the top of their bucket; never above the exact maximum.
  const ms = (us: number): number => round3(Math.min(us, h.maxValue) / 1000);
  return {
    min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    mean: ms(meanOf(h)),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/**
 * The library's `mean`, computed the same way (each recorded bucket's median equivalent value
 * times its count, summed in index order, over the total count: the same number) without its
 * recorded-values iterator, which made an object and several log/pow calls per step and was
 * most of the CPU a bench spends on its report.
 */
function meanOf(h: Histogram): number {
  if (!DIRECT) return h.mean;
  const j = h as unknown as JsHistogramInternals;
  const total = h.totalCount;
  let sum = 0;
  let seen = 0;
  for (let i = 0; i < j.countsArrayLength && seen < total; i++) {
    const c = j.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    sum += j.medianEquivalentValue(j.valueFromIndex(i)) * c;
  }
  return sum / total;
}

/** A percentile in milliseconds (0 when empty). */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : round3(h.getValueAtPercentile(p) / 1000);
}

export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/** Decode a compressed base64 histogram (any word size) into a fresh one with our bounds. */
export function decodeHistogram(base64: string): Histogram {
  const decoded = decodeFromCompressedBase64(base64, BITS, false);
  const out = createHistogram();
  out.add(decoded);
  decoded.destroy();
  return out;
}

/** Add `base64` into `into`. */
export function mergeEncoded(into: Histogram, base64: string): void {
  const decoded = decodeFromCompressedBase64(base64, BITS, false);
  into.add(decoded);
  decoded.destroy();
}
