/**
 * Findings across the ports of one host: different certificates on different services, which is
 * fine when intended and usually a missed reload after renewal when the names are the same.
 */
import type { CertificateFacts } from '../../drivers/tls/certificate.js';
import type { Finding } from '../report-types.js';
import { finding } from './finding.js';
import type { Endpoint } from './types.js';

export interface PortCertificate {
  readonly endpoint: Endpoint;
  readonly leaf: CertificateFacts;
}

export function judgeConsistency(certs: readonly PortCertificate[]): Finding[] {
  const byHost = new Map<string, PortCertificate[]>();
  for (const c of certs) byHost.set(c.endpoint.host, [...(byHost.get(c.endpoint.host) ?? []), c]);
  const out: Finding[] = [];
  for (const [host, group] of byHost) {
    const distinct = new Map(group.map((c) => [c.leaf.fingerprint256, c.leaf]));
    if (distinct.size < 2) continue;
    const names = new Set([...distinct.values()].map((l) => [...l.san].sort().join(',')));
    const sameNames = names.size === 1;
    const lines = group.map((c) => `I: port ${c.endpoint.port}: ${c.leaf.subject}, valid until ${c.leaf.notAfter}, SHA-256 ${c.leaf.fingerprint256.slice(0, 23)}…`);
    const seen = sameNames
      ? `The ports of ${host} serve ${distinct.size} different certificates for the same names; the one that expires first was probably not reloaded after a renewal.`
      : `The ports of ${host} serve ${distinct.size} certificates for different names.`;
    out.push(finding('tls.cert.differs-between-ports', host, { seen, severity: sameNames ? 'low' : 'info', evidence: lines }));
  }
  return out;
}
