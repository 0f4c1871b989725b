/**
 * Authentication probes against real Dovecot 2.3: a second instance that accepts passwords
 * before TLS (disable_plaintext_auth = no) against the lab's (= yes), both on 127.0.0.2 so the
 * client is not "local" to Dovecot. Cleartext logins are found (and proven only when allowed);
 * the lab's Dovecot yields nothing above info, and its failed logins are not slowed down (the
 * lab sets auth_failure_delay = 0 and turns the auth penalty off), which is info.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Finding } from '../../engine/report-types.js';
import { labUrl } from '../helpers/run-lab-checks.js';
import { runDiagnose, serious } from '../diagnose/run-diagnose.js';
import { startCleartextDovecot, type CleartextDovecot } from './dovecot-cleartext.js';
import { result, runSecurityChecks } from './run-security-checks.js';

const lab = inject('lab');
const user = lab.users[0]!;
let dovecot: CleartextDovecot;
beforeAll(async () => {
  dovecot = await startCleartextDovecot(lab);
});
afterAll(async () => {
  await dovecot?.stop();
});

const clear = (p: 'imap' | 'pop3'): string => `${p}://${dovecot.host}:${dovecot.ports[p]}`;
const trust = (): string[] => ['--ca', lab.rootCaPath, '--servername', lab.servername];
const checkTrust = { servername: lab.servername, ca: lab.rootCaPem } as const;
const clearTrust = (): string[] => ['--ca', dovecot.rootCaPath, '--servername', lab.servername];
const clearCheckTrust = (): { servername: string; ca: string } => ({ servername: lab.servername, ca: dovecot.rootCaPem });
const login = { user: user.user, password: user.password };
const pairs = (fs: readonly Finding[]): string[][] => fs.map((f) => [f.id, f.severity, String(f.port)]);

describe('Dovecot with cleartext authentication allowed (disable_plaintext_auth = no)', () => {
  it('diagnose --user proves IMAP LOGIN and POP3 USER/PASS work in cleartext (critical), without leaking the password', async () => {
    const r = await runDiagnose([clear('imap'), clear('pop3'), ...clearTrust(), '--user', user.user], { MAILPROBE_PASSWORD: user.password });
    expect(pairs(r.report.findings)).toEqual([
      ['auth.plaintext-before-tls', 'high', String(dovecot.ports.imap)],
      ['auth.plaintext-accepted', 'critical', String(dovecot.ports.imap)],
      ['auth.plaintext-before-tls', 'high', String(dovecot.ports.pop3)],
      ['auth.plaintext-accepted', 'critical', String(dovecot.ports.pop3)],
    ]);
    const accepted = r.report.findings[1]!;
    expect(accepted.fix).toMatch(/disable_plaintext_auth = yes/);
    expect(accepted.evidence).toEqual(expect.arrayContaining([`C: A2 LOGIN "${user.user}" ***`, "S: A2 OK Logged in"]));
    expect(JSON.stringify(r.report)).not.toContain(user.password);
  });

  it('the checks send the password only with --starttls never; otherwise they report the offer (both fail)', async () => {
    const sent = await runSecurityChecks([clear('imap'), clear('pop3')], { ...clearCheckTrust(), login, starttls: 'never', only: ['imap.security.plaintext-auth', 'pop3.security.plaintext-auth'] });
    expect(sent.map((c) => [c.id, c.status, c.message.split(':')[0]])).toEqual([
      ['imap.security.plaintext-auth', 'fail', 'auth.plaintext-accepted (critical)'],
      ['pop3.security.plaintext-auth', 'fail', 'auth.plaintext-accepted (critical)'],
    ]);
    expect(sent.flatMap((c) => c.transcript).some((e) => e.text.includes(user.password))).toBe(false);
    const offered = await runSecurityChecks([clear('imap'), clear('pop3')], { ...clearCheckTrust(), login, only: ['imap.security.plaintext-auth', 'pop3.security.plaintext-auth'] });
    expect(offered.map((c) => [c.status, c.message.split(':')[0]])).toEqual([
      ['fail', 'auth.plaintext-before-tls (high)'],
      ['fail', 'auth.plaintext-before-tls (high)'],
    ]);
    expect(offered.flatMap((c) => c.transcript).some((e) => /LOGIN|PASS/.test(e.text) && e.dir === 'C')).toBe(false);
  });
});

describe("the lab's Dovecot (disable_plaintext_auth = yes)", () => {
  it('every IMAP and POP3 security check passes; failed logins are not throttled (info)', async () => {
    const results = await runSecurityChecks([labUrl('imap'), labUrl('pop3')], { ...checkTrust, login });
    expect(results.filter((c) => c.status !== 'pass').map((c) => `${c.target} ${c.id}: ${c.status} ${c.message}`)).toEqual([]);
    expect(result(results, 'imap.security.plaintext-auth').message).toMatch(/LOGINDISABLED.*no password was sent/);
    expect(result(results, 'imap.security.starttls-injection').message).toMatch(/closed the connection rather than accept pipelined input/);
    expect(result(results, 'imap.security.starttls-once').message).toMatch(/a second STARTTLS was refused \(MPS1 BAD TLS is already active\.\)$/);
    expect(result(results, 'pop3.security.auth-throttling').message).toMatch(/^auth\.no-throttling \(info\): 5 failed logins/);
  });

  it('diagnose --probes --user: nothing above info on the cleartext and implicit-TLS ports', async () => {
    const r = await runDiagnose([labUrl('imap'), labUrl('imaps'), labUrl('pop3s'), ...trust(), '--probes', '--user', user.user], { MAILPROBE_PASSWORD: user.password });
    expect(serious(r.report)).toEqual([]);
    expect(r.report.findings.map((f) => [f.id, f.port])).toEqual([
      ['auth.no-throttling', lab.ports.imap],
      ['auth.no-throttling', lab.ports.imaps],
      ['auth.no-throttling', lab.ports.pop3s],
    ]);
    expect(r.code).toBe(0);
  });
});
