/**
 * The port matrix of a diagnose report as a GitHub-flavoured Markdown table, for markdown.ts to
 * put before the findings. Every server-supplied string goes through escapeMarkdown.
 */
import type { Report } from '../engine/report-types.js';
import { certificateStatus, shortVersion, type CertificateState } from './diagnose-console.js';
import { escapeMarkdown } from './escape.js';

const STATE_ICON: Readonly<Record<CertificateState, string>> = {
  valid: '✅',
  expiring: '⚠️',
  expired: '❌',
  'not-yet-valid': '❌',
  untrusted: '❌',
};

/** `\n#### Ports\n\n| … |` with one row per port, or '' when the report has no ports. */
export function renderPortsMarkdown(report: Report): string {
  const ports = report.ports ?? [];
  if (ports.length === 0) return '';
  const at = new Date(report.startedAt);
  const withHost = new Set(ports.map((p) => p.host)).size > 1;
  const head = ['port', 'expected', 'observed', 'TLS', 'accepts', 'certificate'];
  const rows = ports.map((p) => {
    const where = withHost && p.host !== undefined ? `${p.host}:${p.port}` : String(p.port);
    const cert = p.tls?.certificate ? certificateStatus(p.tls.certificate, at) : undefined;
    return [
      escapeMarkdown(where),
      escapeMarkdown(p.expected),
      escapeMarkdown(p.observed),
      p.tls ? escapeMarkdown(p.tls.version ?? '?') : '–',
      p.tls && p.tls.versions.length > 0 ? escapeMarkdown(p.tls.versions.map(shortVersion).join(' ')) : '–',
      cert ? `${STATE_ICON[cert.state]} ${escapeMarkdown(cert.text)}` : '–',
    ];
  });
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |\n`;
  return `\n#### Ports\n\n${line(head)}${line(head.map(() => '---'))}${rows.map(line).join('')}`;
}
