/**
 * The goal of the sandbox: every built-in check runs against it without a `fail` or an `error`
 * (SHOULDs it declines are `warn`), and the interop suite (nodemailer, imapflow) round-trips a
 * message byte-exact. A failure here is a sandbox deviation from the RFC, or a check bug.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import { runInterop } from '../../suites/interop/round-trip.js';
import { builtinChecks, type BuiltinSuite } from '../../suites/index.js';
import { startSandbox, type PortName, type Sandbox } from '../../sandbox/index.js';
import { unexpected } from '../helpers/run-lab-checks.js';
import { tlsOf } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(() => sb.stop());

async function runOn(suite: BuiltinSuite, ports: readonly PortName[]): Promise<Awaited<ReturnType<typeof runChecks>>> {
  const u = sb.users[0]!;
  return runChecks({
    targets: ports.map((p) => parseTarget(sb.urls[p])),
    checks: await builtinChecks([suite]),
    tls: tlsOf(sb),
    starttls: 'optional',
    timeouts: { connectMs: 5000, greetingMs: 5000, tlsMs: 5000 },
    stepTimeoutMs: 5000,
    fixtures: { credentials: { user: u.address, password: secret(u.password) }, rcpt: sb.users[1]!.address, mailbox: 'INBOX', clientName: 'client.mailprobe.test' },
    signal: undefined,
    concurrency: 6,
  });
}

describe('built-in suites against the sandbox', () => {
  it.each([
    ['smtp', ['smtp', 'submission', 'submissions']],
    ['imap', ['imap', 'imaps']],
    ['pop3', ['pop3', 'pop3s']],
  ] as const)('%s: no fail, no error', async (suite, ports) => {
    const out = await runOn(suite, ports);
    expect(out.unreachable).toEqual([]);
    expect(out.checks.length).toBeGreaterThan(0);
    const bad = out.checks.filter((c) => c.status === 'fail' || c.status === 'error');
    expect(bad, unexpected(bad, [])).toEqual([]);
    expect(out.checks.filter((c) => c.status === 'pass').length).toBeGreaterThan(out.checks.length / 3);
  }, 60_000);

  it('interop: nodemailer submits, imapflow and POP3 read it back byte-exact', async () => {
    const u = sb.users[0]!;
    const results = await runInterop({
      smtp: parseTarget(sb.urls.submission),
      imap: parseTarget(sb.urls.imaps),
      pop3: parseTarget(sb.urls.pop3),
      tls: tlsOf(sb),
      credentials: { user: u.address, password: secret(u.password) },
      rcpt: undefined,
      timeoutMs: 5000,
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['interop.submit', 'pass'],
      ['interop.imap-fetch', 'pass'],
      ['interop.pop3-retr', 'pass'],
    ]);
  }, 30_000);
});

describe('the naive SMTP front end (used by two faults) fails only what its fault breaks', () => {
  it.each([
    ['bare-lf-end-of-data', ['smtp.data.lf-dot-lf-not-end']],
    ['starttls-injection', ['imap.starttls.no-plaintext-injection', 'pop3.stls.no-injection', 'smtp.starttls.no-command-injection']],
  ])('%s', async (fault, expected) => {
    const faulty = await startSandbox({ faults: [fault] });
    try {
      const u = faulty.users[0]!;
      const out = await runChecks({
        targets: (['smtp', 'submission', 'submissions', 'imap', 'pop3'] as const).map((p) => parseTarget(faulty.urls[p])),
        checks: await builtinChecks(),
        tls: tlsOf(faulty),
        starttls: 'optional',
        timeouts: { connectMs: 5000, greetingMs: 5000, tlsMs: 5000 },
        stepTimeoutMs: 5000,
        fixtures: { credentials: { user: u.address, password: secret(u.password) }, rcpt: faulty.users[1]!.address, mailbox: 'INBOX', clientName: 'client.mailprobe.test' },
        signal: undefined,
        concurrency: 6,
      });
      const failed = [...new Set(out.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id))].sort();
      expect(failed).toEqual(expected);
    } finally {
      await faulty.stop();
    }
  }, 60_000);
});
