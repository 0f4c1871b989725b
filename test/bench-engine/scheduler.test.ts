import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../engine/load/clock.js';
import { runArrivals } from '../../engine/load/scheduler.js';
import { constantSchedule, firstIndexAtOrAfter, rampSchedule } from '../../engine/load/schedule.js';

/** A clock whose sleeps overshoot by `lateMs` (a busy event loop). */
class LateClock implements Clock {
  t = 0;
  constructor(readonly lateMs: number) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms) + this.lateMs;
  }
}

async function collect(o: { clock: Clock; rate: number; durationMs: number; slots?: number; first?: number; step?: number; t0?: number }) {
  const due: number[] = [];
  const started: number[] = [];
  const droppedAt: number[] = [];
  let free = o.slots ?? Infinity;
  const t0 = o.t0 ?? 0;
  const result = await runArrivals({
    clock: o.clock,
    schedule: constantSchedule(o.rate),
    t0,
    first: o.first ?? 0,
    step: o.step ?? 1,
    stopBefore: (_i, d) => d >= t0 + o.durationMs,
    arrive: (i, d) => {
      due.push(d);
      started.push(o.clock.now());
      if (free <= 0) return false;
      free--;
      return true;
    },
    dropped: (_i, d) => droppedAt.push(d),
  });
  return { due, started, droppedAt, result };
}

describe('open-loop arrival scheduler (injected clock)', () => {
  it('makes arrival i due at exactly t0 + i/rate', async () => {
    const { due, result } = await collect({ clock: new ManualClock(1000), rate: 4, durationMs: 2000, t0: 1000 });
    expect(due).toEqual([1000, 1250, 1500, 1750, 2000, 2250, 2500, 2750]);
    expect(result).toEqual({ arrivals: 8, dropped: 0, next: 8 });
  });

  it('handles fractional periods without accumulating error (rate 3/s)', async () => {
    const { due } = await collect({ clock: new ManualClock(), rate: 3, durationMs: 10_000 });
    expect(due).toHaveLength(30);
    due.forEach((d, i) => expect(d).toBe((i * 1000) / 3));
  });

  it('does not drift when wake-ups are late: due times stay on the absolute schedule', async () => {
    const clock = new LateClock(7);
    const { due, started } = await collect({ clock, rate: 100, durationMs: 1000 });
    expect(due).toHaveLength(100);
    due.forEach((d, i) => expect(d).toBeCloseTo(i * 10, 9));
    // Every arrival starts at or after its due time, and never more than one late wake-up behind.
    started.forEach((s, i) => {
      expect(s).toBeGreaterThanOrEqual(due[i]!);
      expect(s - due[i]!).toBeLessThanOrEqual(7 + 10);
    });
  });

  it('hands several arrivals out at once after a long stall, each with its own due time', async () => {
    const clock = new LateClock(95);
    const { due, started } = await collect({ clock, rate: 100, durationMs: 500 });
    expect(due).toHaveLength(50);
    // Catch-up batches: many arrivals share one start time, yet their due times differ.
    expect(new Set(started).size).toBeLessThan(20);
    expect(new Set(due).size).toBe(50);
  });

  it('counts an arrival as dropped when no slot is free, and never queues it', async () => {
    const { due, droppedAt, result } = await collect({ clock: new ManualClock(), rate: 10, durationMs: 1000, slots: 3 });
    expect(due).toHaveLength(10);
    expect(result.arrivals).toBe(10);
    expect(result.dropped).toBe(7);
    expect(droppedAt).toEqual([300, 400, 500, 600, 700, 800, 900]);
  });

  it('splits one schedule into disjoint interleaved slices', async () => {
    const a = await collect({ clock: new ManualClock(), rate: 10, durationMs: 1000, first: 0, step: 2 });
    const b = await collect({ clock: new ManualClock(), rate: 10, durationMs: 1000, first: 1, step: 2 });
    expect(a.due).toEqual([0, 200, 400, 600, 800]);
    expect(b.due).toEqual([100, 300, 500, 700, 900]);
  });

  it('stops at once when its signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runArrivals({
      clock: new ManualClock(),
      schedule: constantSchedule(1000),
      t0: 0,
      first: 0,
      step: 1,
      signal: ac.signal,
      stopBefore: () => false,
      arrive: () => true,
      dropped: () => {},
    });
    expect(r.arrivals).toBe(0);
  });
});

describe('arrival schedules', () => {
  it('ramps linearly: 0 → 10/s over 1 s puts arrival i at sqrt(i/5) s', () => {
    const s = rampSchedule(0, [{ durationMs: 1000, targetRatePerSec: 10 }]);
    for (let i = 0; i <= 5; i++) expect(s.offsetMs(i)).toBeCloseTo(Math.sqrt(i / 5) * 1000, 6);
    // After the ramp the last rate holds: 5 arrivals in the ramp, then one every 100 ms.
    expect(s.offsetMs(5)).toBeCloseTo(1000, 6);
    expect(s.offsetMs(6)).toBeCloseTo(1100, 6);
  });

  it('ramps down and ends when the rate reaches zero', () => {
    const s = rampSchedule(10, [{ durationMs: 1000, targetRatePerSec: 0 }]);
    expect(s.offsetMs(0)).toBe(0);
    expect(s.offsetMs(4)).toBeGreaterThan(s.offsetMs(3));
    expect(s.offsetMs(5)).toBe(Infinity);
  });

  it('finds the first arrival of the measured window', () => {
    expect(firstIndexAtOrAfter(constantSchedule(10), 0)).toBe(0);
    expect(firstIndexAtOrAfter(constantSchedule(10), 1000)).toBe(10);
    expect(firstIndexAtOrAfter(constantSchedule(10), 1001)).toBe(11);
  });
});
