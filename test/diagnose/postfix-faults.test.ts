/**
 * Diagnose against a real Postfix: a hardened configuration must yield nothing above info, and
 * each listener with one misconfiguration exactly its finding (certificates minted at test time,
 * test/diagnose/fault-certs.ts).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectOnly, runDiagnose, serious } from './run-diagnose.js';
import { POSTSCREEN_GREET_WAIT_S, startFaultyPostfix, type FaultyPostfix, type PostfixFault } from './postfix-faults.js';

const lab = inject('lab');
let postfix: FaultyPostfix;
beforeAll(async () => {
  postfix = await startFaultyPostfix(lab);
});
afterAll(async () => {
  await postfix?.stop();
});

const trust = (): string[] => ['--ca', postfix.rootCaPath, '--servername', lab.servername];
const url = (scheme: string, fault: PostfixFault | 'smtp' | 'submission' | 'smtps'): string => `${scheme}://${postfix.host}:${postfix.ports[fault]}`;

describe('diagnose against a real Postfix with one fault per port', () => {
  it('finds nothing above info on the hardened MX, submission and smtps ports', async () => {
    const r = await runDiagnose([url('smtp', 'smtp'), url('submission', 'submission'), url('smtps', 'smtps'), ...trust()]);
    expect(serious(r.report)).toEqual([]);
    expect(r.report.findings).toEqual([]);
    expect(r.report.ports?.map((p) => [p.observed, p.tls?.versions])).toEqual([
      ['smtp-starttls', ['TLSv1.2', 'TLSv1.3']],
      ['smtp-starttls', ['TLSv1.2', 'TLSv1.3']],
      ['tls', ['TLSv1.2', 'TLSv1.3']],
    ]);
    expect(r.code).toBe(0);
  });

  it('smtpd_tls_wrappermode=yes on a STARTTLS port: port.tls-on-plaintext-port', async () => {
    expectOnly(await runDiagnose([url('submission', 'wrapperOn587'), ...trust(), '--timeout', '1s']), 'port.tls-on-plaintext-port');
  });

  it('no wrappermode on the smtps port: port.plaintext-on-implicit-tls-port', async () => {
    expectOnly(await runDiagnose([url('smtps', 'plainOn465'), ...trust()]), 'port.plaintext-on-implicit-tls-port');
  });

  it('smtpd_tls_auth_only=no: auth.plaintext-before-tls, and with credentials auth.plaintext-accepted', async () => {
    expectOnly(await runDiagnose([url('submission', 'authBeforeTls'), ...trust()]), 'auth.plaintext-before-tls');
    const user = lab.users[1]!;
    const r = await runDiagnose([url('submission', 'authBeforeTls'), ...trust(), '--user', user.user], { MAILPROBE_PASSWORD: user.password });
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['auth.plaintext-before-tls', 'high'],
      ['auth.plaintext-accepted', 'critical'],
    ]);
    expect(JSON.stringify(r.report)).not.toContain(user.password);
  });

  it('smtpd_tls_security_level=none on submission: STARTTLS and AUTH missing', async () => {
    const r = await runDiagnose([url('submission', 'noTls'), ...trust()]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['starttls.not-offered', 'high'],
      ['auth.not-offered', 'medium'],
    ]);
  });

  it('smtpd_sasl_auth_enable=no on submission: auth.not-offered', async () => {
    expectOnly(await runDiagnose([url('submission', 'noSasl'), ...trust()]), 'auth.not-offered');
  });

  it('smtpd_tls_chain_files without the intermediate: tls.chain.incomplete', async () => {
    expectOnly(await runDiagnose([url('smtps', 'missingIntermediate'), ...trust()]), 'tls.chain.incomplete');
  });

  it('an expired certificate: tls.cert.expired', async () => {
    expectOnly(await runDiagnose([url('smtps', 'expired'), ...trust()]), 'tls.cert.expired');
  });

  it('Postfix default protocols on submission: tls.version.legacy', async () => {
    expectOnly(await runDiagnose([url('smtps', 'legacyProtocols'), ...trust()]), 'tls.version.legacy', 'low');
  });

  it('a leaf valid only from next week: tls.cert.not-yet-valid', async () => {
    expectOnly(await runDiagnose([url('smtps', 'notYetValid'), ...trust()]), 'tls.cert.not-yet-valid', 'high');
  });

  it('a leaf that runs out in 5 days: tls.cert.expiring-soon', async () => {
    const f = expectOnly(await runDiagnose([url('smtps', 'expiringSoon'), ...trust()]), 'tls.cert.expiring-soon', 'high');
    expect(f.detail).toMatch(/in [45] days/);
  });

  it('a certificate for other.test behind STARTTLS: tls.cert.hostname-mismatch', async () => {
    const f = expectOnly(await runDiagnose([url('submission', 'wrongHost'), ...trust()]), 'tls.cert.hostname-mismatch', 'high');
    expect(f.detail).toContain('other.test');
  });

  it('a self-signed leaf: tls.cert.self-signed, high on smtps and medium on an MX', async () => {
    expectOnly(await runDiagnose([url('smtps', 'selfSigned'), ...trust()]), 'tls.cert.self-signed', 'high');
    expectOnly(await runDiagnose([url('smtp', 'selfSignedMx'), ...trust()]), 'tls.cert.self-signed', 'medium');
  });

  it('a chain from an unknown root, intermediate included: tls.cert.untrusted', async () => {
    const f = expectOnly(await runDiagnose([url('smtps', 'untrusted'), ...trust()]), 'tls.cert.untrusted', 'high');
    expect(f.detail).toContain('mailprobe unknown root');
  });

  it('a 1024-bit RSA leaf (Postfix serves it without any security-level setting): tls.cert.weak-key', async () => {
    const f = expectOnly(await runDiagnose([url('smtps', 'weakKey'), ...trust()]), 'tls.cert.weak-key', 'high');
    expect(f.detail).toContain('1024-bit RSA');
  });

  it('a SHA-1-signed leaf: tls.cert.weak-signature', async () => {
    const f = expectOnly(await runDiagnose([url('smtps', 'weakSignature'), ...trust()]), 'tls.cert.weak-signature', 'high');
    expect(f.detail).toContain('sha1WithRSAEncryption');
  });

  it('smtpd_tls_protocols = <=TLSv1.1: tls.version.no-tls12 (and legacy)', async () => {
    const r = await runDiagnose([url('smtps', 'noTls12'), ...trust()]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['tls.version.legacy', 'low'],
      ['tls.version.no-tls12', 'high'],
    ]);
    expect(r.report.ports?.[0]?.tls?.versions).toEqual(['TLSv1', 'TLSv1.1']);
  });

  it('smtpd_tls_protocols = >=TLSv1.3: tls.version.no-tls12 (low: only clients stuck on TLS 1.2 suffer)', async () => {
    const r = await runDiagnose([url('smtps', 'tls13Only'), ...trust()]);
    expectOnly(r, 'tls.version.no-tls12', 'low');
    expect(r.report.ports?.[0]?.tls?.versions).toEqual(['TLSv1.3']);
  });

  it('one listener still on the certificate from before a renewal: tls.cert.differs-between-ports (low)', async () => {
    const ports = `${postfix.ports.smtps}=smtps,${postfix.ports.stale}=smtps`;
    const r = await runDiagnose([postfix.host, '--ports', ports, ...trust()]);
    const f = expectOnly(r, 'tls.cert.differs-between-ports', 'low');
    expect(f.detail).toMatch(/not reloaded/);
    expect(r.report.findings.map((x) => x.id)).toEqual(['tls.cert.differs-between-ports']);
  });

  it('a commented-out submission service: port.closed (high when --ports or a URL names the port)', async () => {
    const host = await runDiagnose([postfix.host, '--ports', `${postfix.ports.smtp}=smtp,${postfix.ports.disabled}=submission`, ...trust()]);
    const f = expectOnly(host, 'port.closed', 'high');
    expect(f.port).toBe(postfix.ports.disabled);
    const alone = await runDiagnose([url('submission', 'disabled'), ...trust()]);
    expectOnly(alone, 'port.closed', 'high');
    expect(alone.code).toBe(4);
  });

  it('an SMTP port probed as IMAP and as POP3: port.wrong-protocol', async () => {
    expectOnly(await runDiagnose([url('imap', 'smtp'), ...trust()]), 'port.wrong-protocol', 'high');
    expectOnly(await runDiagnose([url('pop3s', 'smtps'), ...trust()]), 'port.wrong-protocol', 'high');
  });

  it('smtpd_client_connection_rate_limit: refused probes, then a 421 greeting, are port.rate-limited (info), not failures', async () => {
    // One connection per minute: the first run's session gets through, its version probes do not.
    const first = await runDiagnose([url('smtp', 'rateLimited'), ...trust()]);
    expect(expectOnly(first, 'port.rate-limited', 'info').detail).toMatch(/could not be tested/);
    const second = await runDiagnose([url('smtp', 'rateLimited'), ...trust()]);
    const f = expectOnly(second, 'port.rate-limited', 'info');
    expect(f.evidence.join('\n')).toMatch(/^S: 421 4\.7\.0 .*too many connections/m);
    expect(second.code).toBe(0);
  });

  it('postscreen_greet_wait past the greeting budget: port.rate-limited (info); within it, nothing', async () => {
    // --timeout 500ms: the rest of the greeting may take 1 s; postscreen sends it after 2 s.
    const cut = await runDiagnose([url('smtp', 'postscreen'), ...trust(), '--timeout', '500ms']);
    expect(expectOnly(cut, 'port.rate-limited', 'info').detail).toMatch(/did not finish/);
    // The default 5 s waits it out; postscreen then remembers the client and hands later
    // connections (the TLS-version probes) straight to smtpd.
    const t0 = performance.now();
    const waited = await runDiagnose([url('smtp', 'postscreen'), ...trust()]);
    expect(performance.now() - t0).toBeGreaterThan(POSTSCREEN_GREET_WAIT_S * 1000 - 100);
    expect(serious(waited.report)).toEqual([]);
    expect(waited.report.ports?.[0]).toMatchObject({ observed: 'smtp-starttls', tls: { versions: ['TLSv1.2', 'TLSv1.3'] } });
  });

  it('smtpd_delay_reject = no and a client restriction that rejects: port.service-unavailable', async () => {
    const f = expectOnly(await runDiagnose([url('smtp', 'clientRejected'), ...trust()]), 'port.service-unavailable', 'high');
    expect(f.evidence).toEqual([expect.stringMatching(/^S: 554 5\.7\.1 .*Client host rejected/)]);
  });

  it('a certificate file that does not exist: starttls.failed on an MX, tls.handshake-failed on smtps', async () => {
    const mx = expectOnly(await runDiagnose([url('smtp', 'missingCertMx'), ...trust()]), 'starttls.failed', 'high');
    expect(mx.evidence.join('\n')).toContain('S: 220 2.0.0 Ready to start TLS');
    expectOnly(await runDiagnose([url('smtps', 'missingCertSmtps'), ...trust()]), 'tls.handshake-failed', 'high');
  });
});
