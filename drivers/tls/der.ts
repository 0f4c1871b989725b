/**
 * Just enough DER to read what Node's X509Certificate does not expose on Node 20: the
 * certificate's signature algorithm (RFC 5280 §4.1.1.2) and its SubjectPublicKeyInfo bytes as
 * encoded (§4.1.2.7, what DANE selector 1 hashes). Bounded by the input length; any malformed
 * input yields undefined, never a throw.
 */

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset]!;
  let len = der[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > der.length) return undefined;
    len = 0;
    for (let i = 0; i < bytes; i++) len = len * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + len;
  if (end > der.length) return undefined;
  return { tag, start, end };
}

function decodeOid(der: Uint8Array, start: number, end: number): string | undefined {
  if (end <= start) return undefined;
  const first = der[start]!;
  const parts: number[] = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (let i = start + 1; i < end; i++) {
    const b = der[i]!;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The signatureAlgorithm OID of a DER certificate, or undefined if it cannot be read. */
export function signatureAlgorithmOid(der: Uint8Array): string | undefined {
  const cert = readTlv(der, 0);
  if (!cert || cert.tag !== 0x30) return undefined;
  const tbs = readTlv(der, cert.start);
  if (!tbs || tbs.tag !== 0x30) return undefined;
  const alg = readTlv(der, tbs.end);
  if (!alg || alg.tag !== 0x30) return undefined;
  const oid = readTlv(der, alg.start);
  if (!oid || oid.tag !== 0x06) return undefined;
  return decodeOid(der, oid.start, oid.end);
}

/**
 * The SubjectPublicKeyInfo of a DER certificate, byte for byte as the certificate holds it (RFC
 * 5280 §4.1: TBSCertificate = [0] version?, serialNumber, signature, issuer, validity, subject,
 * subjectPublicKeyInfo, …), or undefined if it cannot be read.
 */
export function subjectPublicKeyInfo(der: Uint8Array): Uint8Array | undefined {
  const cert = readTlv(der, 0);
  if (!cert || cert.tag !== 0x30) return undefined;
  const tbs = readTlv(der, cert.start);
  if (!tbs || tbs.tag !== 0x30) return undefined;
  let offset = tbs.start;
  const first = readTlv(der, offset);
  if (!first) return undefined;
  // The explicit [0] version is optional (v1 certificates omit it).
  if (first.tag === 0xa0) offset = first.end;
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
  for (let i = 0; i < 5; i++) {
    const field = readTlv(der, offset);
    if (!field || field.end > tbs.end) return undefined;
    offset = field.end;
  }
  const spki = readTlv(der, offset);
  if (!spki || spki.tag !== 0x30 || spki.end > tbs.end) return undefined;
  return der.subarray(offset, spki.end);
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '1.2.840.10045.4.1': 'ecdsaWithSHA1',
  '1.2.840.10045.4.3.1': 'ecdsaWithSHA224',
  '1.2.840.10045.4.3.2': 'ecdsaWithSHA256',
  '1.2.840.10045.4.3.3': 'ecdsaWithSHA384',
  '1.2.840.10045.4.3.4': 'ecdsaWithSHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** A readable name for a signature algorithm OID (the OID itself when unknown). */
export function signatureAlgorithmName(oid: string): string {
  return SIGNATURE_ALGORITHMS[oid] ?? oid;
}

/** MD2, MD5 and SHA-1 signatures are no longer collision resistant. */
export function isWeakSignatureAlgorithm(name: string): boolean {
  return /^(md2|md5|sha1|dsaWithSHA1|ecdsaWithSHA1)/i.test(name);
}
