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
const PASSWORD = { MAILPROBE_PASSWORD: 'correct horse' };

describe('diagnose: authentication exposure', () => {
  it('finds SMTP AUTH PLAIN offered before STARTTLS', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), caps: ['STARTTLS', 'AUTH PLAIN LOGIN'] });
    const f = expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'auth.plaintext-before-tls');
    expect(f.evidence).toEqual(['S: 250 AUTH PLAIN LOGIN']);
  });

  it('finds IMAP without LOGINDISABLED and POP3 USER before STLS', async () => {
    server = await faultServer({ protocol: 'imap', starttls: labCert(lab.pki), caps: ['STARTTLS'] });
    expectOnly(await runDiagnose([`imap://127.0.0.1:${server.port}`, ...trust()]), 'auth.plaintext-before-tls');
    await server.close();
    server = await faultServer({ protocol: 'pop3', starttls: labCert(lab.pki), caps: ['STLS', 'USER'] });
    const f = expectOnly(await runDiagnose([`pop3://127.0.0.1:${server.port}`, ...trust()]), 'auth.plaintext-before-tls');
    expect(f.detail).toContain('USER');
  });

  it('proves a cleartext login works only when given credentials, and says so', async () => {
    const heard: string[] = [];
    server = await faultServer({ starttls: labCert(lab.pki), caps: ['STARTTLS', 'AUTH PLAIN'], acceptLogin: true }, heard);
    const without = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]);
    expect(without.report.findings.map((f) => f.id)).toEqual(['auth.plaintext-before-tls']);
    expect(heard.some((l) => l.startsWith('AUTH'))).toBe(false);
    const r = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust(), '--user', 'alice'], PASSWORD);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['auth.plaintext-before-tls', 'high'],
      ['auth.plaintext-accepted', 'critical'],
    ]);
    const accepted = r.report.findings[1]!;
    expect(accepted.detail).toMatch(/because you gave credentials/);
    expect(JSON.stringify(r.report)).not.toContain(Buffer.from('\0alice\0correct horse').toString('base64'));
    expect(r.console).toMatch(/login will be attempted over cleartext/);
  });

  it('does not send a password where cleartext login is not offered', async () => {
    const heard: string[] = [];
    server = await faultServer({ starttls: labCert(lab.pki), acceptLogin: true }, heard);
    const r = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust(), '--user', 'alice'], PASSWORD);
    expect(serious(r.report)).toEqual([]);
    expect(heard.filter((l) => /^AUTH/i.test(l))).toEqual([]);
  });

  it('finds a submission port without AUTH even inside TLS', async () => {
    server = await faultServer({ starttls: labCert(lab.pki), capsTls: ['PIPELINING'] });
    expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]), 'auth.not-offered');
    // The same on an MX is how it should be.
    expect(serious((await runDiagnose([`smtp://127.0.0.1:${server.port}`, ...trust()])).report)).toEqual([]);
  });

  it('finds an IMAP PREAUTH greeting', async () => {
    server = await faultServer({ protocol: 'imap', greeting: '* PREAUTH IMAP4rev1 logged in as you' });
    expectOnly(await runDiagnose([`imap://127.0.0.1:${server.port}`]), 'auth.preauth-greeting');
  });
});
