/**
 * The per-second timeline. Each thread runs a TimelineRecorder: one second at a time, it counts
 * the iterations that completed (and failed) and records their latencies into ONE interval
 * histogram, handed out as a tick when the second is over and then reset. A Timeline collects
 * the ticks of every source (one per worker thread), merges the seconds all sources have
 * reported, and keeps the points.
 *
 * Memory does not grow with duration: a recorder holds one histogram; a Timeline holds at most
 * MAX_POINTS points, and when it is full it halves its resolution (pairs of points merged:
 * counts added, p50 weighted by ops, p99 the larger) and from then on aggregates 2, 4, …
 * seconds per point.
 *
 * With `histograms` (shard reports), each point also keeps its interval histogram, encoded
 * (`hdr`): merged reports add them second by second, and halving merges them exactly. That
 * costs a decode and an encode per pair (≈ 0.5 s for a full store), too long to block the
 * event loop that times the arrivals, so halving goes a few pairs per stored point: the new
 * coarser points are appended meanwhile, and finish() completes what is left.
 */
import { createHistogram, decodeHistogram, encodeHistogram, mergeEncoded, percentileMs, recordMs, type Histogram } from './histogram.js';
import type { TimelinePoint } from '../report-types.js';

export const MAX_POINTS = 3600;

/** Pairs of old points merged per point stored while a halving is under way. */
const HALVING_PAIRS_PER_STEP = 8;

/** One second of one source: `t` is the second's end (1 = the first measured second). */
export interface Tick {
  readonly t: number;
  readonly ops: number;
  readonly errors: number;
  /** Latencies of the second; valid only during the callback (it is reset afterwards). */
  readonly histogram: Histogram;
}

export class TimelineRecorder {
  readonly #measureFrom: number;
  readonly #onTick: (tick: Tick) => void;
  readonly #histogram = createHistogram();
  /** Index of the open second (0-based) */
  #second = 0;
  #ops = 0;
  #errors = 0;
  #finished = false;

  constructor(measureFrom: number, onTick: (tick: Tick) => void) {
    this.#measureFrom = measureFrom;
    this.#onTick = onTick;
  }

