/**
 * The offline internet domain mode is tested against: a DNS server on loopback with one test
 * domain per case, an HTTPS server for their MTA-STS policies (a second one whose certificate
 * names another host), and the lab's Postfix as every MX. MX names resolve to 127.0.0.1 and ::1
 * through the test DNS; `--connect-to *:25=127.0.0.1:<postfix>` takes port 25 to Postfix and
 * `*:443=127.0.0.1:<policy server>` takes the policy hosts to the HTTPS server. Trust: one --ca
 * file holding the lab root and the policy server's root.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, Report } from '../../engine/report-types.js';
import type { LabInfo } from '../lab/info.js';
import { startDnsServer, type TestDnsServer, type Zone } from './dns-server.js';
import { policyText, startPolicyServer, type PolicyBehaviour, type PolicyServer } from './policy-server.js';

export const GOOD_RECORD = 'v=STSv1; id=20240101T000000';
export const GOOD_RPT = 'v=TLSRPTv1; rua=mailto:tlsrpt@example.test';
/** The lab's certificate names mail.test: the MX every well-configured test domain uses. */
export const MX = 'mail.test';

/** A correct domain: MX mail.test, MTA-STS enforce covering it, TLS-RPT. */
function goodDomain(domain: string, mx = MX): Zone {
  return {
    [domain]: { MX: [[10, mx]] },
    [`_mta-sts.${domain}`]: { TXT: [GOOD_RECORD] },
    [`mta-sts.${domain}`]: { A: ['127.0.0.1'] },
    [`_smtp._tls.${domain}`]: { TXT: [GOOD_RPT] },
  };
}

/** Every case's DNS, and the policy each policy host serves. */
function fixtures(lab: LabInfo): { zone: Zone; policies: Record<string, PolicyBehaviour> } {
  const enforce = (mx: readonly string[] = [MX]): PolicyBehaviour => ({ body: policyText('enforce', mx) });
  const zone: Zone = {
    [MX]: { A: ['127.0.0.1'], AAAA: ['::1'] },
    ...goodDomain('good.test'),
    ...goodDomain('v6.test'),
    // MTA-STS record faults.
    ...goodDomain('nosts.test'),
    ...goodDomain('sts-dup.test'),
    ...goodDomain('sts-bad.test'),
    ...goodDomain('sts-other.test'),
    // Policy fetch faults, one per policy host.
    ...goodDomain('sts-404.test'),
    ...goodDomain('sts-redirect.test'),
    ...goodDomain('sts-ctype.test'),
    ...goodDomain('sts-big.test'),
    ...goodDomain('sts-bigchunked.test'),
    ...goodDomain('sts-slow.test'),
    ...goodDomain('sts-name.test'),
    ...goodDomain('sts-nohost.test'),
    ...goodDomain('sts-invalid.test'),
    ...goodDomain('sts-mx.test'),
    ...goodDomain('sts-wild.test'),
    ...goodDomain('sts-cert.test', 'mx.sts-cert.test'),
    ...goodDomain('sts-testing.test', 'mx.sts-testing.test'),
    'mx.sts-cert.test': { A: ['127.0.0.1'] },
    'mx.sts-testing.test': { A: ['127.0.0.1'] },
    // TLS-RPT faults.
    ...goodDomain('rpt-missing.test'),
    ...goodDomain('rpt-bad.test'),
    ...goodDomain('rpt-dup.test'),
    // DNS-level cases.
    'nomx.test': { TXT: ['v=spf1 -all'] },
    'nullmx.test': { MX: [[0, '.']] },
    'implicit.test': { A: ['127.0.0.1'] },
    'dangling.test': { MX: [[10, MX], [20, 'gone.dangling.test']] },
    'servfail.test': { MX: [[10, MX]] },
    ...goodDomain('srv.test'),
    '_submission._tcp.srv.test': { SRV: [[0, 1, lab.ports.submission, MX]] },
    '_imaps._tcp.srv.test': { SRV: [[0, 1, lab.ports.imaps, 'imap.srv.test']] },
    '_pop3._tcp.srv.test': { SRV: [[0, 0, 0, '.']] },
    'imap.srv.test': { A: [lab.hosts.imap] },
  };
  delete zone['_mta-sts.nosts.test'];
  zone['_mta-sts.sts-dup.test'] = { TXT: [GOOD_RECORD, 'v=STSv1; id=20250101T000000'] };
  zone['_mta-sts.sts-bad.test'] = { TXT: ['v=STSv1; id=not-alphanumeric!'] };
  zone['_mta-sts.sts-other.test'] = { TXT: ['v=spf1 -all', 'v=STSv2; id=1'] };
  delete zone['mta-sts.sts-nohost.test'];
  delete zone['_smtp._tls.rpt-missing.test'];
  zone['_smtp._tls.rpt-bad.test'] = { TXT: ['v=TLSRPTv1; rua=ftp://reports.example.test/'] };
  zone['_smtp._tls.rpt-dup.test'] = { TXT: [GOOD_RPT, 'v=TLSRPTv1; rua=mailto:other@example.test'] };
  const big = `${policyText('enforce', [MX])}${'# padding\r\n'.repeat(7000)}`;
  const policies: Record<string, PolicyBehaviour> = {
    'mta-sts.good.test': enforce(),
    'mta-sts.v6.test': enforce(),
    'mta-sts.nosts.test': enforce(),
    'mta-sts.sts-dup.test': enforce(),
    'mta-sts.sts-bad.test': enforce(),
    'mta-sts.sts-other.test': enforce(),
    'mta-sts.sts-404.test': { status: 404, body: 'not found\n' },
    'mta-sts.sts-redirect.test': { status: 301, headers: { location: 'https://www.sts-redirect.test/.well-known/mta-sts.txt' } },
    'mta-sts.sts-ctype.test': { ...enforce(), contentType: 'text/html; charset=utf-8' },
    'mta-sts.sts-big.test': { body: big },
    'mta-sts.sts-bigchunked.test': { body: big, chunked: true },
    'mta-sts.sts-slow.test': { hang: true },
    'mta-sts.sts-invalid.test': { body: 'version: STSv1\r\nmode: enforcing\r\nmax_age: 99999999\r\n' },
    'mta-sts.sts-mx.test': enforce(['other.example.test', '*.mail.test']),
    'mta-sts.sts-wild.test': enforce(['*.test']),
    'mta-sts.sts-cert.test': enforce(['*.sts-cert.test']),
    'mta-sts.sts-testing.test': { body: policyText('testing', ['*.sts-testing.test']) },
    'mta-sts.rpt-missing.test': enforce(),
    'mta-sts.rpt-bad.test': enforce(),
    'mta-sts.rpt-dup.test': enforce(),
    'mta-sts.srv.test': enforce(),
  };
  return { zone, policies };
}

