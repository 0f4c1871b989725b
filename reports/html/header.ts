/**
 * The summary header: what ran against what, when and for how long, which shard of a distributed
 * run (or what a merge was made of), the verdict counts, the exit status (given by the caller: the report does not hold it), warnings that change how to
 * read everything below, and what each server said when it was connected to.
 */
import { CHECK_STATUSES, SEVERITIES, type Report, type Severity } from '../../engine/report-types.js';
import { humanDuration } from '../duration.js';
import { severityBadge, stateBadge, statusBadge } from './badges.js';
import { benchRuns } from './bench.js';
import { html, join, type Html } from './markup.js';
import { shardSummary } from './shards.js';

/** What each exit status means (DESIGN.md "Verdicts, exit codes"; bin/exit-codes.ts). */
const EXIT_MEANING: Readonly<Record<number, string>> = {
  0: 'all good',
  1: 'a check failed, or a finding at or above --fail-on',
  2: 'bad usage, config or suite file',
  3: 'a bench threshold was crossed',
  4: 'target unreachable: nothing could be run',
  130: 'interrupted',
};

export function header(report: Report, exitCode: number | undefined): Html {
  const distributed = shardSummary(report.bench);
  return html`<header class="mp-header">
<h1><span class="mp-brand">mailprobe</span> ${report.command}</h1>
<ul class="mp-targets">${report.targets.map((t) => html`<li><code>${t}</code></li>`)}</ul>
${banners(report)}<dl class="mp-facts">
<div><dt>Started</dt><dd><time datetime="${report.startedAt}">${startedText(report.startedAt)}</time></dd></div>
<div><dt>Duration</dt><dd>${humanDuration(report.durationMs)}</dd></div>
<div><dt>mailprobe</dt><dd>${report.tool.version}</dd></div>
${distributed === '' ? '' : html`<div><dt>Distributed run</dt><dd class="mp-distributed"><a href="#${report.bench?.shard === undefined ? 'bench-parts' : 'bench-shard'}">${distributed}</a></dd></div>`}
${exitCode === undefined ? '' : html`<div><dt>Exit status</dt><dd class="mp-exit mp-exit-${exitCode === 0 ? 'ok' : 'bad'}">${exitCode}${EXIT_MEANING[exitCode] === undefined ? '' : ` (${EXIT_MEANING[exitCode]})`}</dd></div>`}
</dl>
${counts(report)}${servers(report)}</header>`;
}

function banners(report: Report): Html {
  const out: Html[] = [];
  if (report.insecure === true) {
    out.push(html`<p class="mp-banner mp-banner-warn"><strong>Run with --insecure:</strong> certificate verification was off; TLS results are not trustworthy.</p>`);
  }
  if (report.partial === true) {
    out.push(html`<p class="mp-banner mp-banner-warn"><strong>Partial run:</strong> interrupted; the results cover only what finished.</p>`);
  }
  const runs = benchRuns(report);
  for (const { bench, place } of runs) {
    if (!bench.generator.saturated) continue;
    // A demo report has several runs: say which one's numbers are the generator's limit.
    const which = runs.length === 1 ? html`` : html` in <code>${bench.scenario}</code>`;
    out.push(
      html`<p class="mp-banner mp-banner-bad"><strong>The load generator was the bottleneck</strong>${which}: the numbers below show its limit, not the server's (<a href="#${place.id}-generator">details</a>).</p>`,
    );
  }
  return html`${out.map((b) => html`${b}\n`)}`;
}

/** `2025-01-02 03:04:05 UTC` from the ISO time; the text as given when it is not one. */
function startedText(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function counts(report: Report): Html {
  const rows: Html[] = [];
  if (report.checks.length > 0) {
    rows.push(html`<div><dt>Checks</dt><dd>${join(CHECK_STATUSES.map((s) => statusBadge(s, report.summary[s])), ' ')}</dd></div>`);
  }
  if (report.findings.length > 0) {
    const by = (s: Severity): number => report.findings.filter((f) => f.severity === s).length;
    rows.push(html`<div><dt>Findings</dt><dd>${join(SEVERITIES.map((s) => severityBadge(s, by(s))), ' ')}</dd></div>`);
  }
  const thresholds = benchRuns(report).flatMap((r) => r.bench.thresholds);
  if (thresholds.length > 0) {
    const failed = thresholds.filter((t) => !t.ok).length;
    rows.push(
      html`<div><dt>Thresholds</dt><dd>${stateBadge('good', `${thresholds.length - failed} pass`)} ${stateBadge(failed > 0 ? 'bad' : 'neutral', `${failed} fail`)}</dd></div>`,
    );
  }
  return rows.length === 0 ? html`` : html`<dl class="mp-counts">${rows}</dl>\n`;
}

function servers(report: Report): Html {
  const entries = Object.entries(report.server);
  if (entries.length === 0) return html``;
  // The implementation column (IMAP ID, POP3 IMPLEMENTATION) only when some server said one.
  const said = entries.some(([, info]) => info.implementation !== undefined);
  const implementation = (text: string | undefined): Html =>
    !said ? html`` : text === undefined ? html`<td><span class="mp-muted">not said</span></td>` : html`<td><code class="mp-implementation">${text}</code></td>`;
  return html`<details class="mp-servers" open>
<summary>What the ${entries.length === 1 ? 'server' : 'servers'} said</summary>
<div class="mp-scroll"><table class="mp-table">
<thead><tr><th scope="col">Target</th>${said ? html`<th scope="col">Implementation</th>` : html``}<th scope="col">Greeting</th><th scope="col">Capabilities</th></tr></thead>
<tbody>${entries.map(
    ([target, info]) =>
      html`<tr><td class="mp-target"><code>${target}</code></td>${implementation(info.implementation)}<td><code class="mp-wire">${info.greeting}</code></td><td>${info.capabilities.length === 0 ? html`<span class="mp-muted">none</span>` : html`<ul class="mp-caps">${info.capabilities.map((c) => html`<li><code>${c}</code></li>`)}</ul>`}</td></tr>\n`,
  )}</tbody>
</table></div>
</details>
`;
}
