/**
 * Domain mode of diagnose: from a mail domain to its MX hosts and every address of each, each
 * address's port 25 diagnosed like a host-mode port (in parallel, one connection limiter), plus
 * the user-facing hosts from SRV records (RFC 6186) and --submission-host; meanwhile the MTA-STS
 * policy is fetched; then the domain-level rules (dns.*, mta-sts.*, tls-rpt.*, dane.*).
 */
import { isIP } from 'node:net';
import { isMailprobeError } from '../../drivers/errors.js';
import { formatAddress } from '../../drivers/transport.js';
import type { Finding, PortReport, ServerInfo } from '../report-types.js';
import { judgeConsistency } from '../diagnose/consistency.js';
import { MAX_CONNECTIONS, settlePorts, type PortJob } from '../diagnose/diagnose.js';
import { endpointUrl, WELL_KNOWN_PORTS } from '../diagnose/endpoints.js';
import { finding } from '../diagnose/finding.js';
import type { DiagnoseSettings, Endpoint } from '../diagnose/types.js';
import { describeOverride, overrideConnector, type ConnectOverride } from './connect-to.js';
import { discover, lookupFailed, type MxHost } from './discover.js';
import type { DnsClient } from './dns-client.js';
import { fetchPolicy } from './mta-sts-fetch.js';
import { hasStsRecord, judgeDane, judgeMtaSts, judgeReachability, judgeTlsRpt, type MxProbe } from './rules.js';

export interface DomainInput {
  /** The mail domain, lower case, without a trailing dot. */
  readonly domain: string;
  readonly dns: DnsClient;
  /** As for host mode; `tls.servername` is ignored: each host is checked against its own name. */
  readonly settings: DiagnoseSettings;
  readonly overrides?: readonly ConnectOverride[];
  /** Host names users configure for submission, IMAP and POP3: probed on 465, 587, 143, 993, 110, 995. */
  readonly submissionHosts?: readonly string[];
  readonly maxConnections?: number;
}

export interface DomainResult {
  readonly ports: PortReport[];
  readonly findings: Finding[];
  readonly server: Record<string, ServerInfo>;
  /** What was probed, as URLs (the domain first). */
  readonly targets: string[];
  /** Ports probed; 0 when DNS gave nothing to probe. */
  readonly probed: number;
  /** At least one probed port accepted a TCP connection. */
  readonly reachable: boolean;
  /** The MX lookup itself failed: nothing about the domain could be judged. */
  readonly dnsFailed: boolean;
  readonly partial: boolean;
  /** What DNS and the policy said, for the console. */
  readonly notes: string[];
}

/** The user-facing ports a --submission-host gets. */
const CLIENT_PORTS: readonly number[] = [465, 587, 143, 993, 110, 995];

interface Job extends PortJob {
  /** Set for an MX address: which MX. */
  readonly mx?: MxHost;
}

