/**
 * Domain mode end to end, DNS side: MX discovery (preference, implicit MX, null MX, a dangling
 * MX, NXDOMAIN, SERVFAIL), every address of an MX probed on its own (a refusing ::1 behind a
 * working 127.0.0.1), SRV and --submission-host hosts, auto-detection, and the CLI's usage
 * errors. The MX is the lab's Postfix, reached through --connect-to.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../../bin/commands/diagnose.js';
import { fakeIo } from '../helpers/cli.js';
import { runDiagnose } from '../diagnose/run-diagnose.js';
import { findingOf, serious, startWorld, type World } from './world.js';

const lab = inject('lab');
let world: World;

beforeAll(async () => {
  world = await startWorld(lab);
});
afterAll(async () => world?.close());

describe('every address of an MX', () => {
  it('an IPv6 address that refuses while IPv4 works is dns.address-unreachable; its port.closed is info', async () => {
    const r = await runDiagnose(world.args('v6.test', '--connect-to', `[::1]:25=[::1]:${world.deadV6Port}`));
    expect(serious(r.report)).toEqual(['dns.address-unreachable medium']);
    const f = findingOf(r.report, 'dns.address-unreachable');
    expect(f.target).toBe('mail.test:25');
    expect(f.detail).toContain('Port 25 of mail.test works on 127.0.0.1 but not on ::1 (connection refused)');
    expect(r.report.findings.filter((x) => x.id === 'port.closed').map((x) => [x.target, x.severity])).toEqual([['mail.test:25 (::1)', 'info']]);
    expect(r.report.ports?.map((p) => [p.host, p.observed])).toEqual([
      ['127.0.0.1', 'smtp-starttls'],
      ['::1', 'closed'],
    ]);
    expect(r.code).toBe(0);
    expect((await runDiagnose(world.args('v6.test', '--connect-to', `[::1]:25=[::1]:${world.deadV6Port}`, '--fail-on', 'medium'))).code).toBe(1);
  });

  it('when every address refuses, port.closed is high and nothing is reachable (exit 4)', async () => {
    const r = await runDiagnose(world.args('v6.test', '--connect-to', `[::1]:25=[::1]:${world.deadV6Port}`, '--connect-to', `127.0.0.1:25=127.0.0.1:${world.deadV6Port}`));
    expect(r.report.findings.filter((f) => f.id === 'port.closed').map((f) => f.severity)).toEqual(['high', 'high']);
    expect(r.report.findings.some((f) => f.id === 'dns.address-unreachable')).toBe(false);
    expect(r.code).toBe(4);
  });
});

describe('MX discovery', () => {
  it('no MX and no A/AAAA is dns.no-mx (high); nothing is probed', async () => {
    const r = await runDiagnose(world.args('nomx.test'));
    expect(serious(r.report)).toEqual(['dns.no-mx high']);
    expect(findingOf(r.report, 'dns.no-mx').detail).toContain('nomx.test has no MX record and no A or AAAA record');
    expect(r.report.ports).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('a domain that does not exist is dns.no-mx naming NXDOMAIN', async () => {
    const r = await runDiagnose(world.args('no-such-domain.test'));
    expect(serious(r.report)).toEqual(['dns.no-mx high']);
    expect(findingOf(r.report, 'dns.no-mx').detail).toContain('NXDOMAIN');
  });

  it('a null MX (RFC 7505) is info: the domain takes no mail on purpose', async () => {
    const r = await runDiagnose(world.args('nullmx.test'));
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([['dns.no-mx', 'info']]);
    expect(r.code).toBe(0);
  });

  it('no MX but an address: the implicit MX is probed under the domain name', async () => {
    const r = await runDiagnose(world.args('implicit.test'));
    expect(findingOf(r.report, 'dns.no-mx').severity).toBe('info');
    expect(r.report.ports?.map((p) => [p.host, p.port, p.observed])).toEqual([['127.0.0.1', 25, 'smtp-starttls']]);
    // Postfix's certificate names mail.test, not implicit.test: a real finding on this MX.
    expect(serious(r.report)).toEqual(['mta-sts.record-missing low', 'tls.cert.hostname-mismatch medium']);
  });

  it('an MX host without an address is dns.mx-no-address; the other MX is still probed', async () => {
    const r = await runDiagnose(world.args('dangling.test'));
    expect(serious(r.report)).toEqual(['dns.mx-no-address medium', 'mta-sts.record-missing low']);
    expect(findingOf(r.report, 'dns.mx-no-address').target).toBe('gone.dangling.test:25');
    expect(r.report.ports).toHaveLength(2);
    // No MTA-STS and no DANE: a missing TLS-RPT record is only info.
    expect(findingOf(r.report, 'tls-rpt.record-missing').severity).toBe('info');
  });

  it('a SERVFAIL for the MX lookup is dns.lookup-failed (high), exit 4', async () => {
    const r = await runDiagnose(world.args('servfail.test'));
    expect(serious(r.report)).toEqual(['dns.lookup-failed high']);
    expect(findingOf(r.report, 'dns.lookup-failed').detail).toContain('SERVFAIL');
    expect(r.code).toBe(4);
  });
});

describe('user-facing hosts', () => {
  it('SRV records (RFC 6186) add their hosts and ports in the role of the service', async () => {
    const r = await runDiagnose(world.args('srv.test', '--connect-to', `mail.test:${lab.ports.imaps}=${lab.hosts.imap}:${lab.ports.imaps}`));
    expect(r.report.ports?.map((p) => [p.host, p.port, p.expected, p.observed])).toEqual([
      ['127.0.0.1', 25, 'smtp', 'smtp-starttls'],
      ['::1', 25, 'smtp', 'smtp-starttls'],
      ['mail.test', lab.ports.submission, 'submission', 'smtp-starttls'],
      ['imap.srv.test', lab.ports.imaps, 'imaps', 'tls'],
    ]);
    // imap.srv.test is not in the lab certificate: on a mailbox port that is a real finding.
    expect(serious(r.report)).toEqual(['tls.cert.hostname-mismatch high']);
    expect(findingOf(r.report, 'tls.cert.hostname-mismatch').target).toBe(`imap.srv.test:${lab.ports.imaps}`);
    expect(r.console).toContain('SRV says not offered: _pop3._tcp');
  });

  it('--submission-host probes the submission, IMAP and POP3 ports of that host', async () => {
    const to = (port: number, host: string, labPort: number): string[] => ['--connect-to', `mail.test:${port}=${host}:${labPort}`];
    const r = await runDiagnose(
      world.args(
        'good.test',
        '--submission-host',
        'mail.test',
        ...to(587, lab.hosts.smtp, lab.ports.submission),
        ...to(465, lab.hosts.smtp, lab.ports.smtps),
        ...to(143, lab.hosts.imap, lab.ports.imap),
        ...to(993, lab.hosts.imap, lab.ports.imaps),
        ...to(110, lab.hosts.pop3, lab.ports.pop3),
        ...to(995, lab.hosts.pop3, lab.ports.pop3s),
      ),
    );
    expect(r.report.ports?.slice(2).map((p) => [p.port, p.observed])).toEqual([
      [465, 'tls'],
      [587, 'smtp-starttls'],
      [143, 'imap-starttls'],
      [993, 'tls'],
      [110, 'pop3-starttls'],
      [995, 'tls'],
    ]);
    expect(serious(r.report)).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('the command line', () => {
  it('a bare name with MX records is a domain without --domain', async () => {
    const args = world.args('good.test').filter((a) => a !== '--domain');
    const r = await runDiagnose(args);
    expect(r.console).toContain('note: good.test has MX records: diagnosing it as a mail domain');
    expect(r.report.targets[0]).toBe('good.test');
    expect(serious(r.report)).toEqual([]);
  });

  it('a name without MX records stays a host; --resolver and --connect-to work in host mode too', async () => {
    const r = await runDiagnose(['mail.test', '--ports', '25', '--resolver', world.dns.address, '--connect-to', `mail.test:25=127.0.0.1:${lab.ports.smtp}`, '--ca', world.caFile]);
    expect(r.report.ports?.map((p) => [p.host, p.port, p.observed])).toEqual([['mail.test', 25, 'smtp-starttls']]);
    expect(serious(r.report)).toEqual([]);
    expect(r.console).not.toContain('mail domain');
  });

  it('usage errors name the problem', async () => {
    const fails = (args: string[]): Promise<unknown> => run(args, fakeIo());
    await expect(fails(['good.test', '--domain', '--ports', '25'])).rejects.toThrow(/--ports is for host mode/);
    await expect(fails(['smtp://good.test', '--domain'])).rejects.toThrow(/not a URL/);
    await expect(fails(['192.0.2.1', '--domain'])).rejects.toThrow(/not an address/);
    await expect(fails(['good.test', '--domain', '--servername', 'x.test'])).rejects.toThrow(/--servername is for host mode/);
    await expect(fails(['127.0.0.1', '--ports', '25', '--submission-host', 'mail.test'])).rejects.toThrow(/--submission-host is for domain mode/);
    await expect(fails(['good.test', '--domain', '--connect-to', 'mail.test:25'])).rejects.toThrow(/FROM=TO/);
    await expect(fails(['good.test', '--domain', '--resolver', 'dns.example:53'])).rejects.toThrow(/--resolver "dns.example:53"/);
  });
});
