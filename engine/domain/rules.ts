/**
 * Domain-level findings from what discovery, the policy fetch and the port-25 probes of every
 * MX address showed: unreachable addresses, MTA-STS (record, fetch, policy, mx patterns, MX
 * certificates), TLS-RPT and DANE. Pure functions over data.
 */
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import { formatAddress } from '../../drivers/transport.js';
import type { Finding, Severity } from '../report-types.js';
import type { PortDiagnosis } from '../diagnose/diagnose-port.js';
import { finding } from '../diagnose/finding.js';
import { judgeTlsa } from './dane.js';
import { lookupFailed, type MxHost } from './discover.js';
import type { Lookup } from './dns-client.js';
import type { PolicyFetch } from './mta-sts-fetch.js';
import { isStsRecord, judgeStsRecords, mxMatches, parseStsPolicy, type StsPolicy } from './mta-sts-policy.js';
import { judgeTlsRptRecords } from './tls-rpt.js';

/** One MX address and what its port 25 showed. */
export interface MxProbe {
  readonly mx: MxHost;
  readonly address: string;
  readonly diagnosis: PortDiagnosis;
}

export interface Judged {
  readonly findings: Finding[];
  readonly notes: string[];
}

const mxTarget = (mx: string): { host: string; port: number } => ({ host: mx, port: 25 });

/** The port answered as an SMTP server (whatever else is wrong with it). */
export function answered(d: PortDiagnosis): boolean {
  return d.report.observed === 'smtp-starttls' || d.report.observed === 'smtp-plaintext';
}

/**
 * dns.address-unreachable: an MX with an address that works and one that does not. Returns the
 * findings and the probes whose own port.closed/port.timeout findings it replaces.
 */
export function judgeReachability(probes: readonly MxProbe[]): { findings: Finding[]; covered: Set<MxProbe> } {
  const findings: Finding[] = [];
  const covered = new Set<MxProbe>();
  for (const [mx, group] of groupByMx(probes)) {
    const working = group.filter((p) => answered(p.diagnosis));
    const failing = group.filter((p) => !answered(p.diagnosis) && ['closed', 'timeout'].includes(p.diagnosis.report.observed));
    if (working.length === 0 || failing.length === 0) continue;
    for (const p of failing) covered.add(p);
    const list = failing.map((p) => `${p.address} (${p.diagnosis.report.observed === 'closed' ? 'connection refused' : 'no answer'})`).join(', ');
    const seen = `Port 25 of ${mx} works on ${working.map((p) => p.address).join(', ')} but not on ${list}.`;
    const evidence = failing.flatMap((p) => p.diagnosis.findings.flatMap((f) => f.evidence));
    findings.push(finding('dns.address-unreachable', mxTarget(mx), { seen, evidence }));
  }
  return { findings, covered };
}

export interface MtaStsInput {
  readonly domain: string;
  readonly record: Lookup<readonly string[]>;
  /** Undefined when there was nothing to fetch (no record). */
  readonly fetch: PolicyFetch | undefined;
  readonly mx: readonly MxHost[];
  readonly probes: readonly MxProbe[];
  /** --insecure: certificate problems are info. */
  readonly insecure: boolean;
}

/** Whether a policy should be fetched: there is at least one `v=STSv1` record to act on. */
export function hasStsRecord(record: Lookup<readonly string[]>): boolean {
  return record.records.some((r) => isStsRecord(r.join('')));
}

