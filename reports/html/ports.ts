/**
 * The diagnose port matrix: per port what it is for and what it really speaks, its TLS version
 * and cipher, the versions it accepts, and its certificate's state with the days it has left;
 * the certificate's fields open under the state. Same judgements as the console matrix
 * (diagnose-console.ts): certificate state from certificateStatus, observed vs expected below.
 */
import type { CertificateReport, PortReport, Report } from '../../engine/report-types.js';
import { certificateStatus, shortVersion, type CertificateState } from '../diagnose-console.js';
import { stateBadge } from './badges.js';
import { html, join, type Html } from './markup.js';

const CERT_BADGE: Readonly<Record<CertificateState, 'good' | 'warn' | 'bad'>> = {
  valid: 'good',
  expiring: 'warn',
  expired: 'bad',
  'not-yet-valid': 'bad',
  untrusted: 'bad',
};
const IMPLICIT_TLS = ['smtps', 'submissions', 'imaps', 'pop3s'];
/** Versions a server should no longer accept (RFC 8996). */
const LEGACY = new Set(['TLSv1', 'TLSv1.1', 'SSLv3']);

export function portsSection(report: Report): Html {
  const ports = report.ports ?? [];
  if (ports.length === 0) return html``;
  const at = new Date(report.startedAt);
  const withHost = new Set(ports.map((p) => p.host)).size > 1;
  return html`<section id="ports" class="mp-section">
<h2>Ports <span class="mp-muted">(${ports.length})</span></h2>
<div class="mp-scroll"><table class="mp-table mp-ports">
<thead><tr><th scope="col">Port</th><th scope="col">Expected</th><th scope="col">Observed</th><th scope="col">TLS</th><th scope="col">Accepts</th><th scope="col">Certificate</th></tr></thead>
<tbody>
${ports.map((p) => row(p, withHost, at))}</tbody>
</table></div>
</section>
`;
}

function row(p: PortReport, withHost: boolean, at: Date): Html {
  const where = withHost && p.host !== undefined ? `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}` : String(p.port);
  const tls = p.tls;
  return html`<tr><td class="mp-num"><code>${where}</code></td><td>${p.expected}</td><td>${stateBadge(observedState(p), p.observed)}</td><td>${
    tls ? html`${tls.version ?? '?'}${tls.cipher === null ? '' : html`<div class="mp-muted mp-small">${tls.cipher}</div>`}` : html`<span class="mp-muted">–</span>`
  }</td><td>${
    tls && tls.versions.length > 0
      ? join(tls.versions.map((v) => (LEGACY.has(v) ? stateBadge('bad', shortVersion(v)) : html`<span>${shortVersion(v)}</span>`)), ' ')
      : html`<span class="mp-muted">–</span>`
  }</td><td>${tls?.certificate ? certificate(tls.certificate, at) : html`<span class="mp-muted">–</span>`}</td></tr>
`;
}

/** A port that answers nothing is grey; one that answers something other than its role, red. */
function observedState(p: PortReport): 'good' | 'bad' | 'neutral' {
  if (p.observed === 'closed' || p.observed === 'timeout') return 'neutral';
  if (p.observed === 'silent' || p.observed === 'unknown') return 'bad';
  if (p.expected === 'unknown') return 'good';
  if (IMPLICIT_TLS.includes(p.expected)) return p.observed === 'tls' ? 'good' : 'bad';
  const protocol = p.expected === 'submission' ? 'smtp' : p.expected;
  return p.observed === `${protocol}-starttls` || p.observed === `${protocol}-plaintext` ? 'good' : 'bad';
}

function certificate(cert: CertificateReport, at: Date): Html {
  const status = certificateStatus(cert, at);
  return html`<details class="mp-cert">
<summary>${stateBadge(CERT_BADGE[status.state], status.text)}</summary>
<dl class="mp-kv">
<div><dt>Subject</dt><dd><code>${cert.subject}</code></dd></div>
<div><dt>Names (SAN)</dt><dd>${cert.san.length === 0 ? html`<span class="mp-muted">none</span>` : join(cert.san.map((n) => html`<code>${n}</code>`), ', ')}</dd></div>
<div><dt>Issuer</dt><dd><code>${cert.issuer}</code></dd></div>
<div><dt>Valid</dt><dd>${cert.notBefore} – ${cert.notAfter}</dd></div>
<div><dt>Key</dt><dd>${cert.keyBits === null ? 'unknown size' : `${cert.keyBits} bits`}</dd></div>
<div><dt>Chain</dt><dd>${cert.chainLength} ${cert.chainLength === 1 ? 'certificate' : 'certificates'} sent, ${cert.trusted ? 'trusted' : 'not trusted'}</dd></div>
${cert.error === null ? '' : html`<div><dt>Error</dt><dd><code>${cert.error}</code></dd></div>`}
</dl>
</details>`;
}
