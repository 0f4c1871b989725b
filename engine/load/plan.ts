/**
 * The shape of a run from what the user asked, with the defaults DESIGN.md promises: a rate
 * means an open loop, otherwise a closed loop; every run is bounded (10 s when neither a
 * duration, an iteration count nor ramp stages say otherwise).
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { RampStage } from './schedule.js';
import type { LoadPlan } from './types.js';

export const DEFAULT_DURATION_MS = 10_000;
/** Open loop without --concurrency: room for one second of arrivals in flight, within these bounds. */
export const OPEN_LOOP_MIN_SLOTS = 10;
export const OPEN_LOOP_MAX_SLOTS = 1000;

export interface PlanInput {
  readonly ratePerSec?: number | undefined;
  readonly stages?: readonly RampStage[];
  readonly concurrency?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly iterations?: number | undefined;
  readonly warmupMs?: number | undefined;
  readonly perSession?: number | undefined;
  readonly drainMs: number;
  /** Parts the run is split into (worker threads): each needs at least one slot. */
  readonly parts?: number;
}

export function buildPlan(x: PlanInput): LoadPlan {
  const stages = x.stages ?? [];
  const open = x.ratePerSec !== undefined || stages.length > 0;
  const startRate = x.ratePerSec ?? 0;
  if (open && startRate === 0 && stages.every((s) => s.targetRatePerSec === 0)) {
    throw new MailprobeError('ECONFIG', '--ramp never reaches a rate above zero');
  }
  const peak = Math.max(startRate, ...stages.map((s) => s.targetRatePerSec));
  const concurrency = x.concurrency ?? (open ? Math.min(OPEN_LOOP_MAX_SLOTS, Math.max(OPEN_LOOP_MIN_SLOTS, Math.ceil(peak))) : 1);
  const parts = x.parts ?? 1;
  if (concurrency < parts) throw new MailprobeError('ECONFIG', `--workers ${parts} needs --concurrency of at least ${parts} (one session per worker)`);
  const rampMs = stages.reduce((a, s) => a + s.durationMs, 0);
  const warmupMs = x.warmupMs ?? 0;
  let durationMs = x.durationMs;
  if (durationMs === undefined && x.iterations === undefined) durationMs = rampMs > 0 ? Math.max(1, rampMs - warmupMs) : DEFAULT_DURATION_MS;
  return {
    mode: open ? 'open' : 'closed',
    ratePerSec: startRate,
    stages,
    concurrency,
    durationMs,
    iterations: x.iterations,
    warmupMs,
    perSession: x.perSession ?? 1,
    drainMs: x.drainMs,
  };
}
