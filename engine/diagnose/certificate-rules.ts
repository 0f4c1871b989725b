/**
 * Certificate findings from the TLS facts of a port (RFC 5280): trust path, presented chain,
 * dates, name, key and signature strength. OpenSSL reports only one verification error (the
 * last one: an expired leaf under an unknown root says CERT_HAS_EXPIRED), so the path and the
 * dates are judged here from the chain itself, and OpenSSL's code is only the evidence.
 */
import type { CertificateFacts } from '../../drivers/tls/certificate.js';
import { SCHEMES } from '../../drivers/target.js';
import { isWeakSignatureAlgorithm } from '../../drivers/tls/der.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import type { CertificateReport, Finding, Severity } from '../report-types.js';
import { finding } from './finding.js';
import { bundledRootFingerprints } from './trust.js';
import type { Endpoint } from './types.js';

/** Warn this many days before notAfter (the 21: renewal normally runs at 30). */
export const EXPIRY_WARNING_DAYS = 21;
/** Under this many days the warning is high: the next weekend may already be too late. */
export const EXPIRY_URGENT_DAYS = 7;
const DAY_MS = 86_400_000;
/** RSA/DSA below 2048 bits, elliptic curves below 224 bits (NIST SP 800-57, OpenSSL level 2). */
const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 224;

/** OpenSSL verification codes the rules below explain by themselves. */
const PATH_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** Security-level refusals; OpenSSL 3 reports a SHA-1 signature as UNSPECIFIED. */
const STRENGTH_ERRORS = new Set(['CA_MD_TOO_WEAK', 'EE_KEY_TOO_SMALL', 'CA_KEY_TOO_SMALL', 'UNSPECIFIED']);

export interface CertificateInput {
  readonly endpoint: Endpoint;
  /** The main handshake: the user's trust store (bundled roots plus --ca). */
  readonly facts: TlsFacts;
  /** A handshake with the bundled roots only (a version probe), when one succeeded. */
  readonly bundledFacts: TlsFacts | undefined;
  /** Fingerprints of the user's --ca certificates. */
  readonly userAnchors: ReadonlySet<string>;
  /** --insecure: trust and name problems are reported as info. */
  readonly insecure: boolean;
  /** A name was checked (--servername, or the host is a name, not an address). */
  readonly nameGiven: boolean;
  readonly now: Date;
}

export interface CertificateVerdict {
  readonly findings: Finding[];
  readonly report: CertificateReport | null;
}

export function judgeCertificate(input: CertificateInput): CertificateVerdict {
  const { facts, endpoint } = input;
  const chain = facts.chain;
  const leaf = chain[0];
  const evidence = chain.map((c, i) => `I: [${i}] ${c.subject} (issuer ${c.issuer}; ${c.notBefore} .. ${c.notAfter}; ${c.keyType ?? '?'} ${c.keyBits ?? '?'}; ${c.signatureAlgorithm ?? '?'})`);
  if (leaf === undefined) {
    return { findings: [finding('tls.cert.untrusted', endpoint, { seen: 'The server presented no certificate.', severity: trustSeverity(input) })], report: null };
  }
  const presented = presentedLength(input);
  const out: Finding[] = [];
  const path = judgePath(input, presented, evidence);
  out.push(...path.findings);
  out.push(...judgeDates(input, chain, evidence));
  out.push(...judgeStrength(input, chain, evidence));
  if (!facts.hostnameMatches) {
    const name = facts.servername ?? endpoint.host;
    const seen = `The certificate is for ${[...new Set([...leaf.san, ...(leaf.commonName ? [leaf.commonName] : [])])].join(', ') || leaf.subject}, not ${name} (${facts.hostnameError ?? 'no match'}).`;
    const byAddress = !input.nameGiven;
    out.push(
      finding('tls.cert.hostname-mismatch', endpoint, {
        seen: byAddress ? `${seen} Connected by address without --servername: pass the name clients use to check it.` : seen,
        severity: byAddress ? 'info' : trustSeverity(input),
        evidence: evidence.slice(0, 1),
      }),
    );
  }
  const code = facts.chainError;
  const explained = code === null || PATH_ERRORS.has(code) || DATE_ERRORS.has(code) || (STRENGTH_ERRORS.has(code) && out.some((f) => f.id.startsWith('tls.cert.weak')));
  if (!explained && path.trusted) {
    out.push(finding('tls.cert.untrusted', endpoint, { seen: `OpenSSL rejected the chain: ${code}.`, severity: trustSeverity(input), evidence }));
  }
  return {
    findings: out,
    report: {
      subject: leaf.subject,
      san: leaf.san,
      issuer: leaf.issuer,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      keyBits: leaf.keyBits ?? null,
      chainLength: presented ?? chain.length,
      trusted: facts.verified,
      error: facts.chainError ?? facts.hostnameError ?? null,
    },
  };
}

