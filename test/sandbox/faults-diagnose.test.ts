/**
 * Every fault profile shows up in `mailprobe diagnose` as its finding id, and nothing else
 * above info does (false alarms are bugs too).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/main.js';
import type { Report } from '../../engine/report-types.js';
import { FAULT_PROFILES, startSandbox } from '../../sandbox/index.js';
import { fakeIo } from '../helpers/cli.js';

/** Findings a profile brings along by nature (documented in docs/sandbox.md). */
const INHERENT: Readonly<Record<string, readonly string[]>> = {
  // Without STARTTLS a submission port cannot offer AUTH (it requires TLS first).
  'no-starttls': ['auth.not-offered'],
};
/** Profiles whose finding is info by design (a slow greeting makes results inconclusive, not failed). */
const INFO_LEVEL = new Set(['slow-greeting']);
/** Needs the opt-in mail-transaction probes (--probes --rcpt, issue 8): its own test below. */
const NEEDS_PROBES = new Set(['bare-lf-end-of-data']);

/** diagnose on every port of a sandbox with `fault`; `probes`: with --probes --rcpt a local user (not the login). */
async function diagnoseWith(fault: string, options: { probes?: boolean } = {}): Promise<{ code: number; report: Report; smtpPorts: number[] }> {
  const sb = await startSandbox({ faults: [fault], greetingDelayMs: 1500, caFile: true });
  try {
    const io = fakeIo({ MAILPROBE_PASSWORD: sb.users[0]!.password });
    const probes = options.probes ? ['--probes', '--rcpt', sb.users[1]!.address] : [];
    const args = ['diagnose', ...Object.values(sb.urls), '--ca', sb.caFile!, '--servername', sb.servername, '--user', sb.users[0]!.address, '--timeout', '1s', ...probes, '--json', '-'];
    const code = await main(args, io);
    const smtpPorts = [sb.urls.smtp, sb.urls.submission, sb.urls.submissions].map((u) => Number(new URL(u).port));
    return { code, report: JSON.parse(io.out()) as Report, smtpPorts };
  } finally {
    await sb.stop();
  }
}

describe('sandbox fault profiles → diagnose findings', () => {
  it('a sandbox without faults has no finding above info', async () => {
    const sb = await startSandbox({ caFile: true });
    try {
      const io = fakeIo({});
      await main(['diagnose', ...Object.values(sb.urls), '--ca', sb.caFile!, '--servername', sb.servername, '--json', '-'], io);
      const report = JSON.parse(io.out()) as Report;
      expect(report.findings.filter((f) => f.severity !== 'info').map((f) => f.id)).toEqual([]);
    } finally {
      await sb.stop();
    }
  });

  for (const profile of FAULT_PROFILES.filter((p) => !NEEDS_PROBES.has(p.id))) {
    it(`${profile.id} → ${profile.findings.join(', ')}`, async () => {
      const { report } = await diagnoseWith(profile.id);
      const ids = new Set(report.findings.map((f) => f.id));
      for (const id of profile.findings) expect(ids, `${id} missing; found ${[...ids].join(', ')}`).toContain(id);
      const allowed = new Set([...profile.findings, ...(INHERENT[profile.id] ?? [])]);
      const serious = report.findings.filter((f) => f.severity !== 'info' && !allowed.has(f.id)).map((f) => `${f.id} (${f.severity})`);
      expect(serious).toEqual([]);
      if (INFO_LEVEL.has(profile.id)) expect(report.findings.filter((f) => allowed.has(f.id)).every((f) => f.severity === 'info')).toBe(true);
    });
  }

  it('bare-lf-end-of-data → smtp.smuggling through diagnose --probes --rcpt, naming each bare-LF end sequence', async () => {
    const { code, report, smtpPorts } = await diagnoseWith('bare-lf-end-of-data', { probes: true });
    const smuggling = report.findings.filter((f) => f.id === 'smtp.smuggling');
    // The naive session ends the data at any lone "." line, bare LF on either side included; the
    // profile covers the three SMTP ports (submission ones probed as the --user login).
    const variants = ['<LF>.<LF>', '<CR><LF>.<LF>', '<LF>.<CR><LF>'];
    expect(smuggling.map((f) => [f.severity, f.port, /ended the message at (\S+)/.exec(f.detail)?.[1]])).toEqual(smtpPorts.flatMap((port) => variants.map((v) => ['critical', port, v])));
    const summaries = report.findings.filter((f) => f.id === 'smtp.smuggling-variants');
    expect(summaries.map((f) => [f.port, f.severity])).toEqual(smtpPorts.map((port) => [port, 'info']));
    for (const f of summaries) expect(f.detail).toContain('<LF>.<LF>: accepted');
    const serious = report.findings.filter((f) => f.severity !== 'info' && f.id !== 'smtp.smuggling').map((f) => `${f.id} (${f.severity}) @${f.port ?? f.target}: ${f.detail}`);
    expect(serious).toEqual([]);
    expect(code).toBe(1);
  });
});