  /** An iteration that started at `startedAt` ended at `endedAt` after `latencyMs`. */
  record(startedAt: number, endedAt: number, latencyMs: number, ok: boolean): void {
    if (startedAt < this.#measureFrom || this.#finished) return;
    this.flushUntil(endedAt);
    this.#ops++;
    if (ok) recordMs(this.#histogram, latencyMs);
    else this.#errors++;
  }

  /** Close every second that ended by `now` (a periodic timer calls this so idle seconds show). */
  flushUntil(now: number): void {
    if (this.#finished) return;
    const second = Math.floor((now - this.#measureFrom) / 1000);
    while (this.#second < second) this.#emit();
  }

  /** Close the last (possibly partial) second at `now`; nothing is recorded afterwards. */
  finish(now: number): void {
    if (this.#finished) return;
    this.flushUntil(now);
    if (now > this.#measureFrom + this.#second * 1000 && (this.#ops > 0 || this.#second === 0)) this.#emit();
    this.#finished = true;
  }

  #emit(): void {
    this.#second++;
    this.#onTick({ t: this.#second, ops: this.#ops, errors: this.#errors, histogram: this.#histogram });
    this.#ops = 0;
    this.#errors = 0;
    this.#histogram.reset();
  }
}

interface Pending {
  ops: number;
  errors: number;
  readonly histogram: Histogram;
}

/**
 * Points from `sources` recorders (numbered 0..sources-1). A second is final when every source
 * has reported it or has finished (a source's ticks arrive in order, so "reported up to t"
 * is one number per source); final points go to `onPoint` (live console) and into the capped
 * store.
 */
export class Timeline {
  /** Per source: the last second reported, or Infinity once it finished. */
  readonly #reported: number[];
  readonly #onPoint: ((p: TimelinePoint) => void) | undefined;
  readonly #pending = new Map<number, Pending>();
  readonly #spare: Histogram[] = [];
  readonly #points: TimelinePoint[] = [];
  /** Seconds per stored point (doubles when the store is full). */
  #width = 1;
  #wide: { t: number; ops: number; errors: number; seconds: number; histogram: Histogram } | undefined;
  #lastFinal = 0;
  readonly #keepHistograms: boolean;
  /** A halving under way: the points before it, how far they have been paired, the pairs so far. */
  #halving: { readonly old: readonly TimelinePoint[]; cursor: number; readonly merged: TimelinePoint[] } | undefined;

  constructor(sources = 1, onPoint?: (p: TimelinePoint) => void, options: { readonly histograms?: boolean } = {}) {
    this.#reported = Array.from({ length: sources }, () => 0);
    this.#onPoint = onPoint;
    this.#keepHistograms = options.histograms === true;
  }

  /** A tick of `source`; the histogram is merged before this returns. */
  add(source: number, tick: Tick): void {
    this.addCounts(source, tick.t, tick.ops, tick.errors, (h) => h.add(tick.histogram));
  }

  /** The same, for a tick whose histogram arrives in another form (encoded from a worker). */
  addCounts(source: number, t: number, ops: number, errors: number, mergeInto: (h: Histogram) => void): void {
    if (t > this.#lastFinal) {
      let p = this.#pending.get(t);
      if (p === undefined) {
        p = { ops: 0, errors: 0, histogram: this.#spare.pop() ?? createHistogram() };
        this.#pending.set(t, p);
      }
      p.ops += ops;
      p.errors += errors;
      mergeInto(p.histogram);
    }
    this.#reported[source] = Math.max(this.#reported[source] ?? 0, t);
    this.#settle();
  }

  /** `source` ended: it will send no more ticks. */
  sourceFinished(source: number): void {
    this.#reported[source] = Infinity;
    this.#settle();
  }

  /** Finalise whatever is pending (end of run) and return the points. */
  finish(): TimelinePoint[] {
    this.#reported.fill(Infinity);
    this.#settle();
    if (this.#wide !== undefined) this.#flushWide();
    this.#completeHalving();
    return [...this.#points];
  }

  /** The points so far (a copy while a halving is under way). */
  get points(): readonly TimelinePoint[] {
    const h = this.#halving;
    return h === undefined ? this.#points : [...h.merged, ...h.old.slice(h.cursor), ...this.#points];
  }

  /** Interval histograms held (pending seconds + spares + the wide accumulator): bounded. */
  get heldHistograms(): number {
    return this.#pending.size + this.#spare.length + (this.#wide === undefined ? 0 : 1);
  }

  #settle(): void {
    if (this.#pending.size === 0) return;
    const upTo = Math.min(...this.#reported);
    const ready = [...this.#pending.keys()].filter((t) => t <= upTo).sort((a, b) => a - b);
    for (const t of ready) {
      const p = this.#pending.get(t)!;
      this.#pending.delete(t);
      // Seconds nobody reported (no source was alive) stay gaps only at the very end.
      const point = this.#point(t, p.ops, p.errors, p.histogram);
      this.#lastFinal = t;
      this.#onPoint?.(point);
      this.#store(point, p.histogram);
      p.histogram.reset();
      if (this.#spare.length < 4) this.#spare.push(p.histogram);
    }
  }

  #store(point: TimelinePoint, histogram: Histogram): void {
    this.#stepHalving(HALVING_PAIRS_PER_STEP);
    if (this.#width === 1) {
      this.#points.push(point);
      if (this.#held() >= MAX_POINTS) this.#startHalving();
      return;
    }
    const w = (this.#wide ??= { t: point.t, ops: 0, errors: 0, seconds: 0, histogram: createHistogram() });
    w.t = point.t;
    w.ops += point.ops;
    w.errors += point.errors;
    w.seconds++;
    w.histogram.add(histogram);
    if (w.seconds >= this.#width) this.#flushWide();
  }

  #flushWide(): void {
    const w = this.#wide!;
    if (w.seconds > 0) this.#points.push(this.#point(w.t, w.ops, w.errors, w.histogram));
    w.ops = 0;
    w.errors = 0;
    w.seconds = 0;
    w.histogram.reset();
    if (this.#held() >= MAX_POINTS) this.#startHalving();
  }

  #held(): number {
    const h = this.#halving;
    return this.#points.length + (h === undefined ? 0 : h.merged.length + h.old.length - h.cursor);
  }

  #point(t: number, ops: number, errors: number, histogram: Histogram): TimelinePoint {
    const point = { t, ops, errors, p50Ms: percentileMs(histogram, 50), p99Ms: percentileMs(histogram, 99) };
    return this.#keepHistograms ? { ...point, hdr: encodeHistogram(histogram) } : point;
  }

  /** Pair up the points so far (a few at a time, #stepHalving) and double the width of points to come. */
  #startHalving(): void {
    // One at a time (a store cannot fill up again before a halving ends; this is a guard).
    while (this.#halving !== undefined) this.#stepHalving(Infinity);
    this.#halving = { old: this.#points.splice(0), cursor: 0, merged: [] };
    this.#width *= 2;
  }

  /** End of run: finish the halving under way, and halve once more if the store is still full. */
  #completeHalving(): void {
    while (this.#halving !== undefined) this.#stepHalving(Infinity);
    if (this.#points.length < MAX_POINTS) return;
    this.#startHalving();
    while (this.#halving !== undefined) this.#stepHalving(Infinity);
  }

  /**
   * Merge up to `pairs` neighbouring old points: exactly when the points hold their histograms,
   * else p50 weighted by successes and p99 the larger.
   */
  #stepHalving(pairs: number): void {
    const h = this.#halving;
    if (h === undefined) return;
    for (let n = 0; n < pairs && h.cursor < h.old.length; n++, h.cursor += 2) {
      const a = h.old[h.cursor]!;
      const b = h.old[h.cursor + 1];
      h.merged.push(b === undefined ? a : this.#pair(a, b));
    }
    if (h.cursor >= h.old.length) {
      this.#points.unshift(...h.merged);
      this.#halving = undefined;
    }
  }

  #pair(a: TimelinePoint, b: TimelinePoint): TimelinePoint {
    if (a.hdr !== undefined && b.hdr !== undefined) {
      const h = decodeHistogram(a.hdr);
      mergeEncoded(h, b.hdr);
      const point = this.#point(b.t, a.ops + b.ops, a.errors + b.errors, h);
      h.destroy();
      return point;
    }
    const okA = a.ops - a.errors;
    const okB = b.ops - b.errors;
    const p50 = okA + okB > 0 ? (a.p50Ms * okA + b.p50Ms * okB) / (okA + okB) : 0;
    return { t: b.t, ops: a.ops + b.ops, errors: a.errors + b.errors, p50Ms: Math.round(p50 * 1000) / 1000, p99Ms: Math.max(a.p99Ms, b.p99Ms) };
  }
}