export function judgeMtaSts(input: MtaStsInput): Judged & { policy: StsPolicy | undefined; recordPresent: boolean } {
  const { domain } = input;
  const findings: Finding[] = [];
  const notes: string[] = [];
  const none = { findings, notes, policy: undefined, recordPresent: false };
  if (input.record.status === 'error') {
    findings.push(lookupFailed(domain, `TXT _mta-sts.${domain}`, input.record));
    return none;
  }
  const texts = input.record.records.map((r) => r.join(''));
  const verdict = judgeStsRecords(texts);
  if (verdict.kind === 'missing') {
    findings.push(finding('mta-sts.record-missing', domain, { seen: `${domain} has no _mta-sts TXT record.`, evidence: [`I: TXT _mta-sts.${domain}: ${input.record.status === 'nxdomain' ? 'NXDOMAIN' : 'no records'}`] }));
    notes.push('MTA-STS: none');
    return none;
  }
  if (verdict.kind === 'invalid') {
    findings.push(finding('mta-sts.record-invalid', domain, { seen: `The _mta-sts.${domain} TXT record is not usable: ${verdict.reason}.`, evidence: verdict.records.map((r) => `I: TXT "${r}"`) }));
  } else {
    notes.push(`MTA-STS record: ${verdict.text}`);
  }
  const fetched = input.fetch;
  if (fetched === undefined) return { ...none, recordPresent: true };
  if (!fetched.ok) {
    const severity: Severity | undefined = fetched.failure === 'tls' && input.insecure ? 'info' : undefined;
    findings.push(finding('mta-sts.policy-fetch-error', domain, { seen: `The policy at ${fetched.url} could not be fetched: ${fetched.reason}.`, severity, evidence: fetched.evidence }));
    notes.push(`MTA-STS policy: fetch failed (${fetched.failure})`);
    return { ...none, recordPresent: true };
  }
  const parsed = parseStsPolicy(fetched.text);
  const lines = fetched.text.split(/\r?\n/).slice(0, 8).map((l) => `S: ${l}`);
  if ('errors' in parsed) {
    findings.push(finding('mta-sts.policy-invalid', domain, { seen: `The policy at ${fetched.url} is invalid: ${parsed.errors.join('; ')}.`, evidence: [...fetched.evidence, ...lines] }));
    notes.push('MTA-STS policy: invalid');
    return { ...none, recordPresent: true };
  }
  const policy = parsed.policy;
  notes.push(`MTA-STS policy: mode ${policy.mode}, max_age ${policy.maxAge}, mx ${policy.mx.join(' ') || '(none)'}`);
  if (policy.mode === 'none') return { findings, notes, policy, recordPresent: true };
  const severity: Severity | undefined = policy.mode === 'testing' ? 'medium' : undefined;
  const consequence = policy.mode === 'enforce' ? 'senders that apply the policy will not deliver to it' : 'in testing mode senders still deliver, and report the failure';
  for (const mx of input.mx) {
    if (policy.mx.some((p) => mxMatches(p, mx.name))) continue;
    findings.push(finding('mta-sts.mx-mismatch', mxTarget(mx.name), { seen: `The MX host ${mx.name} matches none of the policy's mx patterns (${policy.mx.join(', ')}): ${consequence}.`, severity, evidence: policy.mx.map((p) => `S: mx: ${p}`) }));
  }
  for (const [mx, group] of groupByMx(input.probes)) {
    const bad = group.filter((p) => answered(p.diagnosis)).map((p) => ({ p, problem: webPkiProblem(p.diagnosis, mx) })).filter((x) => x.problem !== undefined);
    if (bad.length === 0) continue;
    const where = bad.map((x) => `${formatAddress(x.p.address, 25)}: ${x.problem}`);
    findings.push(
      finding('mta-sts.cert-invalid', mxTarget(mx), {
        seen: `Port 25 of ${mx} fails the certificate check MTA-STS requires (${where.join('; ')}): ${consequence}.`,
        severity: input.insecure ? 'info' : severity,
        evidence: where.map((w) => `I: ${w}`),
      }),
    );
  }
  return { findings, notes, policy, recordPresent: true };
}

/** What keeps an MX from passing RFC 8461 §4.2 (STARTTLS, a trusted chain, the MX name), if anything. */
function webPkiProblem(d: PortDiagnosis, mx: string): string | undefined {
  const facts: TlsFacts | undefined = d.facts;
  if (!facts) return d.report.observed === 'smtp-starttls' ? 'the STARTTLS handshake failed' : 'STARTTLS is not offered';
  if (!facts.chainTrusted) return `the chain is not trusted (${facts.chainError ?? 'unknown error'})`;
  if (!facts.hostnameMatches) return `the certificate does not name ${mx} (${facts.hostnameError ?? 'name mismatch'})`;
  return undefined;
}

