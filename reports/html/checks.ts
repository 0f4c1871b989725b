/**
 * The checks: one table per protocol, one row per check with its verdict badge, and under each
 * check that has something to explain a collapsed <details> with the RFC reference, the whole
 * message and the transcript. Without JavaScript every row is shown and <details> still opens;
 * page.js adds the verdict and protocol filters (the form is `hidden` until it does).
 */
import { CHECK_STATUSES, type CheckResult, type CheckStatus, type Report } from '../../engine/report-types.js';
import { humanDuration } from '../duration.js';
import { statusBadge } from './badges.js';
import { html, lines, type Html } from './markup.js';
import { transcript, transcriptLegend } from './transcript.js';

/** About what the row's message cell shows in its three lines; longer messages get a details row. */
const MESSAGE_FITS = 160;
/** Verdicts whose details open for printing: the ones a reader has to act on. */
const PRINT_OPEN: ReadonlySet<CheckStatus> = new Set(['fail', 'error', 'warn', 'inconclusive']);

export function checksSection(report: Report): Html {
  if (report.checks.length === 0) return html``;
  const withTarget = report.targets.length > 1;
  const groups = new Map<string, CheckResult[]>();
  for (const c of report.checks) groups.set(c.protocol, [...(groups.get(c.protocol) ?? []), c]);
  return html`<section id="checks" class="mp-section">
<h2>Checks <span class="mp-muted">(${report.checks.length})</span></h2>
${filters(report, [...groups.keys()])}
${report.checks.some((c) => c.transcript.length > 0) ? transcriptLegend() : ''}
${[...groups].map(([protocol, checks]) => group(protocol, checks, withTarget))}
<p class="mp-empty" data-mp-empty hidden>No check matches the filters.</p>
</section>
`;
}

/** The filter form; page.js shows it and applies it. Every verdict starts ticked. */
function filters(report: Report, protocols: readonly string[]): Html {
  return html`<form class="mp-filters" data-mp-filters hidden>
<fieldset><legend>Verdict</legend>${CHECK_STATUSES.filter((s) => report.summary[s] > 0).map(
    (s) => html`<label><input type="checkbox" name="status" value="${s}" checked> ${statusBadge(s, report.summary[s])}</label> `,
  )}</fieldset>
${
  protocols.length > 1
    ? html`<fieldset><legend>Protocol</legend><select name="protocol"><option value="">all</option>${protocols.map((p) => html`<option value="${p}">${p.toUpperCase()}</option>`)}</select></fieldset>`
    : ''
}
<fieldset><legend>Details</legend><button type="button" data-mp-expand="open">Expand all</button> <button type="button" data-mp-expand="close">Collapse all</button></fieldset>
<output class="mp-muted" data-mp-shown></output>
</form>`;
}

function group(protocol: string, checks: readonly CheckResult[], withTarget: boolean): Html {
  const columns = ['Verdict', 'Check', 'Level', 'Reference', ...(withTarget ? ['Target'] : []), 'Time', 'Message'];
  // Fixed layout (widths per column class in the stylesheet): a long transcript line scrolls in
  // its own box instead of widening the table.
  return html`<section class="mp-group" data-mp-group="${protocol}">
<h3>${protocol.toUpperCase()} <span class="mp-muted">(${checks.length})</span></h3>
<div class="mp-scroll"><table class="mp-table mp-checks">
<colgroup>${columns.map((c) => html`<col class="mp-col-${c.toLowerCase()}">`)}</colgroup>
<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
${checks.map((c) => row(c, withTarget, columns.length))}</table></div>
</section>
`;
}

/** A check as its own <tbody>: the row, then its details row; the filter hides both at once. */
function row(c: CheckResult, withTarget: boolean, span: number): Html {
  return html`<tbody class="mp-check" data-status="${c.status}" data-protocol="${c.protocol}">
<tr><td>${statusBadge(c.status)}</td><td><code class="mp-id"${c.source === undefined ? '' : html` title="defined at ${c.source}"`}>${c.id}</code><div class="mp-title">${c.title}</div></td><td>${c.level}</td><td class="mp-ref">${c.ref}</td>${
    withTarget ? html`<td><code>${c.target}</code></td>` : ''
  }<td class="mp-num">${humanDuration(c.durationMs)}</td><td><div class="mp-message">${lines(c.message)}</div></td></tr>
${hasDetails(c) ? html`<tr class="mp-detail-row"><td colspan="${span}">${details(c)}</td></tr>\n` : ''}</tbody>
`;
}

/**
 * A details row only where it adds to the row: a transcript, or a message too long for the row's
 * three lines. A skip's one-line reason is already in the row (and where the check was defined
 * is the id's tooltip).
 */
function hasDetails(c: CheckResult): boolean {
  return c.transcript.length > 0 || c.message.length > MESSAGE_FITS || c.message.includes('\n');
}

function details(c: CheckResult): Html {
  const n = c.transcript.length;
  const label = n === 0 ? 'Details' : `Details and transcript (${n} ${n === 1 ? 'line' : 'lines'})`;
  return html`<details class="mp-details"${PRINT_OPEN.has(c.status) ? html` data-mp-print-open` : ''}>
<summary>${label}</summary>
<dl class="mp-kv">
<div><dt>Requirement</dt><dd>${c.level} · ${c.ref}</dd></div>
<div><dt>Target</dt><dd><code>${c.target}</code></dd></div>
${c.source === undefined ? '' : html`<div><dt>Defined at</dt><dd><code>${c.source}</code></dd></div>`}
</dl>
${c.message === '' ? '' : html`<p class="mp-text">${lines(c.message)}</p>`}
${n === 0 ? '' : transcript(c.transcript)}
</details>`;
}