/**
 * Trust and name problems: info with --insecure; medium on an MX, where senders encrypt
 * opportunistically without verifying (RFC 7435) and only MTA-STS senders (RFC 8461) fail, while
 * DANE (RFC 7672) may even pin a self-signed certificate; the catalogue's severity elsewhere.
 */
function trustSeverity(input: CertificateInput): Severity | undefined {
  if (input.insecure) return 'info';
  return isMx(input) ? 'medium' : undefined;
}

function isMx(input: CertificateInput): boolean {
  return input.endpoint.expected !== undefined && SCHEMES[input.endpoint.expected].role === 'mx';
}

/**
 * How many certificates the server sent, if that can be told: the bundled-roots handshake shows
 * the presented chain plus at most a bundled root; without it, the main chain up to the first
 * anchor (unknown when that anchor is a --ca intermediate the server may or may not have sent).
 */
function presentedLength(input: CertificateInput): number | undefined {
  const bundled = bundledRootFingerprints();
  if (input.bundledFacts && input.bundledFacts.chain[0]?.fingerprint256 === input.facts.chain[0]?.fingerprint256) {
    const c = input.bundledFacts.chain;
    const cut = c.findIndex((x) => bundled.has(x.fingerprint256));
    return cut === -1 ? c.length : cut;
  }
  const chain = input.facts.chain;
  const cut = chain.findIndex((x) => bundled.has(x.fingerprint256) || input.userAnchors.has(x.fingerprint256));
  if (cut === -1) return chain.length;
  return selfIssued(chain[cut]!) ? cut : undefined;
}

function judgePath(input: CertificateInput, presented: number | undefined, evidence: readonly string[]): { trusted: boolean; findings: Finding[] } {
  const { facts, endpoint } = input;
  const chain = facts.chain;
  const leaf = chain[0]!;
  const top = chain[chain.length - 1]!;
  const anchors = new Set([...bundledRootFingerprints(), ...input.userAnchors]);
  const anchoredAt = chain.findIndex((c) => selfIssued(c) && anchors.has(c.fingerprint256));
  const severity = trustSeverity(input);
  const code = facts.chainError ? ` (OpenSSL: ${facts.chainError})` : '';
  if (anchoredAt !== -1) {
    // RFC 8446 §4.4.2: the server sends its chain; only the root may be left out. An
    // intermediate that came from the local store (--ca) will be missing for other clients.
    const missing = presented === undefined ? undefined : chain[presented];
    if (missing !== undefined && presented! > 0 && !selfIssued(missing)) {
      const seen = `The server sent ${presented} certificate(s); the chain verified only because the local trust store (--ca) holds the intermediate "${missing.subject}".`;
      return { trusted: true, findings: [finding('tls.chain.incomplete', endpoint, { seen, severity: input.insecure ? 'info' : 'medium', evidence })] };
    }
    return { trusted: true, findings: [] };
  }
  if (selfIssued(leaf) && chain.length === 1) {
    return { trusted: false, findings: [finding('tls.cert.self-signed', endpoint, { seen: `The certificate "${leaf.subject}" is self-signed and not in the trust store${code}.`, severity, evidence })] };
  }
  if (selfIssued(top)) {
    const seen = `The chain ends at the root "${top.subject}", which is not trusted${code}; pass it with --ca if it is your private CA.`;
    return { trusted: false, findings: [finding('tls.cert.untrusted', endpoint, { seen, severity, evidence })] };
  }
  if (chain.length === 1) {
    const seen = `The server sent only its own certificate; its issuer "${leaf.issuer}" was neither sent nor found in the trust store${code}. If that issuer is a private root CA rather than an intermediate, the chain is complete but untrusted: pass the root with --ca.`;
    return { trusted: false, findings: [finding('tls.chain.incomplete', endpoint, { seen, severity, evidence })] };
  }
  const seen = `The chain ends at "${top.subject}", whose issuer "${top.issuer}" is not trusted${code}; pass that root with --ca if it is your private CA.`;
  return { trusted: false, findings: [finding('tls.cert.untrusted', endpoint, { seen, severity, evidence })] };
}

