/**
 * The parts of a merged bench report (`mailprobe merge`) the bench renderers do not show: one
 * line per shard (host, iterations, errors, drops, clock, generator) and the merge's notes
 * (missing shards, late starts, clocks, approximations). Console and Markdown; pure; host
 * names and notes escaped. The HTML report (reports/html/shards.ts) renders the same cells.
 */
import type { BenchReport, ClockReport, MergedShardReport } from '../engine/report-types.js';
import { count } from './bench-format.js';
import { chalkFor } from './console-colors.js';
import { escapeMarkdown, escapeUnprintable } from './escape.js';

export const SHARD_COLUMNS = ['shard', 'host', 'iterations', 'errors', 'dropped', 'measured', 'clock', 'generator'] as const;

/** `+12 ms`, `-3 ms, 40 ms late`; `unmeasured` (`-`) in place of an offset that was not measured. */
export function clockText(clock: ClockReport | undefined, unmeasured = '-'): string {
  const offset = clock?.offsetMs === null || clock === undefined ? unmeasured : `${clock.offsetMs >= 0 ? '+' : ''}${clock.offsetMs} ms`;
  const late = clock?.startLateMs ? `, ${clock.startLateMs} ms late` : '';
  return `${offset}${late}`;
}

/** One input of a merge as the cells of {@link SHARD_COLUMNS}, controls made visible. */
export function shardCells(s: MergedShardReport): string[] {
  const name = s.shard ? `${s.shard.index}/${s.shard.count}` : s.file;
  const generator = s.generator.saturated ? 'SATURATED' : `ok (CPU ${s.generator.cpuPercent}%)`;
  return [
    escapeUnprintable(name),
    escapeUnprintable(s.shard?.host ?? '-'),
    count(s.iterations),
    count(s.errors),
    count(s.dropped),
    `${(s.durationMs / 1000).toFixed(1)} s${s.partial ? ' (interrupted)' : ''}`,
    clockText(s.clock),
    generator,
  ];
}

/** Empty when the report is not a merge. */
export function renderShardsConsole(bench: BenchReport, options: { readonly color: boolean }): string {
  const shards = bench.shards ?? [];
  if (shards.length === 0 && (bench.notes ?? []).length === 0) return '';
  const chalk = chalkFor(options.color);
  const out: string[] = [];
  if (shards.length > 0) {
    const rows = [[...SHARD_COLUMNS], ...shards.map(shardCells)];
    const widths = SHARD_COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    out.push(`merged from ${shards.length} ${shards.length === 1 ? 'report' : 'reports'}:`);
    rows.forEach((r, n) => {
      const line = r.map((c, i) => (i < 2 || i >= 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
      out.push(`  ${n > 0 && shards[n - 1]!.generator.saturated ? chalk.yellow(line) : line}`);
    });
  }
  for (const note of bench.notes ?? []) out.push(chalk.yellow(`note: ${escapeUnprintable(note)}`));
  return `${out.join('\n')}\n`;
}

/** `level`: of its heading (3, `###`, under renderBenchMarkdown's `##`). */
export function renderShardsMarkdown(bench: BenchReport, level = 3): string {
  const shards = bench.shards ?? [];
  if (shards.length === 0 && (bench.notes ?? []).length === 0) return '';
  const out: string[] = [''];
  if (shards.length > 0) {
    out.push(`${'#'.repeat(level)} Merged from ${shards.length} ${shards.length === 1 ? 'report' : 'reports'}`, '');
    out.push(`| ${SHARD_COLUMNS.join(' | ')} |`, '|---|---|---:|---:|---:|---|---|---|');
    for (const s of shards) out.push(`| ${shardCells(s).map((c) => escapeMarkdown(c)).join(' | ')} |`);
  }
  const notes = bench.notes ?? [];
  if (notes.length > 0) out.push('', ...notes.map((n) => `> ${escapeMarkdown(escapeUnprintable(n))}`));
  return `${out.join('\n')}\n`;
}
