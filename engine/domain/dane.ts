/**
 * DANE for SMTP (RFC 7672): do the TLSA records at `_25._tcp.MX` match the chain the MX
 * presents on port 25? Usable records (RFC 7672 §3.1) are DANE-TA(2) and DANE-EE(3), selector
 * Cert(0) or SPKI(1), matching type Full(0), SHA2-256(1) or SHA2-512(2); PKIX-TA(0) and
 * PKIX-EE(1) are unusable for SMTP (§3.1.3). DANE-EE matches the leaf, names and dates aside
 * (§3.1.1); DANE-TA matches a CA certificate of the chain, and the leaf must then name the MX
 * (§3.2.2). Pure: the chain's digests come from drivers/tls/certificate.ts. DNSSEC is not
 * validated here: whether the records are signed is only known from the resolver's AD bit.
 */
import { createHash } from 'node:crypto';
import type { CertificateFacts } from '../../drivers/tls/certificate.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import type { TlsaData } from './dns-wire.js';

const USAGE = ['PKIX-TA', 'PKIX-EE', 'DANE-TA', 'DANE-EE'];
const SELECTOR = ['Cert', 'SPKI'];
const MATCHING = ['Full', 'SHA2-256', 'SHA2-512'];

/** `3 1 1 ab12…` as in a zone file, with the data shortened. */
export function describeTlsa(r: TlsaData): string {
  const data = r.data.length > 24 ? `${r.data.slice(0, 24)}…` : r.data;
  return `${r.usage} ${r.selector} ${r.matchingType} ${data} (${USAGE[r.usage] ?? '?'} ${SELECTOR[r.selector] ?? '?'} ${MATCHING[r.matchingType] ?? '?'})`;
}

/** Why a record cannot be used by an SMTP client, or undefined when it can. */
export function unusableReason(r: TlsaData): string | undefined {
  if (r.usage === 0 || r.usage === 1) return `usage ${r.usage} (${USAGE[r.usage]}) is not used for SMTP (RFC 7672 §3.1.3): publish 3 1 1 or 2 1 1`;
  if (r.usage !== 2 && r.usage !== 3) return `usage ${r.usage} is not defined`;
  if (r.selector !== 0 && r.selector !== 1) return `selector ${r.selector} is not defined`;
  if (r.matchingType === 1 && r.data.length !== 64) return `SHA2-256 data is ${r.data.length / 2} bytes, not 32`;
  if (r.matchingType === 2 && r.data.length !== 128) return `SHA2-512 data is ${r.data.length / 2} bytes, not 64`;
  if (r.matchingType === 0 && r.data.length === 0) return 'Full data is empty';
  if (r.matchingType > 2) return `matching type ${r.matchingType} is not defined`;
  return undefined;
}

export type DaneVerdict =
  | { readonly kind: 'match'; readonly record: TlsaData; readonly certificate: string }
  | { readonly kind: 'mismatch'; readonly reason: string; readonly evidence: readonly string[] }
  | { readonly kind: 'unusable'; readonly reason: string; readonly evidence: readonly string[] };

export function matchesCertificate(r: TlsaData, cert: CertificateFacts): boolean {
  const d = cert.digests;
  const sha256 = r.selector === 0 ? d.certSha256 : d.spkiSha256;
  const sha512 = r.selector === 0 ? d.certSha512 : d.spkiSha512;
  const data = r.data.toLowerCase();
  switch (r.matchingType) {
    case 0:
      // Full: equal data has an equal digest; comparing SHA-256s needs no copy of the DER.
      return sha256 !== undefined && createHash('sha256').update(Buffer.from(data, 'hex')).digest('hex') === sha256;
    case 1:
      return sha256 === data;
    case 2:
      return sha512 === data;
    default:
      return false;
  }
}

/** The TLSA records of one MX against what its port 25 presented (undefined: no TLS there). */
export function judgeTlsa(records: readonly TlsaData[], facts: TlsFacts | undefined, mx: string): DaneVerdict {
  const usable = records.filter((r) => unusableReason(r) === undefined);
  const listed = records.map((r) => `I: TLSA ${describeTlsa(r)}${unusableReason(r) ? `: unusable, ${unusableReason(r)}` : ''}`);
  if (usable.length === 0) {
    return { kind: 'unusable', reason: `none of the ${records.length} TLSA record${records.length === 1 ? '' : 's'} at _25._tcp.${mx} can be used by SMTP clients`, evidence: listed };
  }
  if (facts === undefined || facts.chain.length === 0) {
    return { kind: 'mismatch', reason: `${mx} publishes TLSA records but its port 25 completed no TLS handshake, so there is no certificate to match`, evidence: listed };
  }
  const [leaf, ...cas] = facts.chain;
  for (const r of usable) {
    if (r.usage === 3 && leaf && matchesCertificate(r, leaf)) return { kind: 'match', record: r, certificate: leaf.subject };
  }
  let nameProblem: string | undefined;
  for (const r of usable) {
    if (r.usage !== 2) continue;
    const ca = cas.find((c) => matchesCertificate(r, c));
    if (!ca) continue;
    if (facts.hostnameMatches) return { kind: 'match', record: r, certificate: ca.subject };
    nameProblem = `the DANE-TA record ${describeTlsa(r)} matches "${ca.subject}", but the server certificate does not name ${mx} (${facts.hostnameError ?? 'name mismatch'})`;
  }
  const chain = facts.chain.map((c, i) => `I: chain[${i}] ${c.subject}: SPKI SHA-256 ${c.digests.spkiSha256 ?? '?'}, certificate SHA-256 ${c.digests.certSha256}`);
  return {
    kind: 'mismatch',
    reason: nameProblem ?? `no usable TLSA record at _25._tcp.${mx} matches ${facts.chain.length === 1 ? 'the certificate' : 'the leaf or a CA certificate of the chain'} ${mx} presents`,
    evidence: [...listed, ...chain],
  };
}
