/**
 * The time source of a load run, injected so the scheduler can be tested with exact numbers
 * (STYLE.md §3.9: tinybench's `now` option). Milliseconds, monotonic.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /**
   * Resolve after about `ms` milliseconds, or at once when `signal` is aborted. The scheduler
   * never trusts the wake-up time: it reads now() again and works from the absolute schedule.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A clock for tests: time only moves when someone sleeps (the sleeper is woken at exactly the
 * time it asked for) or calls advance().
 */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = 0) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.#now += Math.max(0, ms);
  }
}
