/**
 * A Report with every verdict, two targets, findings on both sides of the default --fail-on,
 * and server text built to break each output format: markup, `]]>`, control bytes, a table
 * pipe, a code fence and a lone surrogate.
 */
import type { TranscriptEntry } from '../../drivers/transcript.js';
import { SCHEMA_VERSION, summarize, type CheckResult, type CheckStatus, type Finding, type Report } from '../../engine/report-types.js';

/** What a hostile greeting might hold. */
export const HOSTILE = '<script>alert(1)</script> ]]> a|b ``` x\u0000y\u001b[31mz\u0007 \uD800 & "q" \'s\' cr\rlf';

export const SMTP_URL = 'smtp://127.0.0.1:25';
export const IMAP_URL = 'imap://127.0.0.1:143';

/** `count` ordinary lines, then one line carrying HOSTILE, 1.5 ms apart. */
export function transcript(count: number): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (let i = 0; i < count; i++) entries.push({ t: i * 1.5, dir: i % 2 === 0 ? 'C' : 'S', text: `line ${i}` });
  entries.push({ t: count * 1.5, dir: 'S', text: `500 ${HOSTILE}` });
  return entries;
}

/** One check result; `id` defaults to a per-status id. */
export function fixtureCheck(status: CheckStatus, overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    id: `smtp.fixture.${status}`,
    protocol: 'smtp',
    target: SMTP_URL,
    title: `a ${status} check`,
    ref: 'RFC 5321 §4.1.1.1',
    level: 'MUST',
    status,
    message: `${status}: expected 250, got 500`,
    durationMs: 12,
    transcript: [],
    ...overrides,
  };
}

export function fixtureChecks(): CheckResult[] {
  return [
    fixtureCheck('pass', { id: 'smtp.ehlo.multiline-format', title: 'EHLO reply lines are well formed', transcript: transcript(2) }),
    fixtureCheck('fail', { message: `expected 250, got 500 ${HOSTILE}`, transcript: transcript(30), source: 'my.yaml:14' }),
    fixtureCheck('warn', { level: 'SHOULD', message: `VRFY answered 502 ${HOSTILE}`, transcript: transcript(3) }),
    fixtureCheck('skip', { message: 'the server does not announce STARTTLS' }),
    fixtureCheck('inconclusive', { message: '421 try again later', transcript: transcript(1) }),
    fixtureCheck('pass', { id: 'imap.capability.imap4rev1', protocol: 'imap', target: IMAP_URL, durationMs: 1500 }),
    fixtureCheck('error', { id: 'imap.fixture.error', protocol: 'imap', target: IMAP_URL, message: `TypeError: ${HOSTILE}`, transcript: transcript(4) }),
  ];
}

export function fixtureFindings(): Finding[] {
  return [
    {
      id: 'smtp.vrfy-enabled',
      severity: 'low',
      target: '127.0.0.1:25',
      title: 'VRFY reveals mailboxes',
      detail: 'VRFY postmaster answered 250',
      fix: 'Postfix: disable_vrfy_command = yes',
      evidence: ['C: VRFY postmaster', 'S: 250 <postmaster@example.org>'],
    },
    {
      id: 'tls.cert.expired',
      severity: 'high',
      target: '127.0.0.1:465',
      port: 465,
      title: `The certificate expired | ${HOSTILE}`,
      detail: `notAfter was 2020-01-01 ${HOSTILE}`,
      fix: 'Renew it: `certbot renew` | reload',
      evidence: [HOSTILE],
    },
  ];
}

/** The whole report; `overrides` replace top-level fields (summary follows `checks`). */
export function fixtureReport(overrides: Partial<Report> = {}): Report {
  const checks = overrides.checks ?? fixtureChecks();
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: '0.1.0' },
    command: 'check',
    startedAt: '2025-01-02T03:04:05.678Z',
    durationMs: 3210,
    targets: [SMTP_URL, IMAP_URL],
    server: { [SMTP_URL]: { greeting: `220 ${HOSTILE}`, capabilities: ['PIPELINING', 'STARTTLS'] } },
    findings: fixtureFindings(),
    ...overrides,
    checks,
    summary: summarize(checks),
  };
}
