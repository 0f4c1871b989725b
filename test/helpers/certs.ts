/**
 * Certificates minted at test time (nothing committed can expire): a private root, an
 * intermediate, leaves for mail.test, and the broken variants diagnose needs (expired, not yet
 * valid, wrong name, self-signed, unknown CA, small key, SHA-1 signature).
 *
 * Keys come from node:crypto (fast, native); node-forge only assembles and signs certificates,
 * because node:crypto cannot create them and the openssl CLI on Debian 12 cannot back-date.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

export interface CertOptions {
  cn: string;
  /** DNS names and IP addresses for subjectAltName (leaves only). */
  san?: readonly string[];
  notBefore?: Date;
  notAfter?: Date;
  keyBits?: number;
  hash?: 'sha256' | 'sha1';
  /** Signing CA; omitted means self-signed. */
  issuer?: Issued;
  ca?: boolean;
}

const DAY_MS = 86_400_000;
const keyCache = new Map<number, forge.pki.rsa.PrivateKey[]>();

function rsaKey(bits: number): forge.pki.rsa.PrivateKey {
  // Distinct keys per certificate matter (a chain of one reused key would verify oddly), but a
  // small pool keyed by size avoids paying for a 2048-bit key per variant.
  const pool = keyCache.get(bits) ?? [];
  if (pool.length < 6) {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: bits,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
    pool.push(key);
    keyCache.set(bits, pool);
    return key;
  }
  return pool[Math.floor(Math.random() * pool.length)]!;
}

export function issue(options: CertOptions): Issued {
  const key = rsaKey(options.keyBits ?? 2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = options.notBefore ?? new Date(now - DAY_MS);
  cert.validity.notAfter = options.notAfter ?? new Date(now + 90 * DAY_MS);
  const subject = [{ name: 'commonName', value: options.cn }, { name: 'organizationName', value: 'mailprobe test lab' }];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [];
  if (options.ca) {
    extensions.push({ name: 'basicConstraints', cA: true, critical: true });
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else {
    extensions.push({ name: 'basicConstraints', cA: false });
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({ name: 'extKeyUsage', serverAuth: true });
    const san = options.san ?? [options.cn];
    extensions.push({
      name: 'subjectAltName',
      altNames: san.map((n) => (/^[\d.]+$/.test(n) || n.includes(':') ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  extensions.push({ name: 'subjectKeyIdentifier' });
  if (options.issuer) {
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: options.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  }
  cert.setExtensions(extensions);
  const md = options.hash === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  cert.sign(options.issuer ? options.issuer.key : key, md);
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(key),
    cert,
    key,
  };
}

/** The lab's PKI: root → intermediate → leaf for mail.test (and 127.0.0.1 / 127.0.0.2). */
export interface LabPki {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
  /** leaf then intermediate: what a well-configured server presents. */
  chainPem: string;
  /** key, leaf, intermediate: Postfix smtpd_tls_chain_files format. */
  keyAndChainPem: string;
}

export const LAB_SERVERNAME = 'mail.test';

export function createLabPki(names: readonly string[] = [LAB_SERVERNAME, '127.0.0.1', '127.0.0.2']): LabPki {
  const root = issue({ cn: 'mailprobe test root', ca: true, notAfter: new Date(Date.now() + 365 * DAY_MS) });
  const intermediate = issue({ cn: 'mailprobe test intermediate', ca: true, issuer: root, notAfter: new Date(Date.now() + 180 * DAY_MS) });
  const leaf = issue({ cn: names[0] ?? LAB_SERVERNAME, san: names, issuer: intermediate });
  return {
    root,
    intermediate,
    leaf,
    chainPem: leaf.certPem + intermediate.certPem,
    keyAndChainPem: leaf.keyPem + leaf.certPem + intermediate.certPem,
  };
}

/** Broken leaves for diagnose tests, all signed by the lab intermediate unless stated. */
export function brokenLeaves(pki: LabPki): Record<string, { certPem: string; keyPem: string; chainPem: string }> {
  const now = Date.now();
  const withChain = (leaf: Issued, chain = true): { certPem: string; keyPem: string; chainPem: string } => ({
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    chainPem: chain ? leaf.certPem + pki.intermediate.certPem : leaf.certPem,
  });
  const i = pki.intermediate;
  const unknownRoot = issue({ cn: 'unknown root', ca: true });
  return {
    expired: withChain(issue({ cn: LAB_SERVERNAME, issuer: i, notBefore: new Date(now - 100 * DAY_MS), notAfter: new Date(now - DAY_MS) })),
    notYetValid: withChain(issue({ cn: LAB_SERVERNAME, issuer: i, notBefore: new Date(now + 10 * DAY_MS), notAfter: new Date(now + 100 * DAY_MS) })),
    expiringSoon: withChain(issue({ cn: LAB_SERVERNAME, issuer: i, notAfter: new Date(now + 5 * DAY_MS) })),
    wrongHost: withChain(issue({ cn: 'other.test', san: ['other.test'], issuer: i })),
    selfSigned: withChain(issue({ cn: LAB_SERVERNAME }), false),
    unknownCa: withChain(issue({ cn: LAB_SERVERNAME, issuer: unknownRoot }), false),
    missingIntermediate: withChain(issue({ cn: LAB_SERVERNAME, issuer: i }), false),
    weakKey: withChain(issue({ cn: LAB_SERVERNAME, issuer: i, keyBits: 1024 })),
    sha1: withChain(issue({ cn: LAB_SERVERNAME, issuer: i, hash: 'sha1' })),
  };
}
