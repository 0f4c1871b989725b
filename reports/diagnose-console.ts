/**
 * The port matrix of a diagnose report for the console: one row per port with what it is for,
 * what it really speaks, its TLS versions and the state of its certificate. A pure function of
 * the report; console.ts prints it above the findings. Server-supplied text (certificate
 * subjects, errors) goes through escapeUnprintable.
 */
import type { ChalkInstance } from 'chalk';
import type { CertificateReport, PortReport, Report } from '../engine/report-types.js';
import { chalkFor } from './console-colors.js';
import { escapeUnprintable } from './escape.js';

const DAY_MS = 86_400_000;
/** Where a certificate's remaining life turns yellow (the expiring-soon finding's threshold). */
const WARN_DAYS = 21;

export interface PortMatrixOptions {
  readonly color: boolean;
}

export type CertificateState = 'valid' | 'expiring' | 'expired' | 'not-yet-valid' | 'untrusted';

/** A certificate's state and one line about it, relative to `at` (the run's start). */
export function certificateStatus(cert: CertificateReport, at: Date): { state: CertificateState; text: string } {
  const now = at.getTime();
  const notAfter = Date.parse(cert.notAfter);
  const left = Math.floor((notAfter - now) / DAY_MS);
  if (notAfter < now) return { state: 'expired', text: `expired ${Math.floor((now - notAfter) / DAY_MS)} days ago` };
  if (Date.parse(cert.notBefore) > now) return { state: 'not-yet-valid', text: `not valid before ${cert.notBefore.slice(0, 10)}` };
  const days = `${left} ${left === 1 ? 'day' : 'days'} left`;
  if (!cert.trusted) return { state: 'untrusted', text: `not trusted (${cert.error ?? 'unknown error'}), ${days}` };
  return { state: left < WARN_DAYS ? 'expiring' : 'valid', text: `valid, ${days}` };
}

/** `TLSv1.2` → `1.2`; `TLSv1` → `1.0`. */
export function shortVersion(version: string): string {
  const m = /^TLSv(\d)(?:\.(\d))?$/.exec(version);
  return m ? `${m[1]}.${m[2] ?? '0'}` : version;
}

/** The matrix as lines (a heading, then one row per port); none when the report has no ports. */
export function renderPortMatrix(report: Report, options: PortMatrixOptions): string[] {
  const ports = report.ports ?? [];
  if (ports.length === 0) return [];
  const chalk = chalkFor(options.color);
  const at = new Date(report.startedAt);
  const hosts = new Set(ports.map((p) => p.host));
  const rows = ports.map((p) => row(p, hosts.size > 1, at));
  const head = ['PORT', 'EXPECTED', 'OBSERVED', 'TLS', 'ACCEPTS', 'CERTIFICATE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const line = (cells: readonly string[], paint: (i: number, text: string) => string): string =>
    cells
      .map((c, i) => paint(i, i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(head, (_, t) => t),
    ...rows.map((r) => line(r.cells, (i, t) => (i === 2 ? paintObserved(chalk, r.port, t) : i === 5 && r.cert ? paintCert(chalk, r.cert, t) : t))),
  ];
}

function row(p: PortReport, withHost: boolean, at: Date): { port: PortReport; cert: CertificateState | undefined; cells: string[] } {
  const where = withHost && p.host !== undefined ? `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}` : String(p.port);
  const tls = p.tls;
  const status = tls?.certificate ? certificateStatus(tls.certificate, at) : undefined;
  return {
    port: p,
    cert: status?.state,
    cells: [
      escapeUnprintable(where),
      escapeUnprintable(p.expected),
      p.observed,
      tls ? escapeUnprintable(tls.version ?? '?') : '-',
      tls && tls.versions.length > 0 ? tls.versions.map(shortVersion).join(' ') : '-',
      status ? escapeUnprintable(status.text) : '-',
    ],
  };
}

/** A port that answers nothing, or not what it is for, stands out. */
function paintObserved(chalk: ChalkInstance, p: PortReport, text: string): string {
  if (p.observed === 'closed' || p.observed === 'timeout') return chalk.gray(text);
  if (p.observed === 'silent' || p.observed === 'unknown' || !matches(p)) return chalk.red(text);
  return text;
}

function paintCert(chalk: ChalkInstance, state: CertificateState, text: string): string {
  if (state === 'valid') return chalk.green(text);
  if (state === 'expiring') return chalk.yellow(text);
  return chalk.red(text);
}

/** Observed mode fits the expected scheme (implicit TLS ↔ `tls`; otherwise the plaintext protocol). */
function matches(p: PortReport): boolean {
  const implicit = ['smtps', 'submissions', 'imaps', 'pop3s'].includes(p.expected);
  if (p.expected === 'unknown') return true;
  if (implicit) return p.observed === 'tls';
  const protocol = p.expected === 'submission' ? 'smtp' : p.expected;
  return p.observed === `${protocol}-starttls` || p.observed === `${protocol}-plaintext`;
}
