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
/** Needs the opt-in mail-transaction probes (issue 8); covered by test/security. */
const NEEDS_PROBES = new Set(['bare-lf-end-of-data']);

async function diagnoseWith(fault: string): Promise<Report> {
  const sb = await startSandbox({ faults: [fault], greetingDelayMs: 1500, caFile: true });
  try {
    const io = fakeIo({ MAILPROBE_PASSWORD: sb.users[0]!.password });
    const args = ['diagnose', ...Object.values(sb.urls), '--ca', sb.caFile!, '--servername', sb.servername, '--user', sb.users[0]!.address, '--timeout', '1s', '--json', '-'];
    await main(args, io);
    return JSON.parse(io.out()) as Report;
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
      const report = await diagnoseWith(profile.id);
      const ids = new Set(report.findings.map((f) => f.id));
      for (const id of profile.findings) expect(ids, `${id} missing; found ${[...ids].join(', ')}`).toContain(id);
      const allowed = new Set([...profile.findings, ...(INHERENT[profile.id] ?? [])]);
      const serious = report.findings.filter((f) => f.severity !== 'info' && !allowed.has(f.id)).map((f) => `${f.id} (${f.severity})`);
      expect(serious).toEqual([]);
      if (INFO_LEVEL.has(profile.id)) expect(report.findings.filter((f) => allowed.has(f.id)).every((f) => f.severity === 'info')).toBe(true);
    });
  }
});
