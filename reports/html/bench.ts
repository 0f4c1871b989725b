/**
 * The bench section: the run's shape, a shard's slice and clock or a merge's parts (shards.ts),
 * thresholds with pass/fail, a percentile table per metric, the latency spectrum and timeline
 * charts (drawn by charts.js from chart-data.ts; the tables hold every number the charts show,
 * for readers without JavaScript and for print), errors by class with what the server said,
 * and how the load generator itself fared. A demo report holds several runs (`benches`): each
 * gets its own section, its ids prefixed by the section's id so they stay unique in the page,
 * and its charts name their data by that id (`data-mp-bench`).
 */
import type { BenchMetric, BenchReport, Report } from '../../engine/report-types.js';
import type { ChartData } from './chart-data.js';
import { count, ms, percent, rate, thresholdActual } from '../bench-format.js';
import { stateBadge } from './badges.js';
import { html, type Html } from './markup.js';
import { distributedPart } from './shards.js';

/** Where a bench section sits in the page: its id (and its ids' prefix) and its heading's label. */
export interface BenchPlace {
  /** `bench` for a bench report's run, `bench-1`, `bench-2`, … for a demo report's runs. */
  readonly id: string;
  /** `Load`, or `Load 2 of 3` when the page has several runs. */
  readonly label: string;
}

/** A bench report's single run. */
export const SINGLE_BENCH: BenchPlace = { id: 'bench', label: 'Load' };

/** Run `index` (0-based) of a demo report's `of` runs. */
export function benchPlace(index: number, of: number): BenchPlace {
  return { id: `bench-${index + 1}`, label: of === 1 ? 'Load' : `Load ${index + 1} of ${of}` };
}

/** Every bench run of the report, where each goes: a bench report's `bench`, then a demo's `benches`. */
export function benchRuns(report: Report): { readonly bench: BenchReport; readonly place: BenchPlace }[] {
  const benches = report.benches ?? [];
  return [
    ...(report.bench === undefined ? [] : [{ bench: report.bench, place: SINGLE_BENCH }]),
    ...benches.map((bench, i) => ({ bench, place: benchPlace(i, benches.length) })),
  ];
}