function judgeDates(input: CertificateInput, chain: readonly CertificateFacts[], evidence: readonly string[]): Finding[] {
  const now = input.now.getTime();
  const out: Finding[] = [];
  const label = (c: CertificateFacts, i: number): string => (i === 0 ? `the certificate "${c.subject}"` : `the CA certificate "${c.subject}"`);
  const expired = chain.map((c, i) => ({ c, i })).filter(({ c }) => Date.parse(c.notAfter) < now);
  if (expired.length > 0) {
    const seen = expired.map(({ c, i }) => `${label(c, i)} expired on ${c.notAfter} (${days(now - Date.parse(c.notAfter))} days ago)`).join('; ');
    // DANE-EE senders ignore dates (RFC 7672 §3.1.1) and opportunistic ones do not check: high, not critical, on an MX.
    out.push(finding('tls.cert.expired', input.endpoint, { seen: `${capitalise(seen)}.`, severity: isMx(input) ? 'high' : undefined, evidence }));
  }
  const early = chain.map((c, i) => ({ c, i })).filter(({ c }) => Date.parse(c.notBefore) > now);
  if (early.length > 0) {
    const seen = early.map(({ c, i }) => `${label(c, i)} is valid only from ${c.notBefore}`).join('; ');
    out.push(finding('tls.cert.not-yet-valid', input.endpoint, { seen: `${capitalise(seen)}.`, evidence }));
  }
  const soon = chain
    .map((c, i) => ({ c, i, left: Date.parse(c.notAfter) - now }))
    .filter(({ left }) => left >= 0 && left < EXPIRY_WARNING_DAYS * DAY_MS);
  if (soon.length > 0) {
    const least = Math.min(...soon.map((s) => s.left));
    const seen = soon.map(({ c, i, left }) => `${label(c, i)} expires on ${c.notAfter} (in ${days(left)} days)`).join('; ');
    out.push(finding('tls.cert.expiring-soon', input.endpoint, { seen: `${capitalise(seen)}.`, severity: least < EXPIRY_URGENT_DAYS * DAY_MS ? 'high' : 'medium', evidence }));
  }
  return out;
}

/** Key and signature strength of what the server sent (a trust anchor's self-signature is never checked). */
function judgeStrength(input: CertificateInput, chain: readonly CertificateFacts[], evidence: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const relied = chain.filter((c, i) => i === 0 || !selfIssued(c));
  const weakKeys = relied.filter((c) => {
    if (c.keyBits === undefined) return false;
    if (c.keyType === 'rsa' || c.keyType === 'rsa-pss' || c.keyType === 'dsa') return c.keyBits < MIN_RSA_BITS;
    if (c.keyType === 'ec') return c.keyBits < MIN_EC_BITS;
    return false;
  });
  if (weakKeys.length > 0) {
    const seen = weakKeys.map((c) => `"${c.subject}" has a ${c.keyBits}-bit ${c.keyType?.toUpperCase() ?? ''} key`).join('; ');
    out.push(finding('tls.cert.weak-key', input.endpoint, { seen: `${seen}.`, evidence }));
  }
  const weakSigs = chain.filter((c) => !selfIssued(c) && c.signatureAlgorithm !== undefined && isWeakSignatureAlgorithm(c.signatureAlgorithm));
  if (weakSigs.length > 0) {
    const seen = weakSigs.map((c) => `"${c.subject}" is signed with ${c.signatureAlgorithm}`).join('; ');
    out.push(finding('tls.cert.weak-signature', input.endpoint, { seen: `${seen}.`, evidence }));
  }
  return out;
}

/**
 * RFC 5280 §3.2 self-issued: subject and issuer are the same name. CertificateFacts.selfSigned
 * also asks OpenSSL's check_issued, which says no for a self-signed leaf whose key usage lacks
 * keyCertSign (what most hand-made server certificates look like), so the names decide here.
 */
function selfIssued(c: CertificateFacts): boolean {
  return c.selfSigned || c.subject === c.issuer;
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