export interface World {
  readonly dns: TestDnsServer;
  readonly policy: PolicyServer;
  /** Serves mta-sts.sts-name.test with a certificate for another name. */
  readonly wrongName: PolicyServer;
  readonly caFile: string;
  /** A port on ::1 where nothing listens (connections are refused). */
  readonly deadV6Port: number;
  /** DANE data of what Postfix presents: SHA-256 of the leaf's SPKI, of the intermediate (DER). */
  readonly leafSpkiSha256: string;
  readonly intermediateSha256: string;
  readonly intermediateSpkiSha512: string;
  /** The arguments of a domain-mode run for `domain`, with `extra` appended. */
  args(domain: string, ...extra: string[]): string[];
  close(): Promise<void>;
}

export async function startWorld(lab: LabInfo, faults: Parameters<typeof startDnsServer>[1] = {}): Promise<World> {
  const { zone, policies } = fixtures(lab);
  const dns = await startDnsServer(zone, { servfail: ['servfail.test'], ...faults });
  const names = Object.keys(policies);
  const policy = await startPolicyServer(names);
  for (const [host, b] of Object.entries(policies)) policy.set(host, b);
  const wrongName = await startPolicyServer([], { pki: policy.pki, certNames: ['www.sts-name.test'] });
  wrongName.set('mta-sts.sts-name.test', { body: policyText('enforce', [MX]) });
  const caFile = join(tmpdir(), `mailprobe-domain-ca-${process.pid}-${Date.now()}.pem`);
  await writeFile(caFile, lab.rootCaPem + policy.rootPem);
  const deadV6Port = await freePort('::1');
  const pems = (await readFile(join(lab.dir, 'chain.pem'), 'utf8')).split(/(?<=-----END CERTIFICATE-----\n?)/).filter((p) => p.includes('BEGIN'));
  const [leaf, intermediate] = pems.map((p) => new X509Certificate(p));
  const spki = (c: X509Certificate): Buffer => c.publicKey.export({ type: 'spki', format: 'der' });
  return {
    dns,
    policy,
    wrongName,
    caFile,
    deadV6Port,
    leafSpkiSha256: createHash('sha256').update(spki(leaf!)).digest('hex'),
    intermediateSha256: createHash('sha256').update(intermediate!.raw).digest('hex'),
    intermediateSpkiSha512: createHash('sha512').update(spki(intermediate!)).digest('hex'),
    args: (domain, ...extra) => [
      domain,
      '--domain',
      '--resolver',
      dns.address,
      '--ca',
      caFile,
      '--connect-to',
      `*:25=127.0.0.1:${lab.ports.smtp}`,
      '--connect-to',
      `*:443=127.0.0.1:${policy.port}`,
      '--connect-to',
      `mta-sts.sts-name.test:443=127.0.0.1:${wrongName.port}`,
      '--timeout',
      '2s',
      ...extra,
    ],
    close: async () => {
      await Promise.all([dns.close(), policy.close(), wrongName.close()]);
    },
  };
}

/** A port that was free a moment ago on `host`: connecting to it is refused. */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Findings above info as `id severity`, sorted: what a case asserts exactly (no false alarms). */
export function serious(report: Report): string[] {
  return report.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => `${f.id} ${f.severity}`)
    .sort();
}

/** The finding with `id` (the first), or a failure listing what was found. */
export function findingOf(report: Report, id: string): Finding {
  const f = report.findings.find((x) => x.id === id);
  if (!f) throw new Error(`${id} missing; findings: ${JSON.stringify(report.findings.map((x) => [x.id, x.severity, x.target, x.detail]), null, 1)}`);
  return f;
}
