/**
 * When each arrival of an open-loop run is due, as an offset from the run's start t0: a pure
 * function of the arrival index, so the schedule is absolute (arrival i is due at t0 + offset(i)
 * however late the previous one started: no drift, k6's `period*i` rule) and shards can take
 * disjoint indices of one global schedule.
 */
import { MailprobeError } from '../../drivers/errors.js';

/** A ramp stage: the rate moves linearly to `targetRatePerSec` over `durationMs`. */
export interface RampStage {
  readonly durationMs: number;
  readonly targetRatePerSec: number;
}

export interface ArrivalSchedule {
  /** Offset in ms from t0 of arrival `i` (0-based), or Infinity when it never comes. */
  offsetMs(i: number): number;
}

/** Arrival i at i / rate seconds. */
export function constantSchedule(ratePerSec: number): ArrivalSchedule {
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new MailprobeError('ECONFIG', `rate must be a positive number, got ${ratePerSec}`);
  // One division per arrival (not i × a rounded period): exact to the last bit for every i.
  return { offsetMs: (i) => (i * 1000) / ratePerSec };
}

interface Segment {
  /** Offset of the segment start, ms. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Arrivals (fractional) before the segment. */
  readonly before: number;
  readonly fromRate: number;
  readonly toRate: number;
}

/**
 * Start at `startRatePerSec`, then follow the stages (linear change of rate within each), then
 * hold the last rate. Arrival i comes when the integral of the rate reaches i: within a stage
 * with rate r(t) = r0 + (r1 - r0)·t/D, N(t) = r0·t + (r1 - r0)·t²/(2D), solved for t.
 */
export function rampSchedule(startRatePerSec: number, stages: readonly RampStage[]): ArrivalSchedule {
  if (!(startRatePerSec >= 0)) throw new MailprobeError('ECONFIG', `start rate must be zero or more, got ${startRatePerSec}`);
  const segments: Segment[] = [];
  let rate = startRatePerSec;
  let startMs = 0;
  let before = 0;
  for (const s of stages) {
    if (!(s.durationMs > 0) || !(s.targetRatePerSec >= 0)) throw new MailprobeError('ECONFIG', 'a ramp stage needs a positive duration and a rate of zero or more');
    segments.push({ startMs, durationMs: s.durationMs, before, fromRate: rate, toRate: s.targetRatePerSec });
    before += ((rate + s.targetRatePerSec) / 2) * (s.durationMs / 1000);
    startMs += s.durationMs;
    rate = s.targetRatePerSec;
  }
  const tail = { startMs, before, rate };
  return {
    offsetMs(i) {
      for (const seg of segments) {
        const inStage = ((seg.fromRate + seg.toRate) / 2) * (seg.durationMs / 1000);
        if (i < seg.before + inStage) return seg.startMs + solveStage(seg, i - seg.before);
      }
      if (tail.rate <= 0) return Infinity;
      return tail.startMs + ((i - tail.before) / tail.rate) * 1000;
    },
  };
}

/** Time in ms into the stage at which n arrivals (fractional) have accumulated. */
function solveStage(seg: Segment, n: number): number {
  const d = seg.durationMs / 1000;
  const r0 = seg.fromRate;
  const slope = (seg.toRate - r0) / d;
  if (Math.abs(slope) < 1e-12) return (n / r0) * 1000;
  // slope/2·t² + r0·t − n = 0; the root in [0, d].
  const disc = r0 * r0 + 2 * slope * n;
  const t = (-r0 + Math.sqrt(Math.max(0, disc))) / slope;
  return Math.min(Math.max(t, 0), d) * 1000;
}

/** The first arrival index due at or after `offsetMs` (binary search on the monotone schedule). */
export function firstIndexAtOrAfter(schedule: ArrivalSchedule, offsetMs: number): number {
  if (offsetMs <= 0) return 0;
  let hi = 1;
  while (schedule.offsetMs(hi) < offsetMs && hi < 2 ** 40) hi *= 2;
  let lo = 0;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (schedule.offsetMs(mid) < offsetMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
