/**
 * mergeReports on synthetic shard reports with known samples:
 *
 * - property (fast-check): merged counts add, and merged percentiles are exactly those of one
 *   histogram fed every sample, which are within the histogram's precision (3 significant
 *   digits: relative error below 2^-10) of the samples' true quantiles; per second too, with
 *   shards whose windows start whole seconds apart (aligned on absolute time);
 * - refusals (ECONFIG, exit 2): other scenarios, other histogram settings, a shard twice,
 *   shards of other runs, missing shards, shards mixed with whole reports, damaged reports;
 * - saturation named per shard, thresholds from the shards, hierarchical merges.
 */
import fc from 'fast-check';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { MailprobeError } from '../../drivers/errors.js';
import { createHistogram, decodeHistogram, encodeHistogram, percentileMs, recordMs, summarize } from '../../engine/load/histogram.js';
import { mergeReports } from '../../engine/load/merge.js';
import { MAX_POINTS, Timeline } from '../../engine/load/timeline.js';
import { parseMergeInput, type MergeInput } from '../../engine/load/merge-read.js';
import { parseThreshold } from '../../engine/load/thresholds-parse.js';
import type { Report } from '../../engine/report-types.js';
import { BASE_MS, syntheticReport, type Sample, type SyntheticShard } from './helpers/synthetic.js';

const input = (r: Report, file: string): MergeInput => parseMergeInput(JSON.stringify(r), file);
const merge = (shards: readonly SyntheticShard[], options: { allowPartial?: boolean; thresholds?: string[] } = {}) =>
  mergeReports(
    shards.map((s, n) => input(syntheticReport(s), `shard-${n}.json`)),
    { version: 'test', ...(options.allowPartial ? { allowPartial: true } : {}), ...(options.thresholds ? { thresholds: options.thresholds.map(parseThreshold) } : {}) },
  );

function refused(f: () => unknown, why: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(MailprobeError);
  expect((error as MailprobeError).code).toBe('ECONFIG');
  expect((error as MailprobeError).message).toMatch(why);
}

/** The q-quantile as HdrHistogram defines it: the value at rank ceil(q·n) of the sorted samples. */
function trueQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

const latencyUs = fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 2_000, max: 500_000 }), fc.integer({ min: 500_000, max: 60_000_000 }));
const sample = fc.record({ second: fc.integer({ min: 0, max: 3 }), us: latencyUs, ok: fc.integer({ min: 0, max: 9 }).map((n) => n < 8) });
const shardsArb = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, index) => fc.record({ samples: fc.array(sample, { minLength: 1, maxLength: 120 }), offsetS: fc.integer({ min: 0, max: 2 }) }).map((s) => ({ ...s, index, count: n })))),
);

