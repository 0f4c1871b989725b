/**
 * The console view of a bench run (report.bench): a live line per second while it runs, and
 * at the end a table per metric (count, rate, p50, p90, p99, p99.9, max, errors), errors by
 * class with what they said, thresholds, and a warning when the generator was the bottleneck.
 * Pure: returns text; colour only when asked; server text escaped.
 */
import type { BenchReport, TimelinePoint } from '../engine/report-types.js';
import { count, ms, percent, rate, thresholdActual } from './bench-format.js';
import { chalkFor } from './console-colors.js';
import { escapeUnprintable } from './escape.js';

export interface BenchConsoleOptions {
  readonly color: boolean;
}

export interface ProgressOptions extends BenchConsoleOptions {
  /** Measured seconds planned (for a progress share), if the run is bounded by time. */
  readonly plannedSeconds?: number;
}

/** `  12 s   1,234/s   errors 0   p50 1.20 ms   p99 3.40 ms   40%` */
export function renderBenchProgress(p: TimelinePoint, options: ProgressOptions): string {
  const chalk = chalkFor(options.color);
  const errors = p.errors > 0 ? chalk.red(`errors ${count(p.errors)}`) : `errors 0`;
  const share = options.plannedSeconds ? `   ${Math.min(100, Math.round((p.t / options.plannedSeconds) * 100))}%` : '';
  return `${String(p.t).padStart(5)} s   ${rate(p.ops).padStart(8)}/s   ${errors}   p50 ${ms(p.p50Ms)}   p99 ${ms(p.p99Ms)}${share}`;
}

const COLUMNS = ['metric', 'count', 'rate/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors'] as const;

export function renderBenchConsole(bench: BenchReport, options: BenchConsoleOptions): string {
  const chalk = chalkFor(options.color);
  const out: string[] = [];
  const it = bench.metrics['iteration'];
  const shape =
    bench.mode === 'open'
      ? `open loop ${openRate(bench)} (up to ${bench.concurrency} in flight)`
      : `closed loop, ${bench.concurrency} ${bench.concurrency === 1 ? 'session' : 'sessions'}`;
  const workers = bench.workers ? `, ${bench.workers} workers` : '';
  out.push(`${chalk.bold(`bench ${bench.scenario}`)}: ${shape}${workers}, ${(bench.durationMs / 1000).toFixed(1)} s measured${bench.warmupMs > 0 ? ` after ${(bench.warmupMs / 1000).toFixed(1)} s warm-up` : ''}`);
  if (it) {
    const errs = it.errors > 0 ? chalk.red(`${count(it.errors)} errors (${percent(it.errors, it.count)})`) : '0 errors';
    const dropped = bench.mode === 'open' ? `, ${bench.dropped > 0 ? chalk.yellow(`${count(bench.dropped)} dropped`) : '0 dropped'}` : '';
    const interrupted = bench.interrupted ? `, ${count(bench.interrupted)} cut off at the end` : '';
    out.push(`${count(it.count)} iterations (${rate(it.ratePerSec)}/s), ${errs}${dropped}${interrupted}`);
  }
  out.push('', ...table(bench));
  const classes = Object.entries(bench.errors ?? {});
  if (classes.length > 0) {
    out.push('', 'errors by class:');
    for (const [c, n] of classes) {
      const sample = bench.errorSamples?.[c]?.[0];
      out.push(`  ${chalk.red(c.padEnd(9))} ${count(n).padStart(8)}${sample ? `  ${escapeUnprintable(sample)}` : ''}`);
    }
  }
  if (bench.thresholds.length > 0) {
    out.push('', 'thresholds:');
    for (const t of bench.thresholds) {
      const mark = t.ok ? chalk.green('PASS') : chalk.red('FAIL');
      const note = t.note ? ` (${t.note})` : ` (actual ${thresholdActual(t.expr, t.actual)})`;
      out.push(`  ${mark}  ${escapeUnprintable(t.expr)}${note}`);
    }
    if (bench.abortedBy) out.push(chalk.red(`  the run was stopped early: ${escapeUnprintable(bench.abortedBy)} was crossed (--abort-on-fail)`));
  }
  out.push('', generatorLine(bench, chalk));
  return `${out.join('\n')}\n`;
}

/** `at 200/s`, or for a ramp `ramping 0 → 100/s (10 s) → 200/s (30 s)`. */
export function openRate(bench: BenchReport): string {
  if (!bench.stages || bench.stages.length === 0) return `at ${rate(bench.ratePerSec)}/s`;
  return `ramping ${rate(bench.ratePerSec)}/s${bench.stages.map((s) => ` → ${rate(s.ratePerSec)}/s (${(s.durationMs / 1000).toFixed(1)} s)`).join('')}`;
}

function table(bench: BenchReport): string[] {
  const rows: string[][] = [[...COLUMNS]];
  for (const [name, m] of Object.entries(bench.metrics)) {
    const l = m.latencyMs;
    const ok = m.count - m.errors > 0;
    const cell = (v: number): string => (ok ? ms(v) : '-');
    rows.push([name, count(m.count), rate(m.ratePerSec), cell(l.p50), cell(l.p90), cell(l.p99), cell(l.p999), cell(l.max), m.errors > 0 ? count(m.errors) : '0']);
  }
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

function generatorLine(bench: BenchReport, chalk: ReturnType<typeof chalkFor>): string {
  const g = bench.generator;
  const base = `generator: CPU ${g.cpuPercent}%, event-loop delay p99 ${g.eventLoopDelayP99Ms} ms${g.eventLoopUtilization === undefined ? '' : `, busy ${Math.round(g.eventLoopUtilization * 100)}%`}`;
  if (!g.saturated) return base;
  return `${base}\n${chalk.yellow(`warning: the load generator was the bottleneck (${g.reason ?? 'saturated'}): these numbers show its limit, not the server's; use --workers or a smaller load`)}`;
}
