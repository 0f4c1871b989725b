import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptServer } from '../helpers/script-server.js';
import { faultServer, labCert } from './fault-server.js';
import { expectOnly, labTrust, runDiagnose, serious } from './run-diagnose.js';

const lab = labTrust();
let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const trust = lab.args;

describe('diagnose: STARTTLS', () => {
  it('a correct STARTTLS submission server has nothing above info', async () => {
    server = await faultServer({ starttls: labCert(lab.pki) });
    const r = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]);
    expect(serious(r.report)).toEqual([]);
    expect(r.report.ports?.[0]).toMatchObject({ observed: 'smtp-starttls', tls: { version: 'TLSv1.3', versions: ['TLSv1.2', 'TLSv1.3'], certificate: { trusted: true, chainLength: 2 } } });
    expect(r.code).toBe(0);
  });

  it('reports STARTTLS missing on a submission port (high) and on an MX (medium)', async () => {
    server = await faultServer({ caps: ['PIPELINING', 'AUTH PLAIN'] });
    const sub = await runDiagnose([`submission://127.0.0.1:${server.port}`]);
    expect(sub.report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['starttls.not-offered', 'high'],
      ['auth.plaintext-before-tls', 'high'],
    ]);
    await server.close();
    server = await faultServer({ caps: ['PIPELINING'] });
    expectOnly(await runDiagnose([`smtp://127.0.0.1:${server.port}`]), 'starttls.not-offered', 'medium');
  });

  it('reports a refused STARTTLS as failed', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), refuseStarttls: '454 4.7.0 TLS not available due to local problem' });
    const f = expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'starttls.failed');
    expect(f.detail).toContain('454 4.7.0');
  });

  it('reports a STARTTLS whose handshake never happens as failed', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), dropAfterGoAhead: true });
    const f = expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'starttls.failed');
    expect(f.detail).toMatch(/accepted STARTTLS but the TLS handshake failed/);
  });

  it('reports STARTTLS offered again inside TLS', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), capsTls: ['STARTTLS', 'AUTH PLAIN'] });
    expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'starttls.readvertised-after-tls', 'low');
  });

  it('finds a server that answers a command injected with STARTTLS inside TLS', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), keepBuffer: true });
    const f = expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'starttls.command-injection');
    expect(f.detail).toMatch(/answered inside TLS/);
  });

  it('does the same for IMAP and POP3, and leaves servers that discard the injection alone', async () => {
    server = await faultServer({ protocol: 'imap', caps: ['STARTTLS', 'LOGINDISABLED'], starttls: labCert(lab.pki), keepBuffer: true });
    expectOnly(await runDiagnose([`imap://127.0.0.1:${server.port}`, ...trust()]), 'starttls.command-injection');
    await server.close();
    server = await faultServer({ protocol: 'pop3', starttls: labCert(lab.pki), keepBuffer: true });
    expectOnly(await runDiagnose([`pop3://127.0.0.1:${server.port}`, ...trust()]), 'starttls.command-injection');
    await server.close();
    server = await faultServer({ protocol: 'pop3', starttls: labCert(lab.pki) });
    expect(serious((await runDiagnose([`pop3://127.0.0.1:${server.port}`, ...trust()])).report)).toEqual([]);
  });

  it('counts plaintext after the go-ahead as injection, whether it lands before or during the handshake', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), answerInPlaintextAfterMs: 0 });
    expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'starttls.command-injection');
    await server.close();
    // Late enough to arrive after the client stopped reading plaintext: "wrong version number",
    // twice in a row, while a STARTTLS without injection works.
    server = await faultServer({ starttls: labCert(lab.pki), answerInPlaintextAfterMs: 30 });
    const f = expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'starttls.command-injection');
    expect(f.detail).toMatch(/second attempt/);
  });
});