describe('merged percentiles are those of one histogram fed every sample (property)', () => {
  // A report's histograms travel encoded (threads, shards), and a decoded histogram knows its
  // extremes to the bucket (HdrHistogram's highest equivalent value), so a bench report reads
  // its single histogram that way too: the merge must say exactly what that says, and be within
  // the histogram's precision of the raw histogram and of the samples' true quantiles.
  it('counts add; the summary equals the single histogram\'s exactly, within precision of the raw samples', () => {
    fc.assert(
      fc.property(shardsArb, (shards) => {
        const { report } = merge(shards);
        const m = report.bench!.metrics['iteration']!;
        const samples = shards.flatMap((s) => s.samples);
        expect(m.count).toBe(samples.length);
        expect(m.errors).toBe(samples.filter((x) => !x.ok).length);
        const single = createHistogram();
        const ok = samples.filter((x) => x.ok).map((x) => x.us);
        for (const us of ok) recordMs(single, us / 1000);
        expect(m.latencyMs).toEqual(summarize(decodeHistogram(encodeHistogram(single))));
        const raw = summarize(single);
        for (const k of ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const) {
          expect(Math.abs(m.latencyMs[k] - raw[k]), k).toBeLessThanOrEqual(raw[k] / 1024 + 0.001);
        }
        if (ok.length > 0) {
          const sorted = [...ok].sort((a, b) => a - b);
          for (const [q, got] of [
            [0.5, m.latencyMs.p50],
            [0.99, m.latencyMs.p99],
          ] as const) {
            const exact = trueQuantile(sorted, q) / 1000;
            expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact / 1024 + 0.001);
          }
          expect(Math.abs(m.latencyMs.max - sorted.at(-1)! / 1000)).toBeLessThanOrEqual(sorted.at(-1)! / 1024000 + 0.001);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the timeline: seconds aligned on absolute time, summed, percentiles from the added per-second histograms', () => {
    fc.assert(
      fc.property(shardsArb, (shards) => {
        const { report } = merge(shards);
        const base = Math.min(...shards.map((s) => s.offsetS));
        expect(report.bench!.measuredFrom).toBe(new Date(BASE_MS + base * 1000).toISOString());
        const bySecond = new Map<number, Sample[]>();
        for (const s of shards) for (const x of s.samples) bySecond.set(x.second + 1 + s.offsetS - base, [...(bySecond.get(x.second + 1 + s.offsetS - base) ?? []), x]);
        for (const p of report.bench!.timeline) {
          const inSecond = bySecond.get(p.t) ?? [];
          const h = createHistogram();
          for (const x of inSecond) if (x.ok) recordMs(h, x.us / 1000);
          expect({ t: p.t, ops: p.ops, errors: p.errors, p50Ms: p.p50Ms, p99Ms: p.p99Ms }).toEqual({ t: p.t, ops: inSecond.length, errors: inSecond.filter((x) => !x.ok).length, p50Ms: percentileMs(h, 50), p99Ms: percentileMs(h, 99) });
          expect(typeof p.hdr).toBe('string');
        }
        expect(report.bench!.timeline.reduce((a, p) => a + p.ops, 0)).toBe(shards.reduce((a, s) => a + s.samples.length, 0));
      }),
      { numRuns: 40 },
    );
  });
});

const ok = (n: number, us = 1000): Sample[] => Array.from({ length: n }, (_, i) => ({ second: i % 2, us: us + i, ok: true }));

describe('merge semantics', () => {
  it('thresholds are evaluated once, over the merge: the shards\' expressions by default, --threshold instead', () => {
    const shards = [0, 1].map((index) => ({ samples: ok(20), index, count: 2, thresholds: ['count>=30', 'count<=30'] }));
    const { report } = merge(shards);
    expect(report.bench!.thresholds).toEqual([
      { expr: 'count>=30', ok: true, actual: 40 },
      { expr: 'count<=30', ok: false, actual: 40 },
    ]);
    expect(merge(shards, { thresholds: ['smtp.data:p99<1ms'] }).report.bench!.thresholds).toEqual([{ expr: 'smtp.data:p99<1ms', ok: false, actual: 1.019 }]);
  });

  it('a saturated generator anywhere flags the merge, naming the shard and host', () => {
    const { report } = merge([
      { samples: ok(5), index: 0, count: 3 },
      { samples: ok(5), index: 1, count: 3, saturated: true, host: 'pod-b' },
      { samples: ok(5), index: 2, count: 3 },
    ]);
    expect(report.bench!.generator).toMatchObject({ saturated: true, reason: "shard 1/3 on pod-b: the generator's event loop was busy 95% of the time" });
    expect(report.bench!.shards!.map((s) => s.generator.saturated)).toEqual([false, true, false]);
  });

  it('errors by class, drops and arrivals add; rate and concurrency are the whole run\'s', () => {
    const { report, succeeded } = merge([
      { samples: [...ok(3), { second: 0, us: 5, ok: false }], index: 0, count: 2 },
      { samples: [...ok(4), { second: 1, us: 5, ok: false }, { second: 1, us: 5, ok: false }], index: 1, count: 2 },
    ]);
    expect(report.bench!.errors).toEqual({ '5xx': 3 });
    expect(report.bench!.arrivals).toBe(10);
    expect(report.bench!).toMatchObject({ ratePerSec: 100, concurrency: 10 });
    expect(succeeded).toBe(7);
  });

  it('a merged report merges again: shards of a region, then the regions', () => {
    const four = [0, 1, 2, 3].map((index) => ({ samples: ok(10 + index), index, count: 4 }));
    const a = merge(four.slice(0, 2), { allowPartial: true }).report;
    const b = merge(four.slice(2), { allowPartial: true }).report;
    expect(a.partial).toBe(true);
    const whole = mergeReports([input(a, 'a.json'), input(b, 'b.json')], { version: 'test' }).report;
    const direct = merge(four).report;
    expect(whole.bench!.metrics['iteration']).toEqual(direct.bench!.metrics['iteration']);
    expect(whole.bench!.shards!.map((s) => [s.shard!.index, s.file])).toEqual([
      [0, 'a.json: shard-0.json'],
      [1, 'a.json: shard-1.json'],
      [2, 'b.json: shard-0.json'],
      [3, 'b.json: shard-1.json'],
    ]);
    expect(whole.partial).toBeUndefined();
  });

  it('--allow-partial merges what there is and says what is missing', () => {
    const { report } = merge([{ samples: ok(5), index: 0, count: 3 }, { samples: ok(5), index: 2, count: 3 }], { allowPartial: true });
    expect(report.partial).toBe(true);
    expect(report.bench!.notes).toContain('1 shard of 3 missing (1/3): the numbers cover only part of the run\'s load');
    expect(report.bench!.ratePerSec).toBeCloseTo(200 / 3, 5);
  });

  it('whole reports (no --shard) add with a note; no timeline histograms means an approximate timeline, said so', () => {
    const a = syntheticReport({ samples: ok(5) });
    const b = syntheticReport({ samples: ok(7) });
    const bare = { ...b, bench: { ...b.bench!, timeline: b.bench!.timeline.map(({ hdr: _hdr, ...p }) => p) } };
    const { report } = mergeReports([input(a, 'a.json'), input(bare, 'b.json')], { version: 'test' });
    expect(report.bench!.metrics['iteration']!.count).toBe(12);
    expect(report.bench!.notes).toEqual([
      'the reports are not shards of one run (no --shard): their load was added as it was, without a check that it was split',
      "some reports hold no per-second histograms (written without --shard): the timeline p50 is weighted and its p99 is the largest of the reports'",
    ]);
  });
});

describe('long runs: coarsened timelines', () => {
  /** A timeline of `seconds` seconds, one sample of (second × 10 + extra) µs in each, as a shard keeps it. */
  function longTimeline(seconds: number, extra: number): ReturnType<Timeline['finish']> {
    const timeline = new Timeline(1, undefined, { histograms: true });
    for (let t = 1; t <= seconds; t++) {
      const h = createHistogram();
      recordMs(h, (t * 10 + extra) / 1000);
      timeline.add(0, { t, ops: 1, errors: 0, histogram: h });
    }
    return timeline.finish();
  }

  it('a shard timeline past MAX_POINTS halves exactly: pairs of seconds with their added histograms', () => {
    const points = longTimeline(MAX_POINTS + 2, 0);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    // Seconds 1 and 2 (10 µs and 20 µs): exact p50 is 10 µs (weighting would say 15).
    expect(points[0]).toMatchObject({ t: 2, ops: 2, p50Ms: 0.01, p99Ms: 0.02 });
    expect(decodeHistogram(points[0]!.hdr!).totalCount).toBe(2);
  });

  it('the halving is spread over the following seconds, not done at once on the event loop that times arrivals', () => {
    const timeline = new Timeline(1, undefined, { histograms: true });
    const h = createHistogram();
    recordMs(h, 1);
    let t = 0;
    while (t < MAX_POINTS) timeline.add(0, { t: ++t, ops: 1, errors: 0, histogram: h });
    // Full: the halving has begun, and has paired none of the old points yet.
    expect(timeline.points.slice(0, 2).map((p) => p.t)).toEqual([1, 2]);
    timeline.add(0, { t: ++t, ops: 1, errors: 0, histogram: h });
    // One more second: a few pairs (8) merged, the rest still waiting.
    expect(timeline.points.slice(0, 9).map((p) => p.t)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 17]);
    const points = timeline.finish();
    expect(points.reduce((a, p) => a + p.ops, 0)).toBe(t);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('merging coarsened timelines aligns them at their width and keeps every operation', () => {
    const seconds = MAX_POINTS + 10;
    const reports = [0, 1].map((index) => {
      const r = syntheticReport({ samples: [{ second: 0, us: 10, ok: true }], index, count: 2 });
      return { ...r, bench: { ...r.bench!, timeline: longTimeline(seconds, index) } };
    });
    const { report } = mergeReports(reports.map((r, n) => input(r, `long-${n}.json`)), { version: 'test' });
    const points = report.bench!.timeline;
    expect(points.reduce((a, p) => a + p.ops, 0)).toBe(2 * seconds);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points.every((p) => p.t % 2 === 0 && p.hdr !== undefined)).toBe(true);
    // The first point: seconds 1–2 of both shards: 10, 11, 20, 21 µs.
    expect(points[0]).toMatchObject({ t: 2, ops: 4, p50Ms: 0.011, p99Ms: 0.021 });
  });
});

describe('what merge refuses (ECONFIG: exit 2)', () => {
  it('reports of different scenarios', () => {
    refused(() => merge([{ samples: ok(2), index: 0, count: 2 }, { samples: ok(2), index: 1, count: 2, scenario: 'imap-session' }]), /shard-0\.json is a smtp-send run and shard-1\.json a imap-session run: reports of different scenarios cannot be merged/);
  });

  it('histograms of other settings', () => {
    const r = syntheticReport({ samples: ok(3), index: 1, count: 2 });
    const other = build({ bitBucketSize: 64, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, useWebAssembly: false });
    for (let i = 0; i < 3; i++) other.recordValue(1000 + i);
    const hdr = encodeIntoCompressedBase64(other);
    const changed = { ...r, bench: { ...r.bench!, metrics: { ...r.bench!.metrics, 'smtp.data': { ...r.bench!.metrics['smtp.data']!, hdr } } } };
    refused(
      () => mergeReports([input(syntheticReport({ samples: ok(3), index: 0, count: 2 }), 'a.json'), input(changed, 'b.json')], { version: 'test' }),
      /b\.json: bench\.metrics\["smtp\.data"\]\.hdr: incompatible histogram settings \(1 µs to 3600000000 µs, 2 significant digits; this mailprobe merges 1 µs to 3600000000 µs, 3 significant digits\)/,
    );
  });

  it('a histogram that is not one, and counts that disagree with the histogram', () => {
    const r = syntheticReport({ samples: ok(3), index: 0, count: 1 });
    const garbage = { ...r, bench: { ...r.bench!, metrics: { iteration: { ...r.bench!.metrics['iteration']!, hdr: 'not-a-histogram' } } } };
    refused(() => mergeReports([input(garbage, 'g.json')], { version: 'test' }), /g\.json: bench\.metrics\["iteration"\]\.hdr is not a compressed HdrHistogram/);
    const edited = { ...r, bench: { ...r.bench!, metrics: { iteration: { ...r.bench!.metrics['iteration']!, count: 99 } } } };
    refused(() => mergeReports([input(edited, 'e.json')], { version: 'test' }), /e\.json: metric iteration counts 99 successes but its histogram holds 3 samples/);
  });

  it('the same shard twice, and shards of different runs', () => {
    refused(() => merge([{ samples: ok(2), index: 0, count: 2 }, { samples: ok(2), index: 0, count: 2 }]), /shard 0\/2 is in both shard-0\.json and shard-1\.json: each shard may be merged once/);
    refused(() => merge([{ samples: ok(2), index: 0, count: 2 }, { samples: ok(2), index: 1, count: 3 }]), /split their runs into different numbers of shards/);
    refused(() => merge([{ samples: ok(2), index: 0, count: 2 }, { samples: ok(2), index: 1, count: 2, totalRate: 200 }]), /are shards of different runs: total rate 100\/s vs 200\/s/);
    refused(
      () => merge([{ samples: ok(2), index: 0, count: 2, startAt: '2030-01-02T03:04:05.000Z' }, { samples: ok(2), index: 1, count: 2, startAt: '2030-01-02T03:09:05.000Z' }]),
      /shards of different runs: --start-at 2030-01-02T03:04:05\.000Z vs 2030-01-02T03:09:05\.000Z/,
    );
  });

  it('missing shards, unless allowed', () => {
    refused(() => merge([{ samples: ok(2), index: 0, count: 4 }, { samples: ok(2), index: 2, count: 4 }]), /2 shards of 4 missing \(1, 3\): merged, the numbers would not be the run's load/);
  });

  it('shard reports mixed with whole ones, and what is not a bench report', () => {
    refused(() => merge([{ samples: ok(2), index: 0, count: 1 }, { samples: ok(2) }]), /shard-1\.json is a whole bench report \(no --shard\) but shard-0\.json is a shard/);
    const check = { ...syntheticReport({ samples: ok(1) }), command: 'check' as const, bench: undefined };
    refused(() => parseMergeInput(JSON.stringify(check), 'c.json'), /c\.json is a "check" report, not a bench report/);
    refused(() => parseMergeInput(JSON.stringify({ ...syntheticReport({ samples: ok(1) }), bench: undefined }), 'b.json'), /b\.json is a bench report without its "bench" section/);
    refused(() => parseMergeInput('{"tool":{"name":"mailprobe"},"schemaVersion":2}', 'v.json'), /v\.json has schemaVersion 2; this mailprobe merges version 1/);
    refused(() => parseMergeInput('hello', 'h.txt'), /h\.txt is not JSON and holds no mailprobe report/);
    const r = syntheticReport({ samples: ok(1) });
    refused(() => parseMergeInput(JSON.stringify({ ...r, bench: { ...r.bench!, dropped: -1 } }), 'd.json'), /d\.json is not a valid bench report: at bench\.dropped/);
  });

  it('hostile JSON in the header fields is ECONFIG, not a crash (found by npm run fuzz)', () => {
    // String() threw a TypeError on an own toString that is not a function.
    refused(() => parseMergeInput('{"tool":{"name":"mailprobe"},"schemaVersion":1,"command":{"toString":1}}', 't.json'), /t\.json is a \{…\} report, not a bench report/);
    // JSON.stringify overflowed the stack (RangeError) on arrays nested 100 000 deep.
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    refused(() => parseMergeInput(`{"tool":{"name":"mailprobe"},"schemaVersion":${deep}}`, 'n.json'), /n\.json has schemaVersion \[…\]; this mailprobe merges version 1/);
    refused(() => parseMergeInput(`{"tool":{"name":"mailprobe"},"schemaVersion":1,"command":${deep}}`, 'n.json'), /n\.json is a \[…\] report/);
  });

  it('error classes named like Object.prototype members add up; a "__proto__" key is refused (found by npm run fuzz)', () => {
    const r = syntheticReport({ samples: [...ok(1), { second: 0, us: 900, ok: false }] });
    const text = (errors: string, samples: string): string => JSON.stringify({ ...r, bench: { ...r.bench!, errors: JSON.parse(errors) as unknown, errorSamples: JSON.parse(samples) as unknown } });
    // {} as a map: errors["toString"] was the inherited function ("function toString() …1"), and
    // errorSamples["constructor"] was Object, whose missing .includes threw a TypeError.
    const merged = mergeReports([parseMergeInput(text('{"toString":1,"constructor":1}', '{"constructor":["554 x"],"toString":["554 y"]}'), 'p.json')], { version: 'test' }).report.bench!;
    expect(merged.errors).toEqual({ constructor: 1, toString: 1 });
    expect(merged.errorSamples).toEqual({ constructor: ['554 x'], toString: ['554 y'] });
    // zod's records skip "__proto__", so its value went unchecked into the merge (a TypeError).
    refused(() => parseMergeInput(text('{"5xx":1}', '{"__proto__":{"a":1}}'), 'q.json'), /q\.json is not a valid bench report: at bench\.errorSamples\.__proto__: a key named "__proto__"/);
  });

  it('finds the report at the end of a captured log (kubectl logs of a shard run with --json -)', () => {
    const r = syntheticReport({ samples: ok(4), index: 0, count: 1 });
    const log = `mailprobe 0.1.0 bench smtp-send smtp://mx (shard 0/1)\nwaiting for --start-at …\n{ not json\n${JSON.stringify(r, null, 2)}\n`;
    expect(parseMergeInput(log, 'pod.log').bench.metrics['iteration']!.count).toBe(4);
  });
});
