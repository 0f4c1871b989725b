/**
 * The open-loop arrival loop: arrival i is due at t0 + schedule.offsetMs(i). The loop sleeps
 * until the next due time, then hands every arrival that is due by now to `arrive` with its
 * own due time (after a late wake-up several are due at once: each keeps its scheduled time,
 * so latency measured from it includes the lateness). It never waits for a slot: `arrive`
 * returns false when none is free and the arrival is counted as dropped (k6's
 * dropped_iterations), never queued.
 */
import type { Clock } from './clock.js';
import type { ArrivalSchedule } from './schedule.js';

export interface ArrivalLoopOptions {
  readonly clock: Clock;
  readonly schedule: ArrivalSchedule;
  /** Absolute clock time of offset 0. */
  readonly t0: number;
  /** This slice's first global index and stride (shard k of n: first k, step n). */
  readonly first: number;
  readonly step: number;
  /** Stop before arrival i due at `due` (end of the run, arrival budget spent). */
  readonly stopBefore: (i: number, due: number) => boolean;
  /** Start the arrival if a slot is free; false = dropped. */
  readonly arrive: (i: number, due: number) => boolean;
  /** Called for each dropped arrival. */
  readonly dropped: (i: number, due: number) => void;
  readonly signal?: AbortSignal;
}

export interface ArrivalLoopResult {
  /** Arrivals handed out (started + dropped). */
  readonly arrivals: number;
  readonly dropped: number;
  /** Global index of the first arrival not made. */
  readonly next: number;
}

/**
 * Arrivals started back to back before the loop yields to I/O: a generator that cannot keep up
 * (a rate far beyond capacity) still lets sessions progress and the stop signal through.
 */
const MAX_BURST = 256;

export async function runArrivals(o: ArrivalLoopOptions): Promise<ArrivalLoopResult> {
  let i = o.first;
  let arrivals = 0;
  let dropped = 0;
  let burst = 0;
  for (;;) {
    if (o.signal?.aborted) break;
    const due = o.t0 + o.schedule.offsetMs(i);
    if (!Number.isFinite(due) || o.stopBefore(i, due)) break;
    const now = o.clock.now();
    if (due > now || burst >= MAX_BURST) {
      burst = 0;
      await o.clock.sleep(due - now, o.signal);
      continue;
    }
    burst++;
    arrivals++;
    if (!o.arrive(i, due)) {
      dropped++;
      o.dropped(i, due);
    }
    i += o.step;
  }
  return { arrivals, dropped, next: i };
}
