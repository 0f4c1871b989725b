/**
 * A distributed bench run in the HTML report: for a shard's report (`bench --shard i/N`) which
 * slice it ran, on which host, what the whole run asked for, and its clock (`--start-at`,
 * `--ntp`); for a merged report (`mailprobe merge`) the table of its parts — the same cells as
 * the console and Markdown table (reports/bench-shards.ts) — and the merge's notes. Host names,
 * files and notes come from the reports: the `html` tag escapes them as text.
 */
import type { BenchReport, ClockReport, ShardReport } from '../../engine/report-types.js';
import { count, rate } from '../bench-format.js';
import { clockText, SHARD_COLUMNS, shardCells } from '../bench-shards.js';
import { stateBadge } from './badges.js';
import { html, type Html } from './markup.js';

/** `shard 2/4 on bench-2-x7k`. */
export function shardLabel(shard: ShardReport): string {
  return `shard ${shard.index}/${shard.count} on ${shard.host}`;
}

/** `+12 ms`, `not measured, 40 ms late`: the table's clock cell, in words when there is no offset. */
function offsetText(clock: ClockReport | undefined): string {
  return clockText(clock, 'not measured');
}

/** The shard, its host and clock offset, for the header's facts; '' for a whole run's report. */
export function shardSummary(bench: BenchReport | undefined): string {
  if (bench?.shard !== undefined) return `${shardLabel(bench.shard)}, clock offset ${offsetText(bench.clock)}`;
  const parts = bench?.shards ?? [];
  if (parts.length === 0) return '';
  const shards = parts.flatMap((p) => (p.shard === undefined ? [] : [p.shard]));
  const of = shards.length > 0 ? ` (${shards.length} of ${shards[0]!.count} shards)` : '';
  return `merged from ${parts.length} ${parts.length === 1 ? 'report' : 'reports'}${of}`;
}

/** The section's part: nothing for a whole run's report. `id` is the section's, its ids' prefix. */
export function distributedPart(bench: BenchReport, id = 'bench'): Html {
  return html`${bench.shard === undefined ? '' : shardFacts(bench.shard, bench.clock, id)}${parts(bench, id)}${notes(bench)}`;
}

function shardFacts(shard: ShardReport, clock: ClockReport | undefined, id: string): Html {
  const total = shard.total;
  const whole = [`${rate(total.ratePerSec)}/s`, `${count(total.concurrency)} in flight`];
  if (total.iterations !== undefined) whole.push(`${count(total.iterations)} iterations`);
  if (total.stages !== undefined && total.stages.length > 0) whole.push(`${total.stages.length} ramp ${total.stages.length === 1 ? 'stage' : 'stages'}`);
  const users = shard.users.count === 0 ? 'none' : `${count(shard.users.count)}: ${shard.users.names.join(', ')}${shard.users.count > shard.users.names.length ? ', …' : ''}`;
  const facts: [string, string][] = [
    ['Shard', `${shard.index}/${shard.count}`],
    ['Host', shard.host],
    ['Run id', shard.runId],
    ['Whole run', whole.join(', ')],
    ['Users', users],
    ['Clock offset', offsetText(clock)],
  ];
  if (clock?.source !== undefined) facts.push(['Clock source', `${clock.source}${clock.rttMs === undefined ? '' : ` (round trip ${clock.rttMs} ms)`}`]);
  if (clock?.startAt !== undefined) facts.push(['Start at', clock.startAt]);
  if (clock?.error !== undefined) facts.push(['Clock not measured', clock.error]);
  return html`<h3 id="${id}-shard">Shard ${shard.index}/${shard.count}</h3>
<p>One slice of a distributed run: its numbers are this shard's share; <code>mailprobe merge</code> adds the shards and judges the thresholds.</p>
<dl class="mp-facts mp-shard">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

/** Columns whose cells are numbers (right-aligned), as in the Markdown table. */
const NUMERIC = new Set<string>(['iterations', 'errors', 'dropped']);

function parts(bench: BenchReport, id: string): Html {
  const shards = bench.shards ?? [];
  if (shards.length === 0) return html``;
  return html`<h3 id="${id}-parts">Merged from ${shards.length} ${shards.length === 1 ? 'report' : 'reports'}</h3>
<div class="mp-scroll"><table class="mp-table mp-parts">
<thead><tr>${SHARD_COLUMNS.map((c) => html`<th scope="col"${NUMERIC.has(c) ? html` class="mp-num"` : ''}>${c}</th>`)}<th scope="col">file</th></tr></thead>
<tbody>${shards.map((s) => {
    const cells = shardCells(s);
    return html`<tr data-saturated="${String(s.generator.saturated)}">${SHARD_COLUMNS.map((c, i) => {
      const text = cells[i] ?? '';
      if (c === 'shard') return html`<th scope="row">${text}</th>`;
      if (c === 'generator') return html`<td>${s.generator.saturated ? stateBadge('bad', 'saturated') : text}${s.generator.reason === undefined ? '' : html` <span class="mp-muted">${s.generator.reason}</span>`}</td>`;
      if (c === 'errors') return html`<td class="mp-num${s.errors > 0 ? ' mp-bad' : ''}">${text}</td>`;
      return html`<td${NUMERIC.has(c) ? html` class="mp-num"` : ''}>${text}</td>`;
    })}<td><code>${s.file}</code></td></tr>\n`;
  })}</tbody>
</table></div>`;
}

function notes(bench: BenchReport): Html {
  const list = bench.notes ?? [];
  if (list.length === 0) return html``;
  return html`<h3>Notes</h3>
<ul class="mp-notes">${list.map((n) => html`<li>${n}</li>`)}</ul>`;
}
