/**
 * The generator watches itself, so a report can say "the load generator was the bottleneck"
 * instead of blaming the server: event-loop delay (perf_hooks.monitorEventLoopDelay), event
 * loop utilisation of this thread, process CPU, and — open loop — how late arrivals started
 * compared with when they were due.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { createHistogram, percentileMs, recordMs, type Histogram } from './histogram.js';

/** Above these the generator, not the server, limits what was measured. */
export const SATURATION = {
  /** Share of wall time the event loop was busy. */
  eventLoopUtilization: 0.9,
  /** p99 of how late a 10 ms timer fired. */
  eventLoopDelayP99Ms: 50,
  /** p99 of (actual start − due time) of open-loop arrivals. */
  startLagP99Ms: 20,
} as const;

export interface GeneratorSample {
  /** Process CPU (all threads) as a percentage of one core over the window. */
  readonly cpuPercent: number;
  readonly eventLoopDelayP99Ms: number;
  /** 0..1 for this thread. */
  readonly eventLoopUtilization: number;
  /** Open loop only: p99 of start lag in ms (0 for closed loop). */
  readonly startLagP99Ms: number;
  readonly windowMs: number;
}

export class GeneratorMonitor {
  #delay: IntervalHistogram;
  #cpu: NodeJS.CpuUsage;
  #elu: EventLoopUtilization;
  #wallStart: number;
  readonly #lag: Histogram = createHistogram();

  constructor() {
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
    this.#cpu = process.cpuUsage();
    this.#elu = performance.eventLoopUtilization();
    this.#wallStart = performance.now();
  }

  /** Start the measured window (end of warm-up): forget what came before. */
  reset(): void {
    this.#delay.reset();
    this.#cpu = process.cpuUsage();
    this.#elu = performance.eventLoopUtilization();
    this.#wallStart = performance.now();
    this.#lag.reset();
  }

  /** An open-loop arrival started `lagMs` after it was due. */
  lag(lagMs: number): void {
    recordMs(this.#lag, lagMs);
  }

  sample(): GeneratorSample {
    const cpu = process.cpuUsage(this.#cpu);
    const windowMs = Math.max(1, performance.now() - this.#wallStart);
    const elu = performance.eventLoopUtilization(this.#elu);
    const delayP99 = this.#delay.count > 0 ? this.#delay.percentile(99) / 1e6 : 0;
    return {
      cpuPercent: round1(((cpu.user + cpu.system) / 1000 / windowMs) * 100),
      // The monitor's own 10 ms period is not delay.
      eventLoopDelayP99Ms: round1(Math.max(0, delayP99 - 10)),
      eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
      startLagP99Ms: percentileMs(this.#lag, 99),
      windowMs,
    };
  }

  stop(): void {
    this.#delay.disable();
  }
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Why the generator counts as saturated, or undefined when it kept up. */
export function saturationReason(s: Pick<GeneratorSample, 'eventLoopUtilization' | 'eventLoopDelayP99Ms' | 'startLagP99Ms'>): string | undefined {
  if (s.eventLoopUtilization >= SATURATION.eventLoopUtilization) {
    return `the generator's event loop was busy ${Math.round(s.eventLoopUtilization * 100)}% of the time`;
  }
  if (s.eventLoopDelayP99Ms >= SATURATION.eventLoopDelayP99Ms) return `the generator's event loop lagged ${s.eventLoopDelayP99Ms} ms (p99)`;
  if (s.startLagP99Ms >= SATURATION.startLagP99Ms) return `arrivals started ${s.startLagP99Ms} ms after they were due (p99)`;
  return undefined;
}
