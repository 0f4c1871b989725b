import { describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram, encodeHistogram, HIGHEST_US, mergeEncoded, recordMs, summarize } from '../../engine/load/histogram.js';
import { MetricsRegistry } from '../../engine/load/metrics.js';
import { benchMetrics, mergeThreads } from '../../engine/load/result.js';
import type { ThreadResult } from '../../engine/load/runner.js';

/** HDR keeps 3 significant digits: values within 0.1% (plus one µs) of the exact one. */
function near(actual: number, exact: number): void {
  expect(Math.abs(actual - exact)).toBeLessThanOrEqual(exact * 0.001 + 0.001);
}

/** What one thread reports, with `r`'s metrics and defaults for the rest. */
function threadResult(r: MetricsRegistry, over: Partial<ThreadResult>): ThreadResult {
  return {
    metrics: r.export(),
    errors: {},
    errorSamples: {},
    arrivals: 0,
    dropped: 0,
    interrupted: 0,
    windowMs: 1000,
    generator: { cpuPercent: 50, eventLoopDelayP99Ms: 1, eventLoopUtilization: 0.5, startLagP99Ms: 0, windowMs: 1000 },
    aborted: false,
    thresholdAbort: undefined,
    server: {},
    ...over,
  };
}

describe('HDR latency histograms', () => {
  it('gives percentiles of known data in ms (1..1000 ms uniform)', () => {
    const h = createHistogram();
    for (let ms = 1; ms <= 1000; ms++) recordMs(h, ms);
    const s = summarize(h);
    expect(s.min).toBe(1);
    expect(s.max).toBe(1000);
    near(s.mean, 500.5);
    near(s.p50, 500);
    near(s.p90, 900);
    near(s.p99, 990);
    near(s.p999, 999);
  });

  it('keeps microsecond resolution and never reports a percentile above the maximum', () => {
    const h = createHistogram();
    for (const ms of [0.25, 0.5, 0.75, 1]) recordMs(h, ms);
    const s = summarize(h);
    expect(s.min).toBe(0.25);
    expect(s.p50).toBe(0.5);
    expect(s.p999).toBeLessThanOrEqual(s.max);
  });

  it('records exactly what the library\'s recordValue records (powers of two ± 1, random, bounds)', () => {
    const direct = createHistogram();
    const library = createHistogram();
    const values: number[] = [0, 1, 2, 3];
    for (let k = 1; k < 32; k++) for (const d of [-1, 0, 1]) values.push(2 ** k + d);
    for (let i = 0; i < 20000; i++) values.push(Math.floor(Math.random() * 2 ** (1 + (i % 32))));
    for (const us of values) {
      const clamped = Math.min(us, HIGHEST_US);
      recordMs(direct, us / 1000);
      library.recordValue(clamped);
    }
    expect(direct.totalCount).toBe(library.totalCount);
    expect(direct.minNonZeroValue).toBe(library.minNonZeroValue);
    expect(direct.maxValue).toBe(library.maxValue);
    // Every count, bucket by bucket.
    expect(encodeHistogram(direct)).toBe(encodeHistogram(library));
  });

  it("reports the library's own mean (random values over every bucket range)", () => {
    const h = createHistogram();
    for (let i = 0; i < 20000; i++) recordMs(h, (Math.random() * 2 ** (1 + (i % 32))) / 1000);
    recordMs(h, HIGHEST_US / 1000);
    const round3 = (n: number): number => Math.round(n * 1000) / 1000;
    expect(summarize(h).mean).toBe(round3(Math.min(h.mean, h.maxValue) / 1000));
    expect(summarize(h).mean).toBeGreaterThan(0);
  });

  it('clamps values beyond the stated bounds instead of growing', () => {
    const h = createHistogram();
    const before = h.estimatedFootprintInBytes;
    recordMs(h, 10 * HIGHEST_US);
    recordMs(h, -5);
    expect(h.totalCount).toBe(2);
    expect(h.maxValue).toBeLessThanOrEqual(HIGHEST_US * 1.001);
    expect(h.estimatedFootprintInBytes).toBe(before);
  });

  it('round-trips through compressed base64 and merges by adding', () => {
    const whole = createHistogram();
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 0; i < 5000; i++) {
      const ms = ((i * 7919) % 2000) / 10 + 0.1;
      recordMs(whole, ms);
      recordMs(i % 2 === 0 ? a : b, ms);
    }
    const encoded = encodeHistogram(whole);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(summarize(decodeHistogram(encoded))).toEqual({ ...summarize(whole), max: summarize(decodeHistogram(encoded)).max });
    const merged = createHistogram();
    mergeEncoded(merged, encodeHistogram(a));
    mergeEncoded(merged, encodeHistogram(b));
    expect(merged.totalCount).toBe(whole.totalCount);
    for (const p of [50, 90, 99, 99.9]) expect(merged.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
  });

  it('merges thread results: counts add up, percentiles come from the merged histogram', () => {
    const part = (values: number[], errors: number): ThreadResult => {
      const r = new MetricsRegistry();
      const m = r.metric('smtp.data');
      for (const v of values) m.record(0, v);
      for (let i = 0; i < errors; i++) m.fail(0);
      return threadResult(r, {
        errors: errors > 0 ? { '5xx': errors } : {},
        errorSamples: errors > 0 ? { '5xx': ['554 no'] } : {},
        arrivals: values.length + errors,
        dropped: 1,
      });
    };
    const low = Array.from({ length: 99 }, () => 1);
    const run = mergeThreads([part(low, 2), part([100], 1)]);
    const m = run.metrics.get('smtp.data')!;
    expect(m.count).toBe(103);
    expect(m.errors).toBe(3);
    expect(m.histogram.totalCount).toBe(100);
    expect(summarize(m.histogram).p50).toBe(1);
    near(summarize(m.histogram).max, 100);
    expect(run.errors).toEqual({ '5xx': 3 });
    expect(run.dropped).toBe(2);
    expect(run.arrivals).toBe(103);
    expect(run.parts).toBe(2);
  });

  it('a run of one part on this thread is merged from its live histograms and its own encodings', () => {
    const r = new MetricsRegistry();
    for (let i = 1; i <= 50; i++) r.metric('imap.noop').record(0, i / 10);
    r.metric('imap.noop').fail(0);
    const part = threadResult(r, { arrivals: 51 });
    const live = r.histograms();
    const run = mergeThreads([part], live);
    const m = run.metrics.get('imap.noop')!;
    expect(m.histogram).toBe(live.get('imap.noop'));
    expect([m.count, m.errors]).toEqual([51, 1]);
    const reported = benchMetrics(run)['imap.noop']!;
    expect(reported.hdr).toBe(part.metrics[0]!.hdr);
    // The same numbers as decoding the part, except that the maximum is the exact one recorded
    // (a decoded histogram knows only the top of its highest bucket: 5.003).
    const decoded = benchMetrics(mergeThreads([part]))['imap.noop']!.latencyMs;
    expect(decoded.max).toBe(5.003);
    expect(reported.latencyMs).toEqual({ ...decoded, max: 5, p99: 5, p999: 5 });
    // Two parts: the live histograms of one are not the merge.
    const two = mergeThreads([part, part], live).metrics.get('imap.noop')!;
    expect(two.histogram).not.toBe(live.get('imap.noop'));
    expect(two.histogram.totalCount).toBe(100);
  });
});

