/**
 * The parts of a merged bench report (`mailprobe merge`) the bench renderers do not show: one
 * line per shard (host, iterations, errors, drops, clock, generator) and the merge's notes
 * (missing shards, late starts, clocks, approximations). Console and Markdown; pure; host
 * names and notes escaped.
 */
import type { BenchReport, MergedShardReport } from '../engine/report-types.js';
import { count } from './bench-format.js';
import { chalkFor } from './console-colors.js';
import { escapeMarkdown, escapeUnprintable } from './escape.js';

const COLUMNS = ['shard', 'host', 'iterations', 'errors', 'dropped', 'measured', 'clock', 'generator'] as const;

function cells(s: MergedShardReport): string[] {
  const name = s.shard ? `${s.shard.index}/${s.shard.count}` : s.file;
  const clock = s.clock?.offsetMs === null || s.clock === undefined ? '-' : `${s.clock.offsetMs >= 0 ? '+' : ''}${s.clock.offsetMs} ms`;
  const late = s.clock?.startLateMs ? `, ${s.clock.startLateMs} ms late` : '';
  const generator = s.generator.saturated ? 'SATURATED' : `ok (CPU ${s.generator.cpuPercent}%)`;
  return [
    escapeUnprintable(name),
    escapeUnprintable(s.shard?.host ?? '-'),
    count(s.iterations),
    count(s.errors),
    count(s.dropped),
    `${(s.durationMs / 1000).toFixed(1)} s${s.partial ? ' (interrupted)' : ''}`,
    `${clock}${late}`,
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
    const rows = [[...COLUMNS], ...shards.map(cells)];
    const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    out.push(`merged from ${shards.length} ${shards.length === 1 ? 'report' : 'reports'}:`);
    rows.forEach((r, n) => {
      const line = r.map((c, i) => (i < 2 || i >= 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
      out.push(`  ${n > 0 && shards[n - 1]!.generator.saturated ? chalk.yellow(line) : line}`);
    });
  }
  for (const note of bench.notes ?? []) out.push(chalk.yellow(`note: ${escapeUnprintable(note)}`));
  return `${out.join('\n')}\n`;
}

export function renderShardsMarkdown(bench: BenchReport): string {
  const shards = bench.shards ?? [];
  if (shards.length === 0 && (bench.notes ?? []).length === 0) return '';
  const out: string[] = [''];
  if (shards.length > 0) {
    out.push(`### Merged from ${shards.length} ${shards.length === 1 ? 'report' : 'reports'}`, '');
    out.push(`| ${COLUMNS.join(' | ')} |`, '|---|---|---:|---:|---:|---|---|---|');
    for (const s of shards) out.push(`| ${cells(s).map((c) => escapeMarkdown(c)).join(' | ')} |`);
  }
  const notes = bench.notes ?? [];
  if (notes.length > 0) out.push('', ...notes.map((n) => `> ${escapeMarkdown(escapeUnprintable(n))}`));
  return `${out.join('\n')}\n`;
}
