/**
 * What DNS says about a mail domain: its MX hosts by preference (RFC 5321 §5.1, with the
 * implicit MX — the domain's own A/AAAA — when there is none, and RFC 7505's null MX), each
 * host's A and AAAA addresses and TLSA records (`_25._tcp.HOST`, RFC 7672), the `_mta-sts` and
 * `_smtp._tls` TXT records, and the RFC 6186/8314 SRV records of the user-facing services.
 * Lookups run in parallel; each has the DNS client's deadline. Findings are the `dns.*` ones.
 */
import type { Scheme } from '../../drivers/target.js';
import type { Finding, Severity } from '../report-types.js';
import { finding } from '../diagnose/finding.js';
import type { DnsClient, Lookup } from './dns-client.js';
import type { SrvData, TlsaData } from './dns-wire.js';

/** MX hosts probed at most: senders rarely go further, and the run stays bounded. */
export const MAX_MX = 10;
/** Addresses probed per host at most. */
export const MAX_ADDRESSES = 8;
/** SRV targets per service at most. */
export const MAX_SRV = 4;

export interface MxHost {
  readonly name: string;
  readonly preference: number;
  /** The domain itself, because it has no MX records (RFC 5321 §5.1). */
  readonly implicit: boolean;
  /** A then AAAA, as the resolver returned them. */
  readonly addresses: readonly string[];
  readonly tlsa: Lookup<TlsaData>;
}

/** RFC 6186 (and RFC 8314 §5.1 for submissions) service labels and the role of each. */
export const SRV_SERVICES: readonly { readonly label: string; readonly scheme: Scheme }[] = [
  { label: '_submissions._tcp', scheme: 'submissions' },
  { label: '_submission._tcp', scheme: 'submission' },
  { label: '_imaps._tcp', scheme: 'imaps' },
  { label: '_imap._tcp', scheme: 'imap' },
  { label: '_pop3s._tcp', scheme: 'pop3s' },
  { label: '_pop3._tcp', scheme: 'pop3' },
];

export interface SrvTarget {
  readonly service: string;
  readonly scheme: Scheme;
  readonly record: SrvData;
}

export interface Discovery {
  readonly domain: string;
  /** The MX lookup failed (timeout, SERVFAIL): nothing else could be judged. */
  readonly mxLookupFailed: boolean;
  /** RFC 7505 `MX 0 .`: the domain says it takes no mail. */
  readonly nullMx: boolean;
  /**
   * The domain has somewhere to receive mail: MX hosts, or an address as implicit MX. When not
   * (NXDOMAIN, null MX, no MX and no address, a failed lookup), MTA-STS and TLS-RPT are moot.
   */
  readonly receivesMail: boolean;
  readonly mx: readonly MxHost[];
  /** `_mta-sts.DOMAIN` TXT records, each joined from its strings. */
  readonly mtaSts: Lookup<readonly string[]>;
  readonly tlsRpt: Lookup<readonly string[]>;
  readonly srv: readonly SrvTarget[];
  /** Services whose SRV target is `.`: explicitly not offered (RFC 6186 §4). */
  readonly srvNotOffered: readonly string[];
  readonly findings: Finding[];
  /** Lines for the console: what was found. */
  readonly notes: string[];
}

