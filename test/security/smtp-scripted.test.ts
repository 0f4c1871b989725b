/**
 * The SMTP enumeration and relay findings Postfix cannot stage, on scripted servers (STARTTLS
 * with the test PKI, then a policy of their own): EXPN that expands a list (Postfix has no
 * EXPN) or answers 252/502 for everything; a relay that accepts only the %-hack or a quoted
 * local part; a server that accepts any local recipient, where the forms naming the local
 * domain are only info. Through the security checks and through diagnose --probes; the relay
 * probe's session is read from the server side too: never DATA, every transaction reset.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../engine/report-types.js';
import { expectOnly, runDiagnose, serious } from '../diagnose/run-diagnose.js';
import { result, runSecurityChecks } from './run-security-checks.js';
import { scriptedTlsLab } from './starttls-server.js';

const lab = scriptedTlsLab();

type Policy = (line: string) => readonly string[] | undefined;

/** A STARTTLS SMTP server answering with `policy`; `heard` gets every line clients sent. */
const serve = (policy: Policy, heard: string[] = []): Promise<string> => lab.serve({ protocol: 'smtp', smtpReply: policy }, heard);
const checkTrust = (): { ca: string; servername: string } => lab.checkTrust();
const trust = (): string[] => lab.cliTrust();
const ids = (findings: readonly Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);

// ---- EXPN -----------------------------------------------------------------------------------

/** EXPN postmaster expands to three members; an unknown name is 550. */
const expandingList: Policy = (line) => {
  const m = /^EXPN (.*)$/i.exec(line);
  if (m === null) return undefined;
  if (m[1]!.toLowerCase() === 'postmaster') return ['250-2.1.5 Alice Admin <alice@mail.test>', '250-2.1.5 <bob@mail.test>', '250 2.1.5 Carol Ops <carol@mail.test>'];
  return [`550 5.1.1 ${m[1]!}... no such list`];
};

