/**
 * The timeline of a merged report: each input's points moved to absolute time (the input's
 * `measuredFrom`, as whole seconds from the earliest input's) and summed per second.
 *
 * Exact when every point carries its interval histogram (`hdr`: shard reports do): the
 * histograms of a second are added and p50/p99 read from the sum, through the same Timeline
 * that caps a run's points. Otherwise p50 is weighted by successes and p99 is the largest,
 * and the result says it is approximate.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { TimelinePoint } from '../report-types.js';
import { createHistogram } from './histogram.js';
import { addChecked } from './merge-histograms.js';
import { Timeline } from './timeline.js';

export interface TimelineInput {
  readonly file: string;
  readonly points: readonly TimelinePoint[];
  /** Whole seconds from the earliest input's measured start to this one's. */
  readonly offsetS: number;
}

export interface MergedTimeline {
  readonly points: TimelinePoint[];
  /** Percentiles recomputed from added histograms (every point had one). */
  readonly exact: boolean;
}

/** Seconds a point of `points` covers: 1, or 2, 4, … once a long run's timeline was coarsened. */
function widthOf(points: readonly TimelinePoint[]): number {
  const a = points[0];
  const b = points[1];
  return a !== undefined && b !== undefined && b.t > a.t ? b.t - a.t : 1;
}

export function mergeTimelines(inputs: readonly TimelineInput[]): MergedTimeline {
  const width = Math.max(1, ...inputs.map((i) => widthOf(i.points)));
  const exact = inputs.every((i) => i.points.every((p) => p.hdr !== undefined));
  const key = (t: number, offsetS: number): number => Math.ceil((t + offsetS) / width) * width;
  const last = Math.max(0, ...inputs.flatMap((i) => i.points.map((p) => key(p.t, i.offsetS))));
  if (exact) return { points: exactPoints(inputs, width, last, key), exact };
  return { points: approximatePoints(inputs, width, last, key), exact };
}

/**
 * Second by second, in time order: one histogram sums a second's points from every input and
 * goes into the Timeline, so memory stays a few histograms however long the run.
 */
function exactPoints(inputs: readonly TimelineInput[], width: number, last: number, key: (t: number, o: number) => number): TimelinePoint[] {
  const sorted = inputs.map((i) => [...i.points.entries()].sort(([, a], [, b]) => a.t - b.t));
  const cursors = inputs.map(() => 0);
  const second = createHistogram();
  // One source fed in time order: the Timeline computes the points, keeps their histograms
  // (the merged report stays mergeable) and caps their number as a run's timeline does.
  const timeline = new Timeline(1, undefined, { histograms: true });
  for (let t = width; t <= last; t += width) {
    second.reset();
    let ops = 0;
    let errors = 0;
    inputs.forEach((input, n) => {
      const points = sorted[n]!;
      for (; cursors[n]! < points.length; cursors[n]!++) {
        const [at, p] = points[cursors[n]!]!;
        if (key(p.t, input.offsetS) > t) break;
        ops += p.ops;
        errors += p.errors;
        addChecked(second, p.hdr!, `${input.file}: bench.timeline[${at}].hdr`);
      }
    });
    timeline.addCounts(0, t, ops, errors, (h) => h.add(second));
  }
  return timeline.finish();
}

function approximatePoints(inputs: readonly TimelineInput[], width: number, last: number, key: (t: number, o: number) => number): TimelinePoint[] {
  const buckets = new Map<number, { ops: number; errors: number; p50Weighted: number; successes: number; p99: number }>();
  for (const input of inputs) {
    for (const p of input.points) {
      const k = key(p.t, input.offsetS);
      const b = buckets.get(k) ?? { ops: 0, errors: 0, p50Weighted: 0, successes: 0, p99: 0 };
      const ok = p.ops - p.errors;
      if (ok < 0) throw new MailprobeError('ECONFIG', `${input.file}: a timeline point at t=${p.t} has more errors than operations`);
      b.ops += p.ops;
      b.errors += p.errors;
      b.p50Weighted += p.p50Ms * ok;
      b.successes += ok;
      b.p99 = Math.max(b.p99, p.p99Ms);
      buckets.set(k, b);
    }
  }
  const out: TimelinePoint[] = [];
  for (let t = width; t <= last; t += width) {
    const b = buckets.get(t);
    const p50 = b && b.successes > 0 ? Math.round((b.p50Weighted / b.successes) * 1000) / 1000 : 0;
    out.push({ t, ops: b?.ops ?? 0, errors: b?.errors ?? 0, p50Ms: p50, p99Ms: b?.p99 ?? 0 });
  }
  return out;
}
