/**
 * STARTTLS injection and its companions on scripted servers (real servers do not stage these):
 * lines pipelined with STARTTLS answered inside TLS or in plaintext after the go-ahead,
 * STARTTLS accepted twice, STARTTLS offered again inside TLS; and a server that does it right.
 * Each in SMTP, IMAP and POP3, through the security checks and through diagnose.
 */
import { describe, expect, it } from 'vitest';
import { expectOnly, runDiagnose, serious } from '../diagnose/run-diagnose.js';
import { result, runSecurityChecks } from './run-security-checks.js';
import { scriptedTlsLab, type Protocol, type StarttlsScript } from './starttls-server.js';

const lab = scriptedTlsLab();

async function checks(protocol: Protocol, script: Omit<StarttlsScript, 'protocol' | 'cert'>, heard: string[] = []): Promise<Awaited<ReturnType<typeof runSecurityChecks>>> {
  const url = await lab.serve({ protocol, ...script }, heard);
  return runSecurityChecks([url], { ...lab.checkTrust(), only: [`${protocol}.security.starttls-*`] });
}

describe.each(['smtp', 'imap', 'pop3'] as const)('%s', (protocol) => {
  const injection = `${protocol}.security.starttls-injection`;
  const once = `${protocol}.security.starttls-once`;

  it('a server that keeps the pipelined line and answers it inside TLS: critical, seen before our first TLS command', async () => {
    const heard: string[] = [];
    const results = await checks(protocol, { pipelined: 'answer-inside-tls' }, heard);
    const r = result(results, injection);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^starttls\.command-injection \(critical\): .* answered inside TLS before the client's first TLS command/);
    expect(heard.some((l) => l.endsWith('(kept from plaintext)'))).toBe(true);
    // STARTTLS inside TLS is judged on a clean upgrade of its own.
    expect(result(results, once).status).toBe('pass');
  });

  it('a server that answers the pipelined line in plaintext after the go-ahead: critical', async () => {
    const r = result(await checks(protocol, { pipelined: 'answer-in-plaintext' }), injection);
    expect(r.status).toBe('fail');
    // Before the handshake began the bytes are seen as such; during it they break it, twice.
    expect(r.message).toMatch(/plaintext bytes followed the go-ahead|met non-TLS bytes \(wrong version number\); a second attempt/);
  });

  it('a server that discards it, refuses a second STARTTLS and stops offering it: both pass', async () => {
    const results = await checks(protocol, {});
    expect(results.map((c) => [c.id, c.status])).toEqual([
      [injection, 'pass'],
      [once, 'pass'],
    ]);
    expect(result(results, injection).message).toMatch(/^the command sent with (STARTTLS|STLS) was discarded$/);
    expect(result(results, once).message).toMatch(/^(STARTTLS|STLS) is not offered again inside TLS, and a second (STARTTLS|STLS) was refused \((554 5\.5\.1|MPS1 BAD|-ERR) TLS already active\)$/);
  });

  it('STARTTLS accepted twice, or offered again inside TLS: low (warn)', async () => {
    const twice = result(await checks(protocol, { acceptTwice: true }), once);
    expect([twice.status, twice.message]).toEqual(['warn', expect.stringMatching(/^starttls\.accepted-twice \(low\): Inside TLS a second (STARTTLS|STLS) got the go-ahead/)]);
    const again = result(await checks(protocol, { readvertise: true }), once);
    expect([again.status, again.message]).toEqual(['warn', expect.stringMatching(/^starttls\.readvertised-after-tls \(low\)/)]);
  });
});

describe('diagnose', () => {
  const trust = (): string[] => lab.cliTrust();

  it('reports injection as critical in every protocol, and STARTTLS accepted twice as low', async () => {
    for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
      const url = await lab.serve({ protocol, pipelined: 'answer-inside-tls' });
      expectOnly(await runDiagnose([url, ...trust()]), 'starttls.command-injection', 'critical');
    }
    const url = await lab.serve({ protocol: 'smtp', acceptTwice: true });
    const f = expectOnly(await runDiagnose([url, ...trust()]), 'starttls.accepted-twice', 'low');
    expect(f.evidence).toEqual(['C: STARTTLS', 'S: 220 2.0.0 go ahead']);
    expect(f.fix).toMatch(/Postfix: 554 5\.5\.1/);
  });

  it('leaves a correct server alone (re-advertisement stays with the main conversation, reported once)', async () => {
    const r = await runDiagnose([await lab.serve({ protocol: 'imap' }), ...trust()]);
    expect(serious(r.report)).toEqual([]);
    const again = await runDiagnose([await lab.serve({ protocol: 'pop3', readvertise: true }), ...trust()]);
    expect(again.report.findings.map((x) => x.id)).toEqual(['starttls.readvertised-after-tls']);
  });
});
