/**
 * X.509 v3 certificates (RFC 5280 §4.1) built with our own DER writer and signed with
 * node:crypto, which generates keys and signs but cannot write certificates. Enough for a
 * private CA hierarchy and the broken certificates the fault profiles need (expired, wrong
 * host, self-signed, 1024-bit RSA, SHA-1 signatures).
 */
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import {
  bitString,
  boolean,
  explicit,
  ia5String,
  implicitPrimitive,
  namedBits,
  nullValue,
  octetString,
  oid,
  readTlv,
  sequence,
  setOf,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
  TAG,
} from './der.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Key algorithms: P-256 by default (fast to generate); RSA for realism and the weak-key fault. */
export type KeyKind = 'ec-p256' | 'rsa-2048' | 'rsa-1024';
/** SHA-256 normally; SHA-1 only for the weak-signature fault. */
export type Digest = 'sha256' | 'sha1';

export interface KeyPair {
  readonly kind: KeyKind;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export async function generateKey(kind: KeyKind): Promise<KeyPair> {
  const { privateKey, publicKey } =
    kind === 'ec-p256'
      ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
      : await generateKeyPairAsync('rsa', { modulusLength: kind === 'rsa-2048' ? 2048 : 1024 });
  return { kind, privateKey, publicKey };
}

/** The subject or issuer name: CN and O, the only attributes we use (RFC 5280 §4.1.2.4). */
export interface DistinguishedName {
  readonly commonName: string;
  readonly organization?: string;
}

/** The signer of a certificate: its name, its key, and its key identifier (for AKI). */
export interface Signer {
  readonly name: DistinguishedName;
  readonly key: KeyPair;
  readonly keyId: Buffer;
}

export interface CertificateSpec {
  readonly subject: DistinguishedName;
  readonly key: KeyPair;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Omitted: self-signed with `key`. */
  readonly issuer?: Signer;
  /** A CA certificate (basicConstraints cA, keyCertSign); pathLength limits the chain below. */
  readonly ca?: { readonly pathLength?: number };
  /** DNS names and IP addresses for subjectAltName (leaf certificates). */
  readonly san?: readonly string[];
  readonly digest?: Digest;
}

export interface Certificate {
  readonly der: Buffer;
  readonly pem: string;
  /** The signer view of this certificate, to issue others with (CAs). */
  readonly signer: Signer;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
} as const;

/** RFC 5280 §4.2.1.3 KeyUsage bit numbers. */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** Build and sign one certificate. */
export function createCertificate(spec: CertificateSpec): Certificate {
  const keyId = subjectKeyId(spec.key.publicKey);
  const signer: Signer = spec.issuer ?? { name: spec.subject, key: spec.key, keyId };
  const digest = spec.digest ?? 'sha256';
  const algorithm = signatureAlgorithm(signer.key.kind, digest);
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 16 random octets, high bit clear.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01;
  const spki = spec.key.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    explicit(0, smallInteger(2)), // version v3 (§4.1.2.1)
    unsignedInteger(serial),
    algorithm,
    encodeName(signer.name),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    encodeName(spec.subject),
    spki,
    explicit(3, sequence(...extensions(spec, keyId, signer))),
  );
  const signature = sign(digest, tbs, signer.key.privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  return { der, pem: toPem(der), signer: { name: spec.subject, key: spec.key, keyId } };
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** The private key as PKCS#8 PEM, for tls.createSecureContext and key files. */
export function privateKeyPem(key: KeyPair): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function encodeName(name: DistinguishedName): Buffer {
  // RFC 5280 §4.1.2.4: a sequence of single-attribute RDNs; UTF8String for new certificates.
  const rdns = [setOf(sequence(oid(OID.commonName), utf8String(name.commonName)))];
  if (name.organization !== undefined) rdns.unshift(setOf(sequence(oid(OID.organization), utf8String(name.organization))));
  return sequence(...rdns);
}

function signatureAlgorithm(kind: KeyKind, digest: Digest): Buffer {
  // RFC 4055 §5 / RFC 3279 §2.2.1: RSA algorithm identifiers carry NULL parameters;
  // RFC 5758 §3.2: ECDSA ones carry none.
  if (kind === 'ec-p256') return sequence(oid(digest === 'sha1' ? OID.ecdsaWithSHA1 : OID.ecdsaWithSHA256));
  return sequence(oid(digest === 'sha1' ? OID.sha1WithRSA : OID.sha256WithRSA), nullValue());
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // DEFAULT FALSE is left out in DER (X.690 §11.5).
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function extensions(spec: CertificateSpec, keyId: Buffer, signer: Signer): Buffer[] {
  const out: Buffer[] = [];
  if (spec.ca) {
    // §4.2.1.9: critical in CA certificates.
    const constraints = spec.ca.pathLength === undefined ? [boolean(true)] : [boolean(true), smallInteger(spec.ca.pathLength)];
    out.push(extension(OID.basicConstraints, true, sequence(...constraints)));
    out.push(extension(OID.keyUsage, true, namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])));
  } else {
    out.push(extension(OID.basicConstraints, false, sequence()));
    const usage = spec.key.kind === 'ec-p256' ? [KEY_USAGE.digitalSignature] : [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment];
    out.push(extension(OID.keyUsage, true, namedBits(usage)));
    out.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))));
  }
  if (spec.san && spec.san.length > 0) out.push(extension(OID.subjectAltName, false, sequence(...spec.san.map(generalName))));
  out.push(extension(OID.subjectKeyIdentifier, false, octetString(keyId)));
  // §4.2.1.1: AKI in every certificate but a self-signed root, where it MAY appear.
  if (spec.issuer) out.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, signer.keyId))));
  return out;
}

/** §4.2.1.6 GeneralName: dNSName [2] IA5String or iPAddress [7] OCTET STRING. */
function generalName(name: string): Buffer {
  const family = isIP(name);
  if (family === 0) {
    ia5String(name); // throws on non-ASCII: dNSName is IA5String (§4.2.1.6)
    return implicitPrimitive(2, Buffer.from(name, 'latin1'));
  }
  return implicitPrimitive(7, ipBytes(name, family));
}

function ipBytes(address: string, family: number): Buffer {
  if (family === 4) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value. */
function subjectKeyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const bits = readTlv(spki, algorithm.end);
  if (bits.tag !== TAG.BIT_STRING) throw new Error('unexpected SubjectPublicKeyInfo');
  return createHash('sha1').update(spki.subarray(bits.start + 1, bits.end)).digest();
}
