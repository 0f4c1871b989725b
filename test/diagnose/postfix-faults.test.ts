/**
 * Diagnose against a real Postfix: a hardened configuration must yield nothing above info, and
 * each listener with one misconfiguration exactly its finding.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectOnly, runDiagnose, serious } from './run-diagnose.js';
import { startFaultyPostfix, type FaultyPostfix, type PostfixFault } from './postfix-faults.js';

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
});
