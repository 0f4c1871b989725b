/**
 * Diagnose against a real Dovecot 2.3 with one certificate fault per listen address
 * (test/diagnose/dovecot-faults.ts): each fault is found on IMAP with STARTTLS, IMAPS and POP3S
 * alike, at its severity, with nothing else above info; the lab's own Dovecot probed in the wrong
 * role is another protocol.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Finding } from '../../engine/report-types.js';
import { startFaultyDovecot, type DovecotFault, type FaultyDovecot } from './dovecot-faults.js';
import { expectOnly, runDiagnose, serious, type DiagnoseRun } from './run-diagnose.js';

const lab = inject('lab');
let dovecot: FaultyDovecot;
beforeAll(async () => {
  dovecot = await startFaultyDovecot(lab);
});
afterAll(async () => {
  await dovecot?.stop();
});

const trust = (): string[] => ['--ca', dovecot.rootCaPath, '--servername', lab.servername];
type Role = 'imap' | 'imaps' | 'pop3' | 'pop3s';
const url = (fault: DovecotFault, role: Role): string => `${role}://${dovecot.hosts[fault]}:${dovecot.ports[role]}`;
/** STARTTLS and implicit TLS, IMAP and POP3: the certificate and TLS settings are the same on all. */
const TLS_ROLES: readonly Role[] = ['imap', 'imaps', 'pop3s'];

/** Every port of `fault` has finding `id` at `severity`, and nothing else above info anywhere. */
async function expectOnEveryPort(fault: DovecotFault, id: string, severity: Finding['severity']): Promise<DiagnoseRun> {
  const r = await runDiagnose([...TLS_ROLES.map((role) => url(fault, role)), ...trust()]);
  const found = r.report.findings.filter((f) => f.id === id);
  expect(found.map((f) => [f.port, f.severity])).toEqual(TLS_ROLES.map((role) => [dovecot.ports[role], severity]));
  expect(serious(r.report).filter((s) => !s.startsWith(`${id}@`))).toEqual([]);
  return r;
}

describe('diagnose against a real Dovecot with one certificate fault per address', () => {
  it('finds nothing above info on the control address (the lab certificate and settings)', async () => {
    const r = await runDiagnose([...(['imap', 'imaps', 'pop3', 'pop3s'] as const).map((role) => url('correct', role)), ...trust()]);
    expect(serious(r.report)).toEqual([]);
    expect(r.report.ports?.map((p) => [p.observed, p.tls?.versions])).toEqual([
      ['imap-starttls', ['TLSv1.2', 'TLSv1.3']],
      ['tls', ['TLSv1.2', 'TLSv1.3']],
      ['pop3-starttls', ['TLSv1.2', 'TLSv1.3']],
      ['tls', ['TLSv1.2', 'TLSv1.3']],
    ]);
    expect(r.code).toBe(0);
  });

  it('a certificate for other.test: tls.cert.hostname-mismatch', async () => {
    const r = await expectOnEveryPort('wrongHost', 'tls.cert.hostname-mismatch', 'high');
    expect(r.report.findings[0]?.detail).toContain('other.test');
  });

  it('a self-signed certificate: tls.cert.self-signed', async () => {
    await expectOnEveryPort('selfSigned', 'tls.cert.self-signed', 'high');
  });

  it('an expired certificate: tls.cert.expired', async () => {
    await expectOnEveryPort('expired', 'tls.cert.expired', 'critical');
  });

  it('a certificate valid only from next week: tls.cert.not-yet-valid', async () => {
    await expectOnEveryPort('notYetValid', 'tls.cert.not-yet-valid', 'high');
  });

  it('a certificate that runs out in 5 days: tls.cert.expiring-soon', async () => {
    await expectOnEveryPort('expiringSoon', 'tls.cert.expiring-soon', 'high');
  });

  it('a chain from an unknown root: tls.cert.untrusted', async () => {
    await expectOnEveryPort('untrusted', 'tls.cert.untrusted', 'high');
  });

  it('ssl_cert without the intermediate: tls.chain.incomplete', async () => {
    await expectOnEveryPort('missingIntermediate', 'tls.chain.incomplete', 'high');
  });

  it('a 1024-bit RSA certificate (served at ssl_cipher_list = DEFAULT@SECLEVEL=0): tls.cert.weak-key', async () => {
    const r = await expectOnEveryPort('weakKey', 'tls.cert.weak-key', 'high');
    expect(r.report.findings[0]?.detail).toContain('1024-bit RSA');
  });

  it('a SHA-1-signed certificate (likewise): tls.cert.weak-signature', async () => {
    const r = await expectOnEveryPort('weakSignature', 'tls.cert.weak-signature', 'high');
    expect(r.report.findings[0]?.detail).toContain('sha1WithRSAEncryption');
  });

  it('a certificate OpenSSL refuses to load (1024-bit at the default level): port.silent on IMAPS, starttls.failed on IMAP', async () => {
    // Dovecot starts, logs "Can't load SSL certificate …: ee key too small" per connection and
    // closes it without a TLS alert: nothing distinguishes that from a port that never speaks.
    const r = await runDiagnose([url('unloadableKey', 'imaps'), url('unloadableKey', 'imap'), ...trust()]);
    expect(r.report.findings.map((f) => [f.id, f.severity, f.port])).toEqual([
      ['port.silent', 'high', dovecot.ports.imaps],
      ['starttls.failed', 'high', dovecot.ports.imap],
    ]);
    expect(r.report.findings[1]?.evidence).toEqual(expect.arrayContaining(['S: A2 OK Begin TLS negotiation now.']));
  });

  it('ssl_min_protocol = TLSv1: tls.version.legacy', async () => {
    const r = await expectOnEveryPort('legacyProtocols', 'tls.version.legacy', 'low');
    expect(r.report.ports?.map((p) => p.tls?.versions)).toEqual(TLS_ROLES.map(() => ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']));
  });

  it('POP3 still on the certificate from before the renewal IMAP got: tls.cert.differs-between-ports (low)', async () => {
    const r = await runDiagnose([url('stalePop3', 'imaps'), url('stalePop3', 'pop3s'), ...trust()]);
    const f = expectOnly(r, 'tls.cert.differs-between-ports', 'low');
    expect(f.evidence).toEqual([expect.stringMatching(new RegExp(`^I: port ${dovecot.ports.imaps}: `)), expect.stringMatching(new RegExp(`^I: port ${dovecot.ports.pop3s}: `))]);
    expect(r.report.findings.map((x) => x.id)).toEqual(['tls.cert.differs-between-ports']);
  });
});

describe("the lab's Dovecot probed in the wrong role", () => {
  it('IMAP as SMTP or POP3, IMAPS as SMTPS: port.wrong-protocol', async () => {
    const host = lab.hosts.imap;
    const ca = ['--ca', lab.rootCaPath, '--servername', lab.servername];
    expectOnly(await runDiagnose([`smtp://${host}:${lab.ports.imap}`, ...ca]), 'port.wrong-protocol', 'high');
    expectOnly(await runDiagnose([`pop3://${host}:${lab.ports.imap}`, ...ca]), 'port.wrong-protocol', 'high');
    expectOnly(await runDiagnose([`smtps://${host}:${lab.ports.imaps}`, ...ca]), 'port.wrong-protocol', 'high');
  });
});
