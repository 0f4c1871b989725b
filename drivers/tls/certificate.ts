import { X509Certificate } from 'node:crypto';
import { signatureAlgorithmName, signatureAlgorithmOid } from './der.js';

/** What diagnose needs to know about one certificate, as plain data. */
export interface CertificateFacts {
  /** Subject as one line, e.g. `CN=mail.test, O=Lab`. */
  readonly subject: string;
  readonly commonName: string | undefined;
  /** DNS names and IP addresses of subjectAltName (`DNS:` / `IP Address:` prefixes removed). */
  readonly san: readonly string[];
  readonly issuer: string;
  /** ISO-8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly keyType: string | undefined;
  /** RSA modulus bits, or the EC curve's size; undefined when unknown. */
  readonly keyBits: number | undefined;
  readonly curve: string | undefined;
  readonly signatureAlgorithm: string | undefined;
  readonly selfSigned: boolean;
  readonly isCA: boolean;
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  'P-256': 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  secp256k1: 256,
};

/** Turn Node's multi-line DN (`CN=a\nO=b`) into one line. */
function oneLineDn(dn: string): string {
  return dn
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .join(', ');
}

function commonNameOf(dn: string): string | undefined {
  for (const part of dn.split('\n')) {
    const m = /^CN=(.*)$/.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** Parse Node's subjectAltName string (`DNS:a, DNS:b, IP Address:1.2.3.4`). */
export function parseSubjectAltName(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const raw of text.split(/,\s*/)) {
    const m = /^(DNS|IP Address|email|URI):(.*)$/.exec(raw.trim());
    if (m && (m[1] === 'DNS' || m[1] === 'IP Address')) out.push(m[2]!.toLowerCase());
  }
  return out;
}

export function describeCertificate(input: X509Certificate | Uint8Array): CertificateFacts {
  const cert = input instanceof X509Certificate ? input : new X509Certificate(input);
  let keyType: string | undefined;
  let keyBits: number | undefined;
  let curve: string | undefined;
  try {
    const key = cert.publicKey;
    keyType = key.asymmetricKeyType;
    const details = key.asymmetricKeyDetails;
    if (details?.modulusLength !== undefined) keyBits = details.modulusLength;
    if (details?.namedCurve !== undefined) {
      curve = details.namedCurve;
      keyBits = CURVE_BITS[curve];
    }
    if (keyType === 'ed25519') keyBits = 256;
    if (keyType === 'ed448') keyBits = 456;
  } catch {
    // An unsupported key type: leave the key facts unknown rather than failing the connection.
  }
  const oid = signatureAlgorithmOid(cert.raw);
  return {
    subject: oneLineDn(cert.subject),
    commonName: commonNameOf(cert.subject),
    san: parseSubjectAltName(cert.subjectAltName),
    issuer: oneLineDn(cert.issuer),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    keyType,
    keyBits,
    curve,
    signatureAlgorithm: oid === undefined ? undefined : signatureAlgorithmName(oid),
    selfSigned: cert.subject === cert.issuer && safeVerifiesItself(cert),
    isCA: cert.ca,
  };
}

/**
 * Signed by its own key. Not checkIssued(): OpenSSL refuses a self-signed server certificate
 * whose key usage lacks keyCertSign, which is the usual case for a self-signed leaf.
 */
function safeVerifiesItself(cert: X509Certificate): boolean {
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}