export async function diagnoseDomain(input: DomainInput): Promise<DomainResult> {
  const { domain, dns } = input;
  const overrides = input.overrides ?? [];
  const { servername: _ignored, ...tls } = input.settings.tls;
  const settings: DiagnoseSettings = { ...input.settings, tls };
  const found = await discover(domain, dns);
  const notes = [`resolver ${dns.servers.join(', ')}`, ...overrides.map((o) => `--connect-to ${describeOverride(o)}`), ...found.notes];
  for (const mx of found.mx) notes.push(`MX ${mx.preference} ${mx.name}${mx.implicit ? ' (implicit: no MX records)' : ''}: ${mx.addresses.join(', ') || 'no address'}`);
  const findings: Finding[] = [...found.findings];

  const jobs: Job[] = [];
  const addJob = (endpoint: Endpoint, address: string, names: readonly string[], mx?: MxHost): void => {
    if (jobs.some((j) => j.endpoint.host === endpoint.host && j.endpoint.port === endpoint.port && j.address === address)) return;
    const connect = overrideConnector(overrides, names);
    jobs.push({ endpoint, address, ...(connect ? { connect } : {}), ...(mx ? { mx } : {}) });
  };
  for (const mx of found.mx) {
    for (const address of mx.addresses) addJob({ host: mx.name, port: 25, expected: 'smtp', explicit: true }, address, [mx.name], mx);
  }
  const [srvAddresses, hostAddresses] = await Promise.all([
    Promise.all(found.srv.map((s) => firstAddress(dns, s.record.target, findings))),
    Promise.all((input.submissionHosts ?? []).map((host) => (isIP(host) !== 0 ? Promise.resolve(host) : firstAddress(dns, host, findings)))),
  ]);
  found.srv.forEach((s, i) => {
    const address = srvAddresses[i];
    notes.push(`SRV ${s.service}: ${s.record.target}:${s.record.port}${address ? '' : ' (no address)'}`);
    if (address) addJob({ host: s.record.target, port: s.record.port, expected: s.scheme, explicit: true }, address, [s.record.target]);
  });
  if (found.srvNotOffered.length > 0) notes.push(`SRV says not offered: ${found.srvNotOffered.join(', ')}`);
  (input.submissionHosts ?? []).forEach((host, i) => {
    const address = hostAddresses[i];
    if (address) for (const port of CLIENT_PORTS) addJob({ host, port, expected: WELL_KNOWN_PORTS[port], explicit: false }, address, [host]);
  });

  const fetching = found.receivesMail && hasStsRecord(found.mtaSts)
    ? fetchPolicy({ domain, dns, overrides, tls: { ...(tls.ca !== undefined ? { ca: tls.ca } : {}) }, timeoutMs: settings.timeoutMs, signal: settings.signal })
    : Promise.resolve(undefined);
  // A cancelled fetch leaves the policy unjudged; the ports that finished are still reported.
  const fetchOrAbort = fetching.then(
    (f) => ({ fetched: f, aborted: false }),
    (err: unknown) => {
      if (isMailprobeError(err, 'EABORTED')) return { fetched: undefined, aborted: true };
      throw err;
    },
  );
  const [settled, policy] = await Promise.all([settlePorts(jobs, settings, input.maxConnections ?? MAX_CONNECTIONS), fetchOrAbort]);
  const { done, deferred } = settled;
  const partial = settled.partial || policy.aborted;
  const fetched = policy.fetched;

  // Match each finished diagnosis to its job (cancelled ones are missing from `done`).
  const probes: MxProbe[] = [];
  const jobOf = new Map(done.map((d) => [d, jobs.find((j) => j.endpoint === d.endpoint)!]));
  for (const [d, job] of jobOf) if (job.mx) probes.push({ mx: job.mx, address: job.address, diagnosis: d });
  const reach = judgeReachability(probes);

  const ports: PortReport[] = [];
  const server: Record<string, ServerInfo> = {};
  const portFindings: Finding[] = [];
  done.forEach((d, i) => {
    const job = jobOf.get(d)!;
    const probe = probes.find((p) => p.diagnosis === d);
    const own = [...d.findings, ...(deferred[i] ?? [])];
    if (job.mx) {
      // One MX, several addresses: name the address in the target, and in the port row.
      const target = `${formatAddress(job.mx.name, 25)} (${job.address})`;
      const covered = probe !== undefined && reach.covered.has(probe);
      for (const f of own) portFindings.push({ ...f, target, ...(covered && (f.id === 'port.closed' || f.id === 'port.timeout') ? { severity: 'info' as const } : {}) });
      ports.push({ ...d.report, host: job.address });
      if (d.server) server[`smtp://${formatAddress(job.address, 25)}`] = d.server.info;
    } else {
      portFindings.push(...own);
      ports.push(d.report);
      if (d.server) server[d.server.url] = d.server.info;
    }
  });

  const sts = !found.receivesMail || policy.aborted ? undefined : judgeMtaSts({ domain, record: found.mtaSts, fetch: fetched, mx: found.mx, probes, insecure: tls.insecure === true });
  const dane = judgeDane(found.mx, probes);
  const protectedBy = [...(sts?.recordPresent ? ['MTA-STS'] : []), ...(found.mx.some((m) => m.tlsa.records.length > 0) ? ['DANE'] : [])];
  const rpt = !found.receivesMail ? undefined : judgeTlsRpt(domain, found.tlsRpt, protectedBy);
  notes.push(...(sts?.notes ?? []), ...(rpt?.notes ?? []), ...dane.notes);

  const certs = done.flatMap((d) => (d.leaf ? [{ endpoint: d.endpoint, leaf: d.leaf }] : []));
  return {
    ports,
    findings: [...findings, ...reach.findings, ...portFindings, ...(sts?.findings ?? []), ...(rpt?.findings ?? []), ...dane.findings, ...judgeConsistency(certs, settings.now())],
    server,
    targets: [domain, ...new Set(jobs.map((j) => (j.mx ? `smtp://${formatAddress(j.mx.name, 25)}` : endpointUrl(j.endpoint))))],
    probed: jobs.length,
    reachable: done.some((d) => d.reachable),
    dnsFailed: found.mxLookupFailed,
    partial,
    notes,
  };
}

/** A host's first address (A before AAAA); a lookup that fails or finds none is a finding. */
async function firstAddress(dns: DnsClient, host: string, findings: Finding[]): Promise<string | undefined> {
  const [a, aaaa] = await Promise.all([dns.lookup(host, 'A'), dns.lookup(host, 'AAAA')]);
  const address = a.records[0] ?? aaaa.records[0];
  if (address) return address;
  const failed = [a, aaaa].find((l) => l.status === 'error');
  findings.push(failed ? lookupFailed(host, `${failed.type} ${host}`, failed) : finding('dns.lookup-failed', host, { seen: `${host} has no A or AAAA record.`, evidence: [`I: A/AAAA ${host}: ${a.status === 'nxdomain' ? 'NXDOMAIN' : 'no records'}`] }));
  return undefined;
}

