/**
 * Findings (diagnose, security probes) most severe first, one card each: what was seen, why it
 * matters, the fix, and the evidence the server gave. Findings at or above --fail-on say that
 * they fail the run.
 */
import type { Finding, Report, Severity } from '../../engine/report-types.js';
import { atOrAbove, bySeverity } from '../severity.js';
import { severityBadge } from './badges.js';
import { html, lines, type Html } from './markup.js';

export function findingsSection(report: Report, failOn: Severity): Html {
  if (report.findings.length === 0) return html``;
  return html`<section id="findings" class="mp-section">
<h2>Findings <span class="mp-muted">(${report.findings.length})</span></h2>
${bySeverity(report.findings).map((f) => card(f, atOrAbove(f.severity, failOn), failOn))}</section>
`;
}

function card(f: Finding, failing: boolean, failOn: Severity): Html {
  const where = f.port === undefined || f.target.endsWith(`:${f.port}`) ? f.target : `${f.target} port ${f.port}`;
  return html`<article class="mp-finding mp-sev-${f.severity}" data-severity="${f.severity}">
<h3>${severityBadge(f.severity)} ${f.title}</h3>
<p class="mp-finding-meta"><code class="mp-id">${f.id}</code> · <code>${where}</code>${failing ? html` · <strong class="mp-fails">fails the run</strong> (--fail-on ${failOn})` : ''}</p>
${f.detail === '' ? '' : html`<p class="mp-text">${lines(f.detail)}</p>`}
${f.fix === '' ? '' : html`<div class="mp-fix"><strong>Fix:</strong> <span class="mp-text">${lines(f.fix)}</span></div>`}
${
  f.evidence.length === 0
    ? ''
    : html`<details class="mp-evidence" open><summary>Evidence (${f.evidence.length})</summary><pre class="mp-transcript">${f.evidence.map(evidenceLine)}</pre></details>`
}
</article>
`;
}

/** Evidence quoting the wire (`C: VRFY x`, `S: 250 …`) is coloured like a transcript. */
function evidenceLine(text: string): Html {
  const dir = /^([CSI]): /.exec(text)?.[1];
  return html`<span class="mp-line${dir === undefined ? '' : ` mp-dir-${dir}`}">${text}</span>\n`;
}
