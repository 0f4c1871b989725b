/**
 * A distributed run's options (`--shard i/N`, `--start-at`) and the common start: every shard
 * sleeps until the agreed wall-clock instant (corrected by the measured clock offset) and
 * begins its slice of the one global schedule there, so N machines interleave like N threads.
 */
import { performance } from 'node:perf_hooks';
import { MailprobeError } from '../../drivers/errors.js';
import type { Slice } from './types.js';

/**
 * The most parts a run can be cut into (shards × worker threads): the part number is three
 * digits of every Message-ID (suites/bench/message.ts), so parts never share Message-IDs.
 */
export const MAX_PARTS = 1000;

/** A shard that is ready this long after `--start-at` still starts (late, and says so); later is an error. */
export const START_LATE_TOLERANCE_MS = 1000;

/** `--start-at` further ahead than this is a typo, not a plan. */
const MAX_START_AHEAD_MS = 24 * 3600_000;

/** `2/4` → shard 2 of 4 (0-based, like Kubernetes' JOB_COMPLETION_INDEX). */
export function parseShard(text: string): Slice {
  const m = /^\s*(\d{1,7})\s*\/\s*(\d{1,7})\s*$/.exec(text);
  if (!m) throw new MailprobeError('ECONFIG', `--shard "${text}" is not i/N (e.g. 0/4: the first of four shards)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new MailprobeError('ECONFIG', `--shard ${text}: N must be at least 1`);
  if (count > MAX_PARTS) throw new MailprobeError('ECONFIG', `--shard ${text}: at most ${MAX_PARTS} shards`);
  if (index >= count) {
    throw new MailprobeError('ECONFIG', `--shard ${text}: shards count from 0, so i is 0 to ${count - 1}`, {}, {
      hint: 'Kubernetes Indexed Jobs give 0..N-1 in JOB_COMPLETION_INDEX: --shard $(JOB_COMPLETION_INDEX)/N',
    });
  }
  return { index, count };
}

/**
 * `--start-at`: an ISO-8601 time with a zone (`2030-01-02T03:04:05Z`, `…+02:00`) or epoch
 * milliseconds. A time without a zone would mean different instants on differently configured
 * hosts, so it is refused; so are epoch seconds (a 10-digit number), a time more than
 * START_LATE_TOLERANCE_MS in the past, and one more than a day ahead.
 */
export function parseStartAt(text: string, nowMs = Date.now()): number {
  const t = text.trim();
  let ms: number;
  if (/^\d+$/.test(t)) {
    ms = Number(t);
    if (ms < 1e12) throw new MailprobeError('ECONFIG', `--start-at ${t} looks like epoch seconds; give epoch milliseconds (${t}000) or an ISO-8601 time`);
  } else {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
      throw new MailprobeError('ECONFIG', `--start-at "${t}" is not an ISO-8601 time with a zone (e.g. 2030-01-02T03:04:05Z) nor epoch milliseconds`, {}, {
        hint: 'every shard must read the same instant: date -u -d "+2 min" +%Y-%m-%dT%H:%M:%SZ',
      });
    }
    ms = Date.parse(t);
    if (!Number.isFinite(ms)) throw new MailprobeError('ECONFIG', `--start-at "${t}" is not a valid date`);
  }
  if (ms < nowMs - START_LATE_TOLERANCE_MS) {
    throw new MailprobeError('ECONFIG', `--start-at ${new Date(ms).toISOString()} has passed (${formatAgo(nowMs - ms)} ago): this shard would not start with the others`, {}, {
      hint: 'choose a start far enough ahead for every shard to be scheduled and ready',
    });
  }
  if (ms > nowMs + MAX_START_AHEAD_MS) throw new MailprobeError('ECONFIG', `--start-at ${new Date(ms).toISOString()} is more than a day ahead`);
  return ms;
}

function formatAgo(ms: number): string {
  return ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

/** Now on the absolute monotonic scale worker threads share (performance.timeOrigin + now()). */
export function nowAbs(): number {
  return performance.timeOrigin + performance.now();
}

/** Converts between the absolute monotonic scale and this host's wall clock, anchored once. */
export interface WallClock {
  /** Wall-clock epoch ms of an absolute monotonic time. */
  wallOf(abs: number): number;
  /** Absolute monotonic time at which the wall clock will read `wallMs`. */
  absOf(wallMs: number): number;
}

export function wallClock(now: { wall: number; abs: number } = { wall: Date.now(), abs: nowAbs() }): WallClock {
  const delta = now.wall - now.abs;
  return { wallOf: (abs) => abs + delta, absOf: (wallMs) => wallMs - delta };
}

export interface StartAt {
  /** The agreed start on the reference clock, epoch ms. */
  readonly epochMs: number;
  /** Reference minus local clock, ms (0 when not measured). */
  readonly clockOffsetMs: number;
}

/**
 * When this host begins the schedule: the absolute monotonic time at which its clock, corrected
 * by the offset, reads `startAt`; or now, when that instant passed less than
 * START_LATE_TOLERANCE_MS ago (setting up took long). Later than that is an ECONFIG error:
 * the shards would not run together.
 */
export function startInstant(start: StartAt, clock: WallClock = wallClock(), abs = nowAbs()): { t0Abs: number; lateMs: number } {
  const wanted = clock.absOf(start.epochMs - start.clockOffsetMs);
  const lateMs = abs - wanted;
  if (lateMs <= 0) return { t0Abs: wanted, lateMs: 0 };
  if (lateMs > START_LATE_TOLERANCE_MS) {
    throw new MailprobeError('ECONFIG', `--start-at ${new Date(start.epochMs).toISOString()} passed ${(lateMs / 1000).toFixed(1)} s before this shard was ready to start (at most ${START_LATE_TOLERANCE_MS / 1000} s late is accepted)`, {}, {
      hint: 'choose a start further ahead: every shard must be scheduled, connected and ready by then',
    });
  }
  return { t0Abs: abs, lateMs: Math.round(lateMs) };
}
