/**
 * The counters of one thread's run besides the histograms (a Stats object instead of loose
 * `let`s, STYLE.md §4): arrivals, drops, interruptions and errors by class with the first
 * message seen for each class, so a report can say *what* failed.
 */
import { classifyError, ERROR_CLASSES, type ErrorClass } from './classify.js';

/** Distinct error messages kept per class (bounded whatever the run length). */
const MAX_SAMPLES = 3;
const MAX_SAMPLE_LENGTH = 300;

export class RunStats {
  arrivals = 0;
  dropped = 0;
  /** Iterations cut off by an abort or the end of the drain period: neither ok nor errors. */
  interrupted = 0;
  readonly errors = new Map<ErrorClass, number>();
  readonly samples = new Map<ErrorClass, string[]>();

  /** Count a failure; returns its class. */
  error(err: unknown): ErrorClass {
    const c = classifyError(err);
    this.errors.set(c, (this.errors.get(c) ?? 0) + 1);
    const list = this.samples.get(c) ?? [];
    if (list.length < MAX_SAMPLES) {
      const text = (err instanceof Error ? err.message : String(err)).slice(0, MAX_SAMPLE_LENGTH);
      if (!list.includes(text)) list.push(text);
      this.samples.set(c, list);
    }
    return c;
  }

  errorCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of ERROR_CLASSES) {
      const n = this.errors.get(c);
      if (n) out[c] = n;
    }
    return out;
  }

  errorSamples(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of ERROR_CLASSES) {
      const s = this.samples.get(c);
      if (s && s.length > 0) out[c] = [...s];
    }
    return out;
  }
}