export async function discover(domain: string, dns: DnsClient): Promise<Discovery> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const [mxLookup, mtaSts, tlsRpt, srvLookups] = await Promise.all([
    dns.lookup(domain, 'MX'),
    dns.lookup(`_mta-sts.${domain}`, 'TXT'),
    dns.lookup(`_smtp._tls.${domain}`, 'TXT'),
    Promise.all(SRV_SERVICES.map((s) => dns.lookup(`${s.label}.${domain}`, 'SRV'))),
  ]);
  const base = { domain, mtaSts, tlsRpt, findings, notes, srv: [] as SrvTarget[], srvNotOffered: [] as string[] };
  if (mxLookup.status === 'error') {
    findings.push(lookupFailed(domain, `MX ${domain}`, mxLookup, 'high'));
    return { ...base, mxLookupFailed: true, nullMx: false, receivesMail: false, mx: [] };
  }
  if (mxLookup.status === 'nxdomain') {
    findings.push(finding('dns.no-mx', domain, { seen: `${domain} does not exist in DNS (NXDOMAIN for its MX lookup).`, evidence: [`I: MX ${domain}: NXDOMAIN`] }));
    return { ...base, mxLookupFailed: false, nullMx: false, receivesMail: false, mx: [] };
  }
  const records = [...mxLookup.records].sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange));
  if (records.length > 0 && records.every((r) => r.exchange === '')) {
    findings.push(finding('dns.no-mx', domain, { seen: `${domain} publishes a null MX (MX 0 .): it declares that it accepts no mail (RFC 7505).`, severity: 'info', evidence: ['I: MX 0 .'] }));
    return { ...base, ...srvOf(srvLookups), mxLookupFailed: false, nullMx: true, receivesMail: false, mx: [] };
  }
  let hosts: { name: string; preference: number; implicit: boolean }[] = [];
  for (const r of records) if (r.exchange !== '' && !hosts.some((h) => h.name === r.exchange)) hosts.push({ name: r.exchange, preference: r.preference, implicit: false });
  if (hosts.length > MAX_MX) {
    notes.push(`${hosts.length} MX hosts: the first ${MAX_MX} by preference are probed`);
    hosts = hosts.slice(0, MAX_MX);
  }
  if (hosts.length === 0) hosts = [{ name: domain, preference: 0, implicit: true }];
  const mx = await Promise.all(hosts.map((h) => resolveMx(h, dns, findings)));
  const implicit = mx[0]?.implicit === true;
  if (implicit) {
    const addresses = mx[0]!.addresses;
    findings.push(
      addresses.length > 0
        ? finding('dns.no-mx', domain, { seen: `${domain} has no MX record; senders fall back to its own address${addresses.length === 1 ? '' : 'es'} (${addresses.join(', ')}), the implicit MX.`, severity: 'info', evidence: [`I: MX ${domain}: no records`] })
        : finding('dns.no-mx', domain, { seen: `${domain} has no MX record and no A or AAAA record to fall back to: mail to it cannot be delivered.`, evidence: [`I: MX ${domain}: no records`, `I: A/AAAA ${domain}: no records`] }),
    );
  } else {
    const anyAddress = mx.some((h) => h.addresses.length > 0);
    for (const h of mx) {
      if (h.addresses.length > 0 || h.lookupFailed) continue;
      const literal = /^[\d.]+$/.test(h.name) || h.name.includes(':');
      const seen = literal
        ? `The MX record names "${h.name}", an address rather than a host name; senders look it up as a name and find nothing.`
        : `The MX host ${h.name} (preference ${h.preference}) has no A or AAAA record${anyAddress ? '; senders skip it and use the other MX hosts' : ': no MX host of the domain can be reached'}.`;
      findings.push(finding('dns.mx-no-address', `${h.name}:25`, { seen, severity: anyAddress ? 'medium' : undefined, evidence: [`I: A/AAAA ${h.name}: no records`] }));
    }
  }
  const receivesMail = !implicit || mx[0]!.addresses.length > 0;
  return { ...base, ...srvOf(srvLookups), mxLookupFailed: false, nullMx: false, receivesMail, mx: receivesMail ? mx.map(({ lookupFailed: _, ...h }) => h) : [] };
}

async function resolveMx(h: { name: string; preference: number; implicit: boolean }, dns: DnsClient, findings: Finding[]): Promise<MxHost & { lookupFailed: boolean }> {
  const [a, aaaa, tlsa] = await Promise.all([dns.lookup(h.name, 'A'), dns.lookup(h.name, 'AAAA'), dns.lookup(`_25._tcp.${h.name}`, 'TLSA')]);
  for (const l of [a, aaaa]) if (l.status === 'error') findings.push(lookupFailed(`${h.name}:25`, `${l.type} ${h.name}`, l));
  const addresses = [...a.records, ...aaaa.records].slice(0, MAX_ADDRESSES);
  if (tlsa.status === 'error') findings.push(lookupFailed(`${h.name}:25`, `TLSA _25._tcp.${h.name}`, tlsa));
  return { ...h, addresses, tlsa, lookupFailed: a.status === 'error' || aaaa.status === 'error' };
}

function srvOf(lookups: readonly Lookup<SrvData>[]): { srv: SrvTarget[]; srvNotOffered: string[] } {
  const srv: SrvTarget[] = [];
  const srvNotOffered: string[] = [];
  lookups.forEach((l, i) => {
    const service = SRV_SERVICES[i]!;
    const records = [...l.records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    if (records.length === 1 && records[0]!.target === '') {
      srvNotOffered.push(service.label);
      return;
    }
    for (const record of records.filter((r) => r.target !== '').slice(0, MAX_SRV)) srv.push({ service: service.label, scheme: service.scheme, record });
  });
  return { srv, srvNotOffered };
}

/** dns.lookup-failed for one lookup that got no usable answer. */
export function lookupFailed(target: string, what: string, lookup: Lookup<unknown>, severity?: Severity): Finding {
  return finding('dns.lookup-failed', target, { seen: `The ${what} lookup got no answer: ${lookup.error ?? 'unknown error'}.`, ...(severity ? { severity } : {}), evidence: [`I: ${what}: ${lookup.error ?? 'error'}`] });
}