describe('metrics registry', () => {
  it('drops samples of operations that started in the warm-up', () => {
    const r = new MetricsRegistry(1000);
    const m = r.metric('smtp.mail');
    m.record(999.9, 5);
    m.fail(500);
    m.record(1000, 5);
    m.record(1500, 7, false);
    expect([m.count, m.errors, m.histogram.totalCount]).toEqual([2, 1, 1]);
  });

  it('hands out one handle per name and has a fixed footprint per metric', () => {
    const r = new MetricsRegistry();
    expect(r.metric('a')).toBe(r.metric('a'));
    r.metric('b');
    const { metrics, bytes } = r.footprint();
    expect(metrics).toBe(2);
    for (let i = 0; i < 10_000; i++) r.metric('a').record(0, i % 300);
    expect(r.footprint()).toEqual({ metrics, bytes });
  });

  it('keeps no sample once sealed (an iteration finishing after the run ended)', () => {
    const r = new MetricsRegistry(0);
    const m = r.metric('iteration');
    m.record(5, 1);
    r.seal();
    m.record(10, 1);
    m.fail(10);
    expect([m.count, m.errors, m.histogram.totalCount]).toEqual([1, 0, 1]);
  });

  it('copies one metric into another (a closed loop: service time equals latency)', () => {
    const r = new MetricsRegistry();
    const a = r.metric('iteration');
    a.record(0, 3);
    a.fail(0);
    const b = r.metric('iteration.service');
    b.copyFrom(a);
    expect([b.count, b.errors, b.histogram.totalCount]).toEqual([2, 1, 1]);
  });
});
