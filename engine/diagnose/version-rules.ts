/**
 * Protocol-version findings from one handshake per version: TLS 1.0/1.1 are deprecated
 * (RFC 8996), TLS 1.2 must be supported (RFC 9325 §3.1.1; RFC 5246), TLS 1.3 (RFC 8446) should.
 * A version whose probe could not get as far as a handshake is unknown and proves nothing.
 */
import { SCHEMES } from '../../drivers/target.js';
import type { Finding } from '../report-types.js';
import { finding } from './finding.js';
import type { VersionProbe } from './probes.js';
import type { Endpoint } from './types.js';

const LEGACY = ['TLSv1', 'TLSv1.1'];

/** The versions accepted, in ascending order; the main handshake's version counts too. */
export function acceptedVersions(probes: readonly VersionProbe[], negotiated: string | null): string[] {
  const accepted = new Set(probes.filter((p) => p.verdict === 'accepted').map((p) => p.version as string));
  if (negotiated !== null) accepted.add(negotiated);
  return ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].filter((v) => accepted.has(v));
}

export function judgeVersions(endpoint: Endpoint, probes: readonly VersionProbe[], negotiated: string | null): Finding[] {
  const accepted = acceptedVersions(probes, negotiated);
  const evidence = probes.map((p) => `I: ${p.version}: ${p.verdict} (${p.detail})`);
  const out: Finding[] = [];
  const legacy = accepted.filter((v) => LEGACY.includes(v));
  if (legacy.length > 0) {
    // RFC 7435: on an MX, STARTTLS is opportunistic and the alternative for an old sender is
    // cleartext, which is why Postfix and Exim keep TLS 1.0 there by default.
    const mx = endpoint.expected !== undefined && SCHEMES[endpoint.expected].role === 'mx';
    const seen = `The server completed handshakes with ${legacy.join(' and ')} (accepted: ${accepted.join(', ')}).${mx ? ' On an MX (opportunistic STARTTLS) that only keeps old senders off cleartext.' : ''}`;
    out.push(finding('tls.version.legacy', endpoint, { seen, severity: mx ? 'info' : undefined, evidence }));
  }
  const tls12 = probes.find((p) => p.version === 'TLSv1.2');
  if (!accepted.includes('TLSv1.2') && tls12?.verdict === 'refused') {
    const only13 = accepted.includes('TLSv1.3');
    const seen = only13
      ? 'Only TLS 1.3 is accepted; clients limited to TLS 1.2 cannot connect.'
      : `TLS 1.2 and 1.3 are refused${accepted.length > 0 ? `; only ${accepted.join(', ')} work` : ''}.`;
    out.push(finding('tls.version.no-tls12', endpoint, { seen, severity: only13 ? 'low' : 'high', evidence }));
  }
  return out;
}
