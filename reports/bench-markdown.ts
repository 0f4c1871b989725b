/**
 * report.bench as Markdown for CI job summaries: the run's shape, a table per metric, errors by
 * class, thresholds, and the generator warning. Pure; server text escaped.
 */
import type { BenchReport } from '../engine/report-types.js';
import { openRate } from './bench-console.js';
import { count, ms, percent, rate, thresholdActual } from './bench-format.js';
import { escapeMarkdown, escapeUnprintable } from './escape.js';

export interface BenchMarkdownOptions {
  /**
   * The run had `--insecure` (the report's `insecure`): said under the title, as every report
   * says it (DESIGN.md). Leave it out where the enclosing report already says it.
   */
  readonly insecure?: boolean;
}

/** `level`: of the title (2, `##`, as bench and merge write it; deeper inside another report's summary). */
export function renderBenchMarkdown(bench: BenchReport, level = 2, options: BenchMarkdownOptions = {}): string {
  const out: string[] = [];
  const it = bench.metrics['iteration'];
  const failed = bench.thresholds.some((t) => !t.ok);
  out.push(`${'#'.repeat(level)} ${failed ? '❌' : '✅'} mailprobe bench: ${escapeMarkdown(bench.scenario)}`, '');
  const shape = bench.mode === 'open' ? `open loop ${openRate(bench)}, up to ${bench.concurrency} in flight` : `closed loop, ${bench.concurrency} sessions`;
  const facts = [shape, `${(bench.durationMs / 1000).toFixed(1)} s measured`];
  if (bench.warmupMs > 0) facts.push(`${(bench.warmupMs / 1000).toFixed(1)} s warm-up`);
  if (bench.workers) facts.push(`${bench.workers} workers`);
  if (it) facts.push(`${count(it.count)} iterations (${rate(it.ratePerSec)}/s)`, `${count(it.errors)} errors (${percent(it.errors, it.count)})`);
  if (bench.mode === 'open') facts.push(`${count(bench.dropped)} dropped`);
  out.push(facts.join(' · '), '');
  if (options.insecure === true) out.push('> ⚠️ **Run with `--insecure`:** certificate verification was off; TLS results are not trustworthy.', '');
  out.push('| metric | count | rate/s | p50 | p90 | p99 | p99.9 | max | errors |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, m] of Object.entries(bench.metrics)) {
    const l = m.latencyMs;
    const ok = m.count - m.errors > 0;
    const cell = (v: number): string => (ok ? ms(v) : '-');
    out.push(`| \`${name}\` | ${count(m.count)} | ${rate(m.ratePerSec)} | ${cell(l.p50)} | ${cell(l.p90)} | ${cell(l.p99)} | ${cell(l.p999)} | ${cell(l.max)} | ${count(m.errors)} |`);
  }
  const classes = Object.entries(bench.errors ?? {});
  if (classes.length > 0) {
    out.push('', '| error class | count | example |', '|---|---:|---|');
    for (const [c, n] of classes) out.push(`| ${escapeMarkdown(c)} | ${count(n)} | ${escapeMarkdown(escapeUnprintable(bench.errorSamples?.[c]?.[0] ?? ''))} |`);
  }
  if (bench.thresholds.length > 0) {
    out.push('', '| threshold | result | actual |', '|---|---|---:|');
    for (const t of bench.thresholds) {
      out.push(`| \`${escapeUnprintable(t.expr).replace(/`/g, "'")}\` | ${t.ok ? '✅ pass' : '❌ fail'} | ${t.note ? escapeMarkdown(t.note) : thresholdActual(t.expr, t.actual)} |`);
    }
    if (bench.abortedBy) out.push('', `The run was stopped early: \`${escapeUnprintable(bench.abortedBy).replace(/`/g, "'")}\` was crossed (--abort-on-fail).`);
  }
  const g = bench.generator;
  out.push('', `Generator: CPU ${g.cpuPercent}%, event-loop delay p99 ${g.eventLoopDelayP99Ms} ms.`);
  if (g.saturated) out.push('', `> ⚠️ The load generator was the bottleneck (${escapeMarkdown(g.reason ?? 'saturated')}): these numbers show its limit, not the server's.`);
  return `${out.join('\n')}\n`;
}