describe('EXPN', () => {
  it('a server that expands postmaster to its members: smtp.expn-enabled (low) with the expansion as evidence', async () => {
    const url = await serve(expandingList);
    const results = await runSecurityChecks([url], { ...checkTrust(), only: ['smtp.security.expn', 'smtp.security.vrfy'] });
    expect(results.map((c) => [c.id, c.status])).toEqual([
      ['smtp.security.vrfy', 'pass'],
      ['smtp.security.expn', 'warn'],
    ]);
    expect(result(results, 'smtp.security.expn').message).toMatch(
      /^smtp\.expn-enabled \(low\): EXPN postmaster got "250 2\.1\.5 Alice Admin <alice@mail\.test> \(\+2 lines\)" and EXPN of a made-up name got "550 5\.1\.1 mailprobe-nonexistent-[0-9a-f]+\.\.\. no such list"/,
    );

    const r = await runDiagnose([url, ...trust(), '--probes']);
    const f = expectOnly(r, 'smtp.expn-enabled', 'low');
    expect(ids(r.report.findings, 'smtp.expn-enabled')).toHaveLength(1);
    expect(f.title).toBe('EXPN discloses mailing lists and aliases');
    expect(f.detail).toMatch(/^EXPN postmaster got "250 .*" and EXPN of a made-up name got "550 /);
    expect(f.fix).toMatch(/Postfix does not implement EXPN/);
    // The question, every member of the answer, and the made-up name's refusal.
    expect(f.evidence.slice(0, 4)).toEqual(['C: EXPN postmaster', 'S: 250-2.1.5 Alice Admin <alice@mail.test>', 'S: 250-2.1.5 <bob@mail.test>', 'S: 250 2.1.5 Carol Ops <carol@mail.test>']);
    expect(f.evidence[4]).toMatch(/^C: EXPN mailprobe-nonexistent-[0-9a-f]+$/);
    expect(f.evidence[5]).toMatch(/^S: 550 5\.1\.1 /);
    expect(ids(r.report.findings, 'smtp.vrfy-enabled')).toEqual([]);
  });

  it.each([
    ['252 for everything (RFC 5321 §7.3)', '252 2.5.2 Cannot EXPN, but will accept message', /^EXPN gives the same answer for an existing and a made-up name \("252 2\.5\.2 /],
    ['502 for everything', '502 5.5.1 EXPN not available', /^EXPN is refused \("502 5\.5\.1 /],
  ])('a server that answers %s: no finding, the check passes', async (_name, reply, message) => {
    const heard: string[] = [];
    const url = await serve((line) => (/^EXPN /i.test(line) ? [reply] : undefined), heard);
    const results = await runSecurityChecks([url], { ...checkTrust(), only: ['smtp.security.expn'] });
    expect(results.map((c) => [c.id, c.status])).toEqual([['smtp.security.expn', 'pass']]);
    expect(result(results, 'smtp.security.expn').message).toMatch(message);
    // It was asked: about postmaster and about a made-up name.
    expect(heard.filter((l) => /^EXPN /i.test(l))).toEqual(['EXPN postmaster', expect.stringMatching(/^EXPN mailprobe-nonexistent-[0-9a-f]+$/)]);

    const r = await runDiagnose([url, ...trust(), '--probes']);
    expect(ids(r.report.findings, 'smtp.expn-enabled')).toEqual([]);
    expect(serious(r.report)).toEqual([]);
  });
});

// ---- open relay -----------------------------------------------------------------------------

const LOCAL = ['mail.test', '[127.0.0.1]'];
const RELAY_DENIED = '554 5.7.1 Relay access denied';

/**
 * MAIL from anyone; RCPT: `accept(address)` says 250, else the local user bob and postmaster
 * are 250, other local names 550 (unknown), everything else 554 (relay denied). DATA would be
 * 354, so a probe that went on would be seen going on.
 */
function relayPolicy(accept: (address: string) => boolean): Policy {
  return (line) => {
    if (/^MAIL FROM:</i.test(line)) return ['250 2.1.0 Ok'];
    if (/^DATA$/i.test(line)) return ['354 End data with <CR><LF>.<CR><LF>'];
    const m = /^RCPT TO:<(.*)>$/i.exec(line);
    if (m === null) return undefined;
    const address = m[1]!;
    if (accept(address)) return ['250 2.1.5 Ok'];
    const at = address.lastIndexOf('@');
    const local = at > 0 && !address.startsWith('@') && LOCAL.includes(address.slice(at + 1).toLowerCase());
    if (local && ['bob', 'postmaster'].includes(address.slice(0, at).toLowerCase())) return ['250 2.1.5 Ok'];
    if (local && !address.slice(0, at).includes('"') && !address.slice(0, at).includes('%')) return [`550 5.1.1 <${address}>: Recipient address rejected: User unknown`];
    return [`${RELAY_DENIED}: <${address}>`];
  };
}

/** The lines of the relay probe's session, from the server's side, without the handshake. */
function relaySession(heard: readonly string[]): string[] {
  return heard.slice(heard.findIndex((l) => /^MAIL FROM:/i.test(l)));
}

/** Never DATA; each transaction's RCPTs end in RSET; QUIT last. */
function expectNoMessageSent(session: readonly string[]): void {
  expect(session.filter((l) => /^(DATA|BDAT)\b/i.test(l))).toEqual([]);
  const verbs = session.map((l) => l.split(/[ :]/)[0]!.toUpperCase());
  expect(verbs.at(-1)).toBe('QUIT');
  for (const [i, v] of verbs.entries()) {
    if (v === 'MAIL') expect(verbs.indexOf('RSET', i), `no RSET after the MAIL at ${i}: ${session.join(' | ')}`).toBeGreaterThan(i);
  }
  expect(verbs.filter((v) => v === 'MAIL')).toHaveLength(verbs.filter((v) => v === 'RSET').length);
}

const FORMS = [
  { form: '%-hack', rcpt: '<mailprobe-relay-test%example.com@mail.test>', accept: (a: string): boolean => a.includes('%') },
  { form: 'quoted local part', rcpt: '<"mailprobe-relay-test@example.com">', accept: (a: string): boolean => a === '"mailprobe-relay-test@example.com"' },
  { form: 'quoted local part at the local domain', rcpt: '<"mailprobe-relay-test@example.com"@mail.test>', accept: (a: string): boolean => /^".*"@/.test(a) },
] as const;

describe('open relay through a recipient form that names the local domain', () => {
  it.each(FORMS.map((f) => [f.form, f] as const))('%s accepted, unknown local names refused: critical naming that form only; no DATA, reset', async (_form, f) => {
    const heard: string[] = [];
    const url = await serve(relayPolicy(f.accept), heard);
    const results = await runSecurityChecks([url], { ...checkTrust(), rcpt: 'bob@mail.test', only: ['smtp.security.open-relay'] });
    const check = result(results, 'smtp.security.open-relay');
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/^smtp\.open-relay \(critical\): Without authentication \(MAIL FROM:<mailprobe-relay-test@example\.net>\) the server accepted recipients in example\.com/);
    // Exactly the accepted form is named (the message lists each as "RCPT TO:<…> (form): reply").
    const named = [...check.message.matchAll(/RCPT TO:<[^>]*> \(([^)]+)\): "250 /g)].map((m) => m[1]);
    expect(named).toEqual([f.form]);
    expect(check.message).toContain(`RCPT TO:${f.rcpt} (${f.form}): "250 2.1.5 Ok"`);

    const session = relaySession(heard);
    expect(session).toContain(`RCPT TO:${f.rcpt}`);
    // The control address was refused: that is what makes the form conclusive.
    expect(session[1]).toMatch(/^RCPT TO:<mailprobe-nonexistent-[0-9a-f]+@mail\.test>$/);
    expect(session).toContain('MAIL FROM:<postmaster@mail.test>');
    expectNoMessageSent(session);
  });

  it('diagnose --probes (no --rcpt: the local domain is the address literal) reports the %-hack and the quoted forms as critical', async () => {
    const heard: string[] = [];
    const url = await serve(relayPolicy((a) => a.includes('%') || a.startsWith('"')), heard);
    const r = await runDiagnose([url, ...trust(), '--probes']);
    const f = expectOnly(r, 'smtp.open-relay', 'critical');
    expect(ids(r.report.findings, 'smtp.open-relay')).toHaveLength(1);
    expect(f.detail).toContain('RCPT TO:<mailprobe-relay-test%example.com@[127.0.0.1]> (%-hack): "250 2.1.5 Ok"');
    expect(f.detail).toContain('RCPT TO:<"mailprobe-relay-test@example.com"> (quoted local part): "250 2.1.5 Ok"');
    expect(f.detail).toContain('RCPT TO:<"mailprobe-relay-test@example.com"@[127.0.0.1]> (quoted local part at the local domain): "250 2.1.5 Ok"');
    expect(f.detail).not.toContain('(external recipient)');
    expect(f.detail).not.toContain('(source route)');
    expect(f.fix).toMatch(/smtpd_relay_restrictions/);
    const commands = f.evidence.filter((l) => l.startsWith('C: ')).map((l) => l.slice(3));
    expect(commands[0]).toBe('MAIL FROM:<mailprobe-relay-test@example.net>');
    expect(commands).toContain('RSET');
    expect(commands.filter((c) => /^(DATA|BDAT)\b/.test(c))).toEqual([]);
    // No forged local sender with an address literal: one transaction, reset.
    expect(commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
    // Server side, every connection of the run (no --rcpt: no probe sends a message).
    expect(heard.filter((l) => /^(DATA|BDAT)\b/i.test(l))).toEqual([]);
    expect(r.code).toBe(1);
  });
});

describe('a server that accepts any local recipient', () => {
  // Any local part at the local domain, and a bare quoted local part (no domain: local), is 250;
  // external recipients and the source route are refused.
  const anyLocal = relayPolicy((a) => {
    const at = a.lastIndexOf('@');
    return a.startsWith('"') && a.endsWith('"') ? true : at > 0 && !a.startsWith('@') && LOCAL.includes(a.slice(at + 1).toLowerCase());
  });

  it('the %-hack and quoted forms it accepts are info only (may be local mailboxes); the check passes; no DATA, reset', async () => {
    const heard: string[] = [];
    const url = await serve(anyLocal, heard);
    const results = await runSecurityChecks([url], { ...checkTrust(), rcpt: 'bob@mail.test', only: ['smtp.security.open-relay'] });
    const check = result(results, 'smtp.security.open-relay');
    expect(check.status).toBe('pass');
    expect(check.message).toMatch(/^smtp\.open-relay \(info\): Without authentication the server accepted RCPT TO:<mailprobe-relay-test%example\.com@mail\.test> \(%-hack\), RCPT TO:<"mailprobe-relay-test@example\.com"> \(quoted local part\), RCPT TO:<"mailprobe-relay-test@example\.com"@mail\.test> \(quoted local part at the local domain\), but it also accepts an unknown local recipient \("250 2\.1\.5 Ok"\)/);
    expect(check.message).toContain('cannot be told without sending mail');
    // The external recipient, the source route and the forged local sender were refused.
    expect(check.message).not.toMatch(/external recipient|source route|forged/);
    const session = relaySession(heard);
    expect(session[1]).toMatch(/^RCPT TO:<mailprobe-nonexistent-[0-9a-f]+@mail\.test>$/);
    expectNoMessageSent(session);
  });

  it('diagnose --probes: smtp.open-relay at info naming the three forms and the accepted control, nothing serious', async () => {
    const url = await serve(anyLocal);
    const r = await runDiagnose([url, ...trust(), '--probes']);
    const relay = ids(r.report.findings, 'smtp.open-relay');
    expect(relay.map((f) => f.severity)).toEqual(['info']);
    const detail = relay[0]!.detail;
    expect(detail).toMatch(/^Without authentication the server accepted RCPT TO:<mailprobe-relay-test%example\.com@\[127\.0\.0\.1\]> \(%-hack\), RCPT TO:<"mailprobe-relay-test@example\.com"> \(quoted local part\), RCPT TO:<"mailprobe-relay-test@example\.com"@\[127\.0\.0\.1\]> \(quoted local part at the local domain\), but it also accepts an unknown local recipient \("250 2\.1\.5 Ok"\)/);
    expect(detail).toContain('cannot be told without sending mail');
    expect(relay[0]!.evidence.filter((l) => /^C: (DATA|BDAT)\b/.test(l))).toEqual([]);
    expect(relay[0]!.evidence).toContain('C: RSET');
    expect(serious(r.report)).toEqual([]);
    expect(r.code).toBe(0);
  });
});
