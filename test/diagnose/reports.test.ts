import { describe, expect, it } from 'vitest';
import { buildReport } from '../../engine/build-report.js';
import type { CertificateReport, PortReport, Report } from '../../engine/report-types.js';
import { certificateStatus, renderPortMatrix } from '../../reports/diagnose-console.js';
import { renderPortsMarkdown } from '../../reports/diagnose-markdown.js';
import { renderJson } from '../../reports/json.js';

const START = new Date('2025-06-01T00:00:00Z');
const cert = (over: Partial<CertificateReport> = {}): CertificateReport => ({
  subject: 'CN=mail.example.org',
  san: ['mail.example.org'],
  issuer: 'CN=R11, O=Let\'s Encrypt',
  notBefore: '2025-05-01T00:00:00.000Z',
  notAfter: '2025-07-30T00:00:00.000Z',
  keyBits: 2048,
  chainLength: 2,
  trusted: true,
  error: null,
  ...over,
});
const tls = (c: CertificateReport, versions = ['TLSv1.2', 'TLSv1.3']) => ({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', versions, certificate: c });

function report(ports: PortReport[]): Report {
  return buildReport({ command: 'diagnose', version: '0.0.0', startedAt: START, durationMs: 1200, targets: ['mail.example.org'], server: {}, checks: [], findings: [], ports });
}

const PORTS: PortReport[] = [
  { port: 25, host: 'mail.example.org', expected: 'smtp', observed: 'smtp-starttls', tls: tls(cert(), ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']) },
  { port: 465, host: 'mail.example.org', expected: 'smtps', observed: 'smtp-plaintext' },
  { port: 587, host: 'mail.example.org', expected: 'submission', observed: 'tls', tls: tls(cert({ notAfter: '2025-06-06T00:00:00.000Z' })) },
  { port: 143, host: 'mail.example.org', expected: 'imap', observed: 'closed' },
  { port: 993, host: 'mail.example.org', expected: 'imaps', observed: 'tls', tls: tls(cert({ trusted: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE\u001b[31m' })) },
  { port: 995, host: 'mail.example.org', expected: 'pop3s', observed: 'tls', tls: tls(cert({ notAfter: '2025-05-20T00:00:00.000Z', trusted: false, error: 'CERT_HAS_EXPIRED' })) },
];

describe('port matrix (console)', () => {
  it('shows expected vs observed, versions and the certificate with days left', () => {
    const lines = renderPortMatrix(report(PORTS), { color: false });
    expect(lines).toEqual([
      'PORT  EXPECTED    OBSERVED        TLS      ACCEPTS          CERTIFICATE',
      '25    smtp        smtp-starttls   TLSv1.3  1.0 1.1 1.2 1.3  valid, 59 days left',
      '465   smtps       smtp-plaintext  -        -                -',
      '587   submission  tls             TLSv1.3  1.2 1.3          valid, 5 days left',
      '143   imap        closed          -        -                -',
      '993   imaps       tls             TLSv1.3  1.2 1.3          not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE\\x1b[31m), 59 days left',
      '995   pop3s       tls             TLSv1.3  1.2 1.3          expired 12 days ago',
    ]);
  });

  it('names host:port when ports of several hosts are shown, and colours only states', () => {
    const two = report([PORTS[0]!, { ...PORTS[4]!, host: '2001:db8::1' }]);
    const plain = renderPortMatrix(two, { color: false });
    expect(plain[1]).toMatch(/^mail\.example\.org:25 /);
    expect(plain[2]).toMatch(/^\[2001:db8::1\]:993 /);
    const coloured = renderPortMatrix(two, { color: true });
    expect(coloured[1]).toContain('\u001b[32mvalid, 59 days left');
    expect(coloured[2]).toContain('\u001b[31mnot trusted');
  });

  it('is empty for a report without ports', () => {
    expect(renderPortMatrix(report([]), { color: false })).toEqual([]);
  });

  it('judges certificates relative to the run start', () => {
    expect(certificateStatus(cert({ notBefore: '2025-06-10T00:00:00.000Z' }), START)).toEqual({ state: 'not-yet-valid', text: 'not valid before 2025-06-10' });
    expect(certificateStatus(cert({ notAfter: '2025-06-02T12:00:00.000Z' }), START)).toEqual({ state: 'expiring', text: 'valid, 1 day left' });
  });
});

describe('port matrix (Markdown)', () => {
  it('renders a table, escaping what servers supplied', () => {
    const md = renderPortsMarkdown(report([PORTS[0]!, { ...PORTS[4]!, tls: tls(cert({ trusted: false, error: 'a|b <x>' })) }]));
    expect(md).toBe(
      [
        '',
        '#### Ports',
        '',
        '| port | expected | observed | TLS | accepts | certificate |',
        '| --- | --- | --- | --- | --- | --- |',
        '| 25 | smtp | smtp-starttls | TLSv1.3 | 1.0 1.1 1.2 1.3 | ✅ valid, 59 days left |',
        '| 993 | imaps | tls | TLSv1.3 | 1.2 1.3 | ❌ not trusted (a\\|b &lt;x&gt;), 59 days left |',
        '',
      ].join('\n'),
    );
    expect(renderPortsMarkdown(report([]))).toBe('');
  });
});

describe('JSON', () => {
  it('carries ports in the DESIGN.md shape', () => {
    const json = JSON.parse(renderJson(report(PORTS.slice(0, 1)))) as { command: string; ports: unknown[] };
    expect(json.command).toBe('diagnose');
    expect(json.ports[0]).toEqual({
      port: 25,
      host: 'mail.example.org',
      expected: 'smtp',
      observed: 'smtp-starttls',
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', versions: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], certificate: cert() },
    });
  });
});
