/**
 * Findings across the ports of one host: different certificates on different services. That is
 * fine when intended (one certificate per service, RSA and ECDSA, separate renewals). It is worth
 * a look when the names are the same and one port's certificate is about to run out while
 * another's is newer: the renewal reached one service and the other was never reloaded.
 */
import type { CertificateFacts } from '../../drivers/tls/certificate.js';
import type { Finding } from '../report-types.js';
import { finding } from './finding.js';
import type { Endpoint } from './types.js';

export interface PortCertificate {
  readonly endpoint: Endpoint;
  readonly leaf: CertificateFacts;
}

const DAY_MS = 86_400_000;
/** ACME clients renew 30 days before notAfter: an older certificate inside that window was replaced elsewhere. */
const RENEWAL_WINDOW_DAYS = 30;

export function judgeConsistency(certs: readonly PortCertificate[], now: Date): Finding[] {
  const byHost = new Map<string, PortCertificate[]>();
  for (const c of certs) byHost.set(c.endpoint.host, [...(byHost.get(c.endpoint.host) ?? []), c]);
  const out: Finding[] = [];
  for (const [host, group] of byHost) {
    const distinct = [...new Map(group.map((c) => [c.leaf.fingerprint256, c.leaf])).values()];
    if (distinct.length < 2) continue;
    const sameNames = new Set(distinct.map((l) => [...l.san].sort().join(','))).size === 1;
    const ends = distinct.map((l) => Date.parse(l.notAfter)).sort((a, b) => a - b);
    const stale = sameNames && ends[0]! - now.getTime() < RENEWAL_WINDOW_DAYS * DAY_MS && ends.at(-1)! > ends[0]!;
    const lines = group.map((c) => `I: port ${c.endpoint.port}: ${c.leaf.subject}, valid until ${c.leaf.notAfter}, SHA-256 ${c.leaf.fingerprint256.slice(0, 23)}…`);
    const seen = stale
      ? `The ports of ${host} serve ${distinct.length} certificates for the same names; one runs out on ${new Date(ends[0]!).toISOString()} while a newer one is installed elsewhere: that service was probably not reloaded after the renewal.`
      : `The ports of ${host} serve ${distinct.length} different certificates${sameNames ? ' for the same names' : ' for different names'}.`;
    out.push(finding('tls.cert.differs-between-ports', host, { seen, severity: stale ? 'low' : 'info', evidence: lines }));
  }
  return out;
}
