import { describe, expect, it } from 'vitest';
import { createHistogram, recordMs } from '../../engine/load/histogram.js';
import { MAX_POINTS, Timeline, TimelineRecorder, type Tick } from '../../engine/load/timeline.js';

function ticksOf(measureFrom: number, feed: (r: TimelineRecorder) => void): { t: number; ops: number; errors: number; count: number }[] {
  const out: { t: number; ops: number; errors: number; count: number }[] = [];
  const r = new TimelineRecorder(measureFrom, (tick: Tick) => out.push({ t: tick.t, ops: tick.ops, errors: tick.errors, count: tick.histogram.totalCount }));
  feed(r);
  return out;
}

describe('per-second timeline', () => {
  it('buckets completions by the second they ended in, after the warm-up', () => {
    const ticks = ticksOf(1000, (r) => {
      r.record(900, 1100, 200, true); // started in the warm-up: not counted
      r.record(1000, 1010, 10, true);
      r.record(1000, 1999, 999, false);
      r.record(1500, 2000, 500, true);
      r.record(2100, 2500, 400, true);
      r.finish(2600);
    });
    expect(ticks).toEqual([
      { t: 1, ops: 2, errors: 1, count: 1 },
      { t: 2, ops: 2, errors: 0, count: 2 },
    ]);
  });

  it('emits empty seconds when nothing completes (a stalled server shows as zeros)', () => {
    const ticks = ticksOf(0, (r) => {
      r.record(0, 100, 100, true);
      r.flushUntil(3500);
      r.record(3000, 3600, 600, true);
      r.finish(4000);
    });
    expect(ticks.map((t) => [t.t, t.ops])).toEqual([
      [1, 1],
      [2, 0],
      [3, 0],
      [4, 1],
    ]);
  });

  it('merges sources: a second is final once every source reported it', () => {
    const points: number[] = [];
    const tl = new Timeline(2, (p) => points.push(p.t));
    const h = createHistogram();
    recordMs(h, 1);
    tl.add(0, { t: 1, ops: 10, errors: 1, histogram: h });
    expect(points).toEqual([]);
    tl.add(0, { t: 2, ops: 5, errors: 0, histogram: h });
    tl.add(1, { t: 1, ops: 20, errors: 0, histogram: h });
    expect(points).toEqual([1]);
    tl.sourceFinished(1);
    expect(points).toEqual([1, 2]);
    const all = tl.finish();
    expect(all.map((p) => [p.t, p.ops, p.errors])).toEqual([
      [1, 30, 1],
      [2, 5, 0],
    ]);
    expect(all[0]!.p50Ms).toBe(1);
  });

  it('does not finalise a second early when a source finishes before the others report it', () => {
    const tl = new Timeline(2);
    const h = createHistogram();
    recordMs(h, 1);
    tl.add(0, { t: 1, ops: 200, errors: 0, histogram: h });
    tl.sourceFinished(0);
    tl.add(1, { t: 1, ops: 200, errors: 0, histogram: h });
    tl.add(1, { t: 2, ops: 7, errors: 0, histogram: h });
    tl.sourceFinished(1);
    expect(tl.finish().map((p) => [p.t, p.ops])).toEqual([
      [1, 400],
      [2, 7],
    ]);
  });

  it('holds at most MAX_POINTS points: a long run halves its resolution instead of growing', () => {
    const tl = new Timeline(1);
    const h = createHistogram();
    recordMs(h, 2);
    const seconds = MAX_POINTS * 2 + 100;
    let maxHeld = 0;
    for (let t = 1; t <= seconds; t++) {
      tl.add(0, { t, ops: 1, errors: 0, histogram: h });
      maxHeld = Math.max(maxHeld, tl.heldHistograms);
    }
    const points = tl.finish();
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points.reduce((a, p) => a + p.ops, 0)).toBe(seconds);
    expect(points.at(-1)!.t).toBe(seconds);
    expect(maxHeld).toBeLessThanOrEqual(6);
    // Points stay in time order.
    for (let i = 1; i < points.length; i++) expect(points[i]!.t).toBeGreaterThan(points[i - 1]!.t);
  });
});
