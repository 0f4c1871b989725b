import { createHash, X509Certificate } from 'node:crypto';
import { signatureAlgorithmName, signatureAlgorithmOid, subjectPublicKeyInfo } from './der.js';

/**
 * Digests of a certificate and of its public key, lower-case hex: what DANE TLSA records match
 * (RFC 6698 §2.1.2 selector 0 = whole certificate, 1 = SubjectPublicKeyInfo; §2.1.3 matching
 * type 1 = SHA-256, 2 = SHA-512; type 0, the full data, is matched through its SHA-256).
 */
export interface CertificateDigests {
  readonly certSha256: string;
  readonly certSha512: string;
  /** undefined when the SubjectPublicKeyInfo could not be read from the DER. */
  readonly spkiSha256: string | undefined;
  readonly spkiSha512: string | undefined;
}

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
  readonly digests: CertificateDigests;
}

/**
 * The field size of a named curve, from its OpenSSL name: every OpenSSL name but the WTLS and
 * Oakley ones carries it (prime192v1, secp160r1, sect163k1, brainpoolP256r1, c2pnb163v1; Node's
 * P-256 style aliases too). A small curve must get its size, or tls.cert.weak-key never sees it.
 */
export function curveBits(name: string): number | undefined {
  if (name === 'SM2') return 256;
  const m = /^(?:P-|prime|secp|sect|brainpoolP|c2pnb|c2tnb|c2onb)(\d+)/.exec(name);
  return m ? Number(m[1]) : undefined;
}

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
      keyBits = curveBits(curve);
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
    digests: digestsOf(cert.raw),
  };
}

function digestsOf(der: Uint8Array): CertificateDigests {
  const hex = (algorithm: string, data: Uint8Array): string => createHash(algorithm).update(data).digest('hex');
  const spki = subjectPublicKeyInfo(der);
  return {
    certSha256: hex('sha256', der),
    certSha512: hex('sha512', der),
    spkiSha256: spki ? hex('sha256', spki) : undefined,
    spkiSha512: spki ? hex('sha512', spki) : undefined,
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