export function judgeTlsRpt(domain: string, record: Lookup<readonly string[]>, protectedBy: readonly string[]): Judged {
  const findings: Finding[] = [];
  const notes: string[] = [];
  if (record.status === 'error') return { findings: [lookupFailed(domain, `TXT _smtp._tls.${domain}`, record)], notes };
  const verdict = judgeTlsRptRecords(record.records.map((r) => r.join('')));
  if (verdict.kind === 'missing') {
    const uses = protectedBy.length > 0 ? ` although the domain uses ${protectedBy.join(' and ')}` : '';
    findings.push(
      finding('tls-rpt.record-missing', domain, {
        seen: `${domain} has no _smtp._tls TXT record${uses}.`,
        // Without MTA-STS or DANE there is little for senders to report.
        severity: protectedBy.length > 0 ? undefined : 'info',
        evidence: [`I: TXT _smtp._tls.${domain}: ${record.status === 'nxdomain' ? 'NXDOMAIN' : 'no records'}`],
      }),
    );
    notes.push('TLS-RPT: none');
  } else if (verdict.kind === 'invalid') {
    findings.push(finding('tls-rpt.record-invalid', domain, { seen: `The _smtp._tls.${domain} TXT record is not usable: ${verdict.reason}.`, evidence: verdict.records.map((r) => `I: TXT "${r}"`) }));
    notes.push('TLS-RPT: invalid');
  } else {
    notes.push(`TLS-RPT: reports to ${verdict.record.rua.join(', ')}`);
  }
  return { findings, notes };
}

/** DANE per MX with TLSA records, against the chain each of its addresses presented. */
export function judgeDane(mxHosts: readonly MxHost[], probes: readonly MxProbe[]): Judged {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const byMx = groupByMx(probes);
  for (const mx of mxHosts) {
    const records = mx.tlsa.records;
    if (records.length === 0) continue;
    const dnssec = mx.tlsa.authenticated
      ? 'The resolver set the AD bit: it validated the TLSA records with DNSSEC, so DANE senders rely on them.'
      : 'The resolver did not set the AD bit, so whether the records are DNSSEC-signed (DANE senders ignore unsigned ones) was not checked; use a validating resolver (--resolver) to know.';
    const group = (byMx.get(mx.name) ?? []).filter((p) => answered(p.diagnosis));
    const verdicts = group.map((p) => ({ p, v: judgeTlsa(records, p.diagnosis.facts, mx.name) }));
    const unusable = verdicts.find((x) => x.v.kind === 'unusable');
    const bad = verdicts.filter((x) => x.v.kind === 'mismatch');
    notes.push(`DANE ${mx.name}: ${records.length} TLSA record${records.length === 1 ? '' : 's'}${mx.tlsa.authenticated ? ' (AD: DNSSEC-validated by the resolver)' : ' (no AD bit: DNSSEC not verified)'}`);
    if (unusable && unusable.v.kind === 'unusable') {
      findings.push(finding('dane.tlsa-unusable', mxTarget(mx.name), { seen: `${unusable.v.reason}. ${dnssec}`, evidence: unusable.v.evidence }));
      continue;
    }
    if (bad.length === 0) continue;
    const seen = bad.map((x) => `${formatAddress(x.p.address, 25)}: ${x.v.kind === 'mismatch' ? x.v.reason : ''}`).join('; ');
    const evidence = bad.flatMap((x) => (x.v.kind === 'mismatch' ? [`I: ${formatAddress(x.p.address, 25)}`, ...x.v.evidence] : []));
    findings.push(finding('dane.tlsa-mismatch', mxTarget(mx.name), { seen: `${seen}. ${dnssec}`, severity: mx.tlsa.authenticated ? 'critical' : undefined, evidence }));
  }
  return { findings, notes };
}


function groupByMx(probes: readonly MxProbe[]): Map<string, MxProbe[]> {
  const out = new Map<string, MxProbe[]>();
  for (const p of probes) out.set(p.mx.name, [...(out.get(p.mx.name) ?? []), p]);
  return out;
}