/** The section; `charts` says which charts have data (a figure is shown only for those). */
export function benchSection(bench: BenchReport, charts: ChartData, place: BenchPlace = SINGLE_BENCH): Html {
  return html`<section id="${place.id}" class="mp-section">
<h2>${place.label}: <code>${bench.scenario}</code></h2>
${shape(bench)}
${distributedPart(bench, place.id)}
${bench.generator.saturated ? html`<p class="mp-banner mp-banner-bad"><strong>The load generator was the bottleneck</strong> (${bench.generator.reason ?? 'saturated'}): these numbers show its limit, not the server's.</p>` : ''}
${bench.abortedBy === undefined ? '' : html`<p class="mp-banner mp-banner-bad">The run was stopped early: <code>${bench.abortedBy}</code> was crossed (--abort-on-fail).</p>`}
${thresholds(bench)}
${metricsTable(bench)}
${figures(bench, charts, place.id)}
${errors(bench)}
${generator(bench, place.id)}
</section>
`;
}

function shape(bench: BenchReport): Html {
  const it = bench.metrics['iteration'];
  const facts: [string, string][] = [
    ['Mode', bench.mode === 'open' ? `open loop at ${rate(bench.ratePerSec)}/s, up to ${count(bench.concurrency)} in flight` : `closed loop, ${count(bench.concurrency)} sessions`],
    ['Measured', `${(bench.durationMs / 1000).toFixed(1)} s`],
  ];
  if (bench.warmupMs > 0) facts.push(['Warm-up', `${(bench.warmupMs / 1000).toFixed(1)} s`]);
  if (bench.workers !== undefined) facts.push(['Workers', count(bench.workers)]);
  if (it) facts.push(['Iterations', `${count(it.count)} (${rate(it.ratePerSec)}/s)`], ['Errors', `${count(it.errors)} (${percent(it.errors, it.count)})`]);
  if (bench.mode === 'open') facts.push(['Dropped', count(bench.dropped)]);
  if (bench.interrupted !== undefined && bench.interrupted > 0) facts.push(['Cut off', count(bench.interrupted)]);
  return html`<dl class="mp-facts">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

function thresholds(bench: BenchReport): Html {
  if (bench.thresholds.length === 0) return html``;
  return html`<h3>Thresholds</h3>
<table class="mp-table mp-thresholds">
<thead><tr><th scope="col">Threshold</th><th scope="col">Result</th><th scope="col" class="mp-num">Actual</th></tr></thead>
<tbody>${bench.thresholds.map(
    (t) =>
      html`<tr data-ok="${String(t.ok)}"><td><code>${t.expr}</code></td><td>${stateBadge(t.ok ? 'good' : 'bad', t.ok ? 'pass' : 'fail')}</td><td class="mp-num">${
        t.note === undefined ? thresholdActual(t.expr, t.actual) : t.note
      }</td></tr>\n`,
  )}</tbody>
</table>`;
}

const PERCENTILES = [
  ['min', 'min'],
  ['mean', 'mean'],
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
] as const;

function metricsTable(bench: BenchReport): Html {
  const rows = Object.entries(bench.metrics);
  if (rows.length === 0) return html``;
  return html`<h3>Latency by metric</h3>
<div class="mp-scroll"><table class="mp-table mp-metrics">
<thead><tr><th scope="col">Metric</th><th scope="col" class="mp-num">Count</th><th scope="col" class="mp-num">Rate/s</th><th scope="col" class="mp-num">Errors</th>${PERCENTILES.map(
    ([, label]) => html`<th scope="col" class="mp-num">${label}</th>`,
  )}</tr></thead>
<tbody>${rows.map(([name, m]) => metricRow(name, m))}</tbody>
</table></div>`;
}

function metricRow(name: string, m: BenchMetric): Html {
  // All samples failed: the summary holds no latency (bench-markdown.ts shows '-' too).
  const ok = m.count - m.errors > 0;
  return html`<tr><th scope="row"><code>${name}</code></th><td class="mp-num">${count(m.count)}</td><td class="mp-num">${rate(m.ratePerSec)}</td><td class="mp-num${m.errors > 0 ? ' mp-bad' : ''}">${count(m.errors)}${
    m.errors > 0 ? ` (${percent(m.errors, m.count)})` : ''
  }</td>${PERCENTILES.map(([key]) => html`<td class="mp-num">${ok ? ms(m.latencyMs[key]) : '–'}</td>`)}</tr>\n`;
}

function figures(bench: BenchReport, charts: ChartData, id: string): Html {
  const fallback = html`<p class="mp-chart-fallback">This chart needs JavaScript; the table above has its numbers.</p>`;
  const spectrum =
    charts.spectrum === undefined
      ? ''
      : html`<figure class="mp-figure">
<figcaption>Latency by percentile: each metric's min, p50, p90, p99, p99.9 and max (ms, log scale), on an axis where each step right is one more nine. Click a name in the legend to hide or show its line.</figcaption>
<div class="mp-chart" data-mp-chart="spectrum" data-mp-bench="${id}">${fallback}</div>
</figure>`;
  if (charts.timeline === undefined) return html`${spectrum}`;
  return html`${spectrum}
<figure class="mp-figure">
<figcaption>Timeline: iterations completed and failed, and their p50 and p99 latency, over the measured run.</figcaption>
<div class="mp-chart" data-mp-chart="throughput" data-mp-bench="${id}">${fallback}</div>
<div class="mp-chart" data-mp-chart="latency" data-mp-bench="${id}"></div>
</figure>
<details class="mp-timeline-table"><summary>Timeline as a table (${bench.timeline.length} points)</summary>
<div class="mp-scroll"><table class="mp-table">
<thead><tr><th scope="col" class="mp-num">t (s)</th><th scope="col" class="mp-num">Iterations</th><th scope="col" class="mp-num">Errors</th><th scope="col" class="mp-num">p50</th><th scope="col" class="mp-num">p99</th></tr></thead>
<tbody>${bench.timeline.map(
    (p) =>
      html`<tr><td class="mp-num">${p.t}</td><td class="mp-num">${count(p.ops)}</td><td class="mp-num">${count(p.errors)}</td><td class="mp-num">${ms(p.p50Ms)}</td><td class="mp-num">${ms(p.p99Ms)}</td></tr>\n`,
  )}</tbody>
</table></div>
</details>`;
}

function errors(bench: BenchReport): Html {
  const classes = Object.entries(bench.errors ?? {});
  if (classes.length === 0) return html``;
  return html`<h3>Errors by class</h3>
<table class="mp-table mp-errors">
<thead><tr><th scope="col">Class</th><th scope="col" class="mp-num">Count</th><th scope="col">What the server said</th></tr></thead>
<tbody>${classes.map(
    ([c, n]) =>
      html`<tr><td><code>${c}</code></td><td class="mp-num">${count(n)}</td><td>${(bench.errorSamples?.[c] ?? []).map((s) => html`<code class="mp-wire mp-block">${s}</code>`)}</td></tr>\n`,
  )}</tbody>
</table>`;
}

function generator(bench: BenchReport, id: string): Html {
  const g = bench.generator;
  const facts: [string, Html | string][] = [
    ['State', g.saturated ? stateBadge('bad', 'saturated') : stateBadge('good', 'not saturated')],
    ['CPU', `${g.cpuPercent}% of one core`],
    ['Event-loop delay p99', ms(g.eventLoopDelayP99Ms)],
  ];
  if (g.eventLoopUtilization !== undefined) facts.push(['Event-loop utilisation', `${Math.round(g.eventLoopUtilization * 100)}%`]);
  if (g.startLagP99Ms !== undefined) facts.push(['Start lag p99', ms(g.startLagP99Ms)]);
  if (g.reason !== undefined) facts.push(['Why', g.reason]);
  return html`<h3 id="${id}-generator">Load generator</h3>
<dl class="mp-facts">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}
