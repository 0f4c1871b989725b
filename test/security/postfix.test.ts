/**
 * The SMTP security probes against a real Postfix 3.7, one listener per setting under test
 * (postfix-variants.ts): SMTP smuggling with smtpd_forbid_bare_newline = no / normalize /
 * reject, an open relay (loopback in mynetworks) against the lab's relay control, VRFY on and
 * off. Each vulnerable case is found, through diagnose --probes and through the security
 * checks; each correct case yields nothing above info.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Finding } from '../../engine/report-types.js';
import { runDiagnose, serious } from '../diagnose/run-diagnose.js';
import { startSecurityPostfix, type PostfixVariant, type SecurityPostfix } from './postfix-variants.js';
import { result, runSecurityChecks } from './run-security-checks.js';

const lab = inject('lab');
const rcpt = lab.users[1]!.user;
let pf: SecurityPostfix;
beforeAll(async () => {
  pf = await startSecurityPostfix(lab);
});
afterAll(async () => {
  await pf?.stop();
});

const url = (v: PostfixVariant | 'smtp' | 'submission', scheme = 'smtp'): string => `${scheme}://${pf.host}:${pf.ports[v]}`;
const trust = (): string[] => ['--ca', pf.rootCaPath, '--servername', lab.servername];
const checkTrust = (): { ca: string; servername: string } => ({ ca: pf.rootCaPem, servername: lab.servername });
const ids = (findings: readonly Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);

describe('SMTP smuggling against Postfix (smtpd_forbid_bare_newline)', () => {
  it('= no: the three bare-LF end sequences end the data and the smuggled message is accepted, each a critical finding naming it', async () => {
    const r = await runDiagnose([url('smugglingProne'), ...trust(), '--probes', '--rcpt', rcpt]);
    const smuggling = ids(r.report.findings, 'smtp.smuggling');
    expect(smuggling.map((f) => f.severity)).toEqual(['critical', 'critical', 'critical']);
    expect(smuggling.map((f) => /ended the message at (\S+)/.exec(f.detail)?.[1])).toEqual(['<LF>.<LF>', '<CR><LF>.<LF>', '<LF>.<CR><LF>']);
    expect(smuggling[0]!.detail).toMatch(/the smuggled message was accepted too/);
    expect(smuggling[0]!.fix).toMatch(/smtpd_forbid_bare_newline = normalize/);
    // The body as sent, bare LF visible, and the replies to the embedded commands.
    expect(smuggling[0]!.evidence).toEqual(expect.arrayContaining([expect.stringMatching(/^C: .*delete it\.\\n$/), 'C: MAIL FROM:<>', 'S: 354 End data with <CR><LF>.<CR><LF>']));
    const summary = ids(r.report.findings, 'smtp.smuggling-variants')[0]!;
    expect(summary.severity).toBe('info');
    expect(summary.detail).toContain('<CR>.<CR>: normalised');
    expect(summary.detail).toContain('<LF>.<LF>: accepted');
    expect(r.code).toBe(1);
  });

  it('reports every variant per listener through the checks: accepted (fail), normalised or rejected (pass)', async () => {
    const results = await runSecurityChecks([url('smugglingProne'), url('smugglingNormalize'), url('smugglingReject')], { ...checkTrust(), rcpt, only: ['smtp.security.smuggling.*'] });
    const outcome = (v: PostfixVariant): Record<string, string> =>
      Object.fromEntries(results.filter((c) => c.target === url(v)).map((c) => [c.id.replace('smtp.security.smuggling.', ''), c.status === 'pass' ? c.message.split(':')[0]! : c.status]));
    expect(outcome('smugglingProne')).toEqual({
      'lf-dot-lf': 'fail',
      'crlf-dot-lf': 'fail',
      'lf-dot-crlf': 'fail',
      'cr-dot-cr': 'normalised',
      'cr-dot-crlf': 'normalised',
      'crlf-nul-dot-crlf': 'normalised',
      'bare-lf': 'normalised',
      'bare-cr': 'normalised',
    });
    expect(Object.values(outcome('smugglingNormalize'))).toEqual(Array(8).fill('normalised'));
    expect(outcome('smugglingReject')).toEqual({
      'lf-dot-lf': 'rejected',
      'crlf-dot-lf': 'rejected',
      'lf-dot-crlf': 'rejected',
      'cr-dot-cr': 'normalised',
      'cr-dot-crlf': 'normalised',
      'crlf-nul-dot-crlf': 'normalised',
      'bare-lf': 'rejected',
      'bare-cr': 'normalised',
    });
    const lfReject = results.find((c) => c.target === url('smugglingReject') && c.id === 'smtp.security.smuggling.lf-dot-lf')!;
    expect(lfReject.message).toMatch(/550 5\.5\.2 .*bare <LF> received/);
    const lfProne = results.find((c) => c.target === url('smugglingProne') && c.id === 'smtp.security.smuggling.lf-dot-lf')!;
    expect(lfProne.message).toMatch(/^smtp\.smuggling \(critical\)/);
    expect(lfProne.transcript.some((e) => e.dir === 'S' && e.text.startsWith('354'))).toBe(true);
  });

  it('needs --rcpt: without it the smuggling checks are inconclusive and diagnose sends no message', async () => {
    const results = await runSecurityChecks([url('smugglingProne')], { ...checkTrust(), only: ['smtp.security.smuggling.lf-dot-lf'] });
    expect(results.map((c) => c.status)).toEqual(['inconclusive']);
    const r = await runDiagnose([url('smugglingProne'), ...trust(), '--probes']);
    expect(r.report.findings.filter((f) => f.id.startsWith('smtp.smuggling') || f.id === 'smtp.rcpt-enumeration')).toEqual([]);
    expect(r.console).toMatch(/without --rcpt the SMTP smuggling and RCPT probes are skipped/);
  });
});

describe('open relay', () => {
  it('loopback in mynetworks: external, source-routed and quoted recipients are accepted (critical); nothing is sent', async () => {
    const r = await runDiagnose([url('openRelay'), ...trust(), '--probes']);
    const relay = ids(r.report.findings, 'smtp.open-relay');
    expect(relay.map((f) => f.severity)).toEqual(['critical']);
    expect(relay[0]!.detail).toContain('RCPT TO:<mailprobe-relay-test@example.com> (external recipient)');
    expect(relay[0]!.detail).toContain('(source route)');
    expect(relay[0]!.fix).toMatch(/smtpd_relay_restrictions/);
    expect(relay[0]!.evidence.filter((l) => l.startsWith('C: ')).map((l) => l.split(':')[1]!.trim())).not.toContain('DATA');
    expect(relay[0]!.evidence).toContain('C: RSET');
  });

  it("the lab's relay control (loopback not in mynetworks) refuses every form: the check passes, diagnose reports nothing", async () => {
    const results = await runSecurityChecks([url('openRelay'), url('smtp')], { ...checkTrust(), rcpt, only: ['smtp.security.open-relay'] });
    expect(results.map((c) => [c.target, c.status])).toEqual([
      [url('openRelay'), 'fail'],
      [url('smtp'), 'pass'],
    ]);
    expect(result(results.filter((c) => c.target === url('smtp')), 'smtp.security.open-relay').message).toMatch(/relaying refused: 5 of 5 .* and the external recipient also with a local sender/);
    const r = await runDiagnose([url('smtp'), ...trust(), '--probes', '--rcpt', rcpt]);
    expect(ids(r.report.findings, 'smtp.open-relay')).toEqual([]);
  });
});

describe('user enumeration', () => {
  it('VRFY on (the Postfix default) is low; disable_vrfy_command=yes and EXPN (Postfix has none) are fine; RCPT is info', async () => {
    const results = await runSecurityChecks([url('smtp'), url('hardened')], { ...checkTrust(), rcpt, only: ['smtp.security.vrfy', 'smtp.security.expn', 'smtp.security.rcpt-enumeration'] });
    const at = (v: PostfixVariant | 'smtp'): string[] => results.filter((c) => c.target === url(v)).map((c) => `${c.id}=${c.status}`);
    expect(at('smtp')).toEqual(['smtp.security.vrfy=warn', 'smtp.security.expn=pass', 'smtp.security.rcpt-enumeration=pass']);
    expect(at('hardened')).toEqual(['smtp.security.vrfy=pass', 'smtp.security.expn=pass', 'smtp.security.rcpt-enumeration=pass']);
    expect(result(results, 'smtp.security.vrfy').message).toMatch(/^smtp\.vrfy-enabled \(low\): VRFY bob@mail\.test got "252 /);
    expect(result(results, 'smtp.security.rcpt-enumeration').message).toMatch(/^smtp\.rcpt-enumeration \(info\)/);
  });
});

describe('a correctly configured Postfix, and the submission port', () => {
  it('hardened (smuggling fixed, VRFY off, relay control): nothing above info from any probe, exit 0', async () => {
    const r = await runDiagnose([url('hardened'), ...trust(), '--probes', '--rcpt', rcpt]);
    expect(serious(r.report)).toEqual([]);
    expect(r.report.findings.map((f) => f.id).sort()).toEqual(['smtp.rcpt-enumeration', 'smtp.smuggling-variants']);
    expect(r.code).toBe(0);
    const user = lab.users[0]!;
    const results = await runSecurityChecks([url('hardened')], { ...checkTrust(), rcpt, login: { user: user.user, password: user.password } });
    expect(results.filter((c) => !['pass', 'skip'].includes(c.status)).map((c) => `${c.id}: ${c.status} ${c.message}`)).toEqual([]);
    expect(result(results, 'smtp.security.auth-throttling').status).toBe('skip');
  });

  it('submission with --user: smuggling is probed after AUTH inside TLS, failed logins are not slowed down (info), no password leaks', async () => {
    const user = lab.users[0]!;
    const r = await runDiagnose([url('submission', 'submission'), ...trust(), '--probes', '--rcpt', rcpt, '--user', user.user], { MAILPROBE_PASSWORD: user.password });
    expect(ids(r.report.findings, 'smtp.smuggling').map((f) => f.severity)).toEqual(['critical', 'critical', 'critical']);
    expect(ids(r.report.findings, 'smtp.smuggling')[0]!.evidence.some((l) => l.startsWith('S: 235'))).toBe(false);
    const throttle = ids(r.report.findings, 'auth.no-throttling');
    expect(throttle.map((f) => f.severity)).toEqual(['info']);
    expect(throttle[0]!.detail).toMatch(/^5 failed logins with a made-up user/);
    expect(ids(r.report.findings, 'smtp.open-relay')).toEqual([]);
    expect(JSON.stringify(r.report)).not.toContain(user.password);
  });

  it('nothing left the machine: every delivery went to --rcpt, none to example.com', async () => {
    // postlogd writes asynchronously; the deliveries of the tests above are long done.
    const log = await readFile(pf.log, 'utf8');
    const delivered = [...log.matchAll(/ to=<([^>]*)>.* status=(\w+)/g)].map((m) => m[1]);
    expect(delivered.length).toBeGreaterThan(0);
    expect(new Set(delivered)).toEqual(new Set([rcpt]));
    expect(log).not.toMatch(/example\.(com|net).*status=/);
  });
});
