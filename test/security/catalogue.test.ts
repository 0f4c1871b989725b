/**
 * The security findings and checks as data, without sockets: stable ids with the severities
 * DESIGN.md and the issue fix, documented in docs/security-probes.md, one text per id shared
 * with diagnose; the smuggling message and the verdict mapping; the diagnose flags.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run, usage } from '../../bin/commands/diagnose.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { CATALOGUE } from '../../engine/diagnose/index.js';
import { addressLiteral, probeFinding, SECURITY_CATALOGUE, SECURITY_FINDING_IDS, smugglingBody, SMUGGLING_VARIANTS } from '../../engine/security/index.js';
import { checkMeta } from '../../engine/runner/run-check.js';
import { SECURITY_CODE_CHECKS } from '../../suites/security/code.js';
import { verdictOf } from '../../suites/security/support.js';
import { fakeIo } from '../helpers/cli.js';

describe('security findings', () => {
  it('use the DESIGN.md ids with the severities the issue asks for', () => {
    const severity = (id: keyof typeof SECURITY_CATALOGUE): string => SECURITY_CATALOGUE[id].severity;
    expect({
      injection: severity('starttls.command-injection'),
      smuggling: severity('smtp.smuggling'),
      relay: severity('smtp.open-relay'),
      vrfy: severity('smtp.vrfy-enabled'),
      expn: severity('smtp.expn-enabled'),
      rcpt: severity('smtp.rcpt-enumeration'),
      plaintext: severity('auth.plaintext-accepted'),
      throttling: severity('auth.no-throttling'),
    }).toEqual({ injection: 'critical', smuggling: 'critical', relay: 'critical', vrfy: 'low', expn: 'low', rcpt: 'info', plaintext: 'critical', throttling: 'info' });
  });

  it('share one text with diagnose for the ids diagnose already had', () => {
    for (const id of SECURITY_FINDING_IDS) {
      if (id in CATALOGUE) expect(SECURITY_CATALOGUE[id], id).toBe(CATALOGUE[id as keyof typeof CATALOGUE]);
    }
  });

  it('name the server settings that fix them and are documented, id by id, with their severity', async () => {
    const doc = await readFile(new URL('../../docs/security-probes.md', import.meta.url), 'utf8');
    for (const id of SECURITY_FINDING_IDS) {
      const e = SECURITY_CATALOGUE[id];
      expect(e.why, id).toMatch(/\.$/);
      expect(e.fix, id).toMatch(/Postfix|Dovecot|Exim/);
      const section = new RegExp(`#### \`${id.replace(/\./g, '\\.')}\`\\nSeverity: ([a-z]+)`).exec(doc);
      expect(section, `docs/security-probes.md lacks a section for ${id}`).not.toBeNull();
      expect(section![1], id).toBe(e.severity);
    }
  });
});

describe('the security checks', () => {
  it('have unique ids under their protocol, an RFC reference each, and one smuggling check per variant', () => {
    const metas = SECURITY_CODE_CHECKS.map((c) => ({ ...checkMeta(c), protocol: c.protocol }));
    expect(new Set(metas.map((m) => m.id)).size).toBe(metas.length);
    for (const m of metas) {
      expect(m.id, m.id).toMatch(new RegExp(`^${m.protocol}\\.security\\.[a-z0-9.-]+$`));
      expect(m.ref, m.id).toMatch(/^(RFC \d+ §|NIST SP 800-63B §)/);
    }
    expect(metas.filter((m) => m.id.startsWith('smtp.security.smuggling.')).map((m) => m.id.split('.').at(-1))).toEqual(SMUGGLING_VARIANTS.map((v) => v.id));
    expect(metas.length).toBe(4 * 3 + SMUGGLING_VARIANTS.length + 4);
  });

  it('follow the severity of what was found', () => {
    const done = (...severities: ('critical' | 'high' | 'low' | 'info')[]): ReturnType<typeof verdictOf> =>
      verdictOf({ status: 'done', summary: 'nothing found', findings: severities.map((s) => probeFinding('smtp.open-relay', `seen ${s}`, [], s)) });
    expect(done().status).toBe('pass');
    expect(done('info').status).toBe('pass');
    expect(done('low', 'info').status).toBe('warn');
    expect(done('info', 'high').status).toBe('fail');
    expect(done('critical').message).toBe('smtp.open-relay (critical): seen critical');
    expect(verdictOf({ status: 'not-applicable', summary: 'no STARTTLS', findings: [] })).toEqual({ status: 'skip', message: 'no STARTTLS' });
    expect(verdictOf({ status: 'inconclusive', summary: '421', findings: [] }).status).toBe('inconclusive');
    expect(verdictOf({ status: 'done', summary: 's', findings: [probeFinding('smtp.vrfy-enabled', 'x', [])] }, ['smtp.expn-enabled']).status).toBe('pass');
  });
});

describe('the smuggling message', () => {
  it.each(SMUGGLING_VARIANTS.map((v) => [v.id, v] as const))('%s: one real end of data, the variant after the first line, only --rcpt as recipient', (_id, v) => {
    const body = smugglingBody(v, 'bob@mail.test');
    expect(body.endsWith('\r\n.\r\n')).toBe(true);
    expect(body.split('\r\n.\r\n')).toHaveLength(2);
    const first = 'you can delete it.';
    expect(body.indexOf(v.bytes)).toBe(body.indexOf(first) + first.length);
    expect([...body.matchAll(/RCPT TO:<([^>]*)>/g)].map((m) => m[1])).toEqual(['bob@mail.test']);
    expect(body).toContain('MAIL FROM:<>\r\n');
    // Only the variant may hold a bare CR or LF or a NUL.
    expect(body.replace(v.bytes, '').replace(/\r\n/g, '')).not.toMatch(/[\r\n\0]/);
  });

  it('address literals for the relay probe', () => {
    expect([addressLiteral('192.0.2.1'), addressLiteral('2001:db8::1'), addressLiteral('mx.example.org')]).toEqual(['[192.0.2.1]', '[IPv6:2001:db8::1]', 'mx.example.org']);
  });
});

describe('mailprobe diagnose --probes --rcpt', () => {
  async function usageError(args: string[]): Promise<string> {
    const err = await run(args, fakeIo()).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECONFIG')).toBe(true);
    return (err as Error).message;
  }

  it('are documented in the usage, and --rcpt needs --probes and an address', async () => {
    expect(usage).toMatch(/--probes/);
    expect(usage).toMatch(/--rcpt ADDRESS/);
    expect(await usageError(['127.0.0.1', '--rcpt', 'bob@mail.test'])).toMatch(/--rcpt is for --probes/);
    expect(await usageError(['127.0.0.1', '--probes', '--rcpt', 'bob'])).toMatch(/--rcpt "bob" is not an address/);
  });
});
