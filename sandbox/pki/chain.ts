/**
 * The sandbox's certificates, minted at start (nothing shipped can expire): a private root, an
 * intermediate, and a leaf for the sandbox's name and loopback addresses. A certificate fault
 * swaps the leaf (or what is served) for one real misconfiguration.
 */
import { createCertificate, generateKey, privateKeyPem, type Certificate, type KeyKind } from './x509.js';

/** Certificate misconfigurations the sandbox can serve (see sandbox/faults). */
export type CertificateFault =
  | 'expired'
  | 'not-yet-valid'
  | 'expiring-soon'
  | 'wrong-host'
  | 'self-signed'
  | 'missing-intermediate'
  | 'weak-key'
  | 'sha1-signature';

/** What a TLS server presents: its key and the certificates it sends, leaf first. */
export interface ServerCredentials {
  readonly keyPem: string;
  readonly chainPem: string;
  /**
   * OpenSSL 3 refuses to load a 1024-bit RSA key or a SHA-1 signed leaf at the default security
   * level; the server then needs `@SECLEVEL=0` (the fault is the point).
   */
  readonly needsLegacyCrypto: boolean;
}

export interface SandboxPki {
  /** The root certificate: the one trust anchor clients need (`--ca`). */
  readonly caPem: string;
  readonly intermediatePem: string;
  readonly leafPem: string;
  readonly server: ServerCredentials;
}

export interface PkiOptions {
  /** The leaf's subject CN and first DNS name. */
  readonly servername: string;
  /** More DNS names and IP addresses for subjectAltName. */
  readonly altNames?: readonly string[];
  readonly fault?: CertificateFault;
  /** Key algorithm of the CA and of the leaf (default ec-p256). */
  readonly keyKind?: Exclude<KeyKind, 'rsa-1024'>;
  readonly now?: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ORG = 'mailprobe sandbox';
/** The name a wrong-host certificate is for: a reserved domain nothing resolves (RFC 2606). */
export const WRONG_HOST_NAME = 'wrong-host.mailprobe.invalid';

export async function createSandboxPki(options: PkiOptions): Promise<SandboxPki> {
  const now = (options.now ?? new Date()).getTime();
  const kind = options.keyKind ?? 'ec-p256';
  const fault = options.fault;
  const [rootKey, intermediateKey, leafKey] = await Promise.all([
    generateKey(kind),
    generateKey(kind),
    generateKey(fault === 'weak-key' ? 'rsa-1024' : kind),
  ]);
  // A start an hour back tolerates clock skew between the sandbox and a client elsewhere.
  const root = createCertificate({
    subject: { commonName: 'mailprobe sandbox root CA', organization: ORG },
    key: rootKey,
    notBefore: new Date(now - HOUR_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    ca: {},
  });
  const intermediate = createCertificate({
    subject: { commonName: 'mailprobe sandbox intermediate CA', organization: ORG },
    key: intermediateKey,
    issuer: root.signer,
    notBefore: new Date(now - HOUR_MS),
    notAfter: new Date(now + 180 * DAY_MS),
    ca: { pathLength: 0 },
  });
  const names = [options.servername, ...(options.altNames ?? [])];
  const leafSpec = {
    subject: { commonName: options.servername, organization: ORG },
    key: leafKey,
    issuer: intermediate.signer,
    notBefore: new Date(now - HOUR_MS),
    notAfter: new Date(now + 90 * DAY_MS),
    san: names,
  };
  let leaf: Certificate;
  switch (fault) {
    case 'expired':
      leaf = createCertificate({ ...leafSpec, notBefore: new Date(now - 100 * DAY_MS), notAfter: new Date(now - DAY_MS) });
      break;
    case 'not-yet-valid':
      leaf = createCertificate({ ...leafSpec, notBefore: new Date(now + 10 * DAY_MS), notAfter: new Date(now + 100 * DAY_MS) });
      break;
    case 'expiring-soon':
      leaf = createCertificate({ ...leafSpec, notAfter: new Date(now + 5 * DAY_MS) });
      break;
    case 'wrong-host':
      leaf = createCertificate({ ...leafSpec, subject: { commonName: WRONG_HOST_NAME, organization: ORG }, san: [WRONG_HOST_NAME] });
      break;
    case 'self-signed': {
      const { issuer: _issuer, ...selfSigned } = leafSpec;
      leaf = createCertificate(selfSigned);
      break;
    }
    case 'sha1-signature':
      leaf = createCertificate({ ...leafSpec, digest: 'sha1' });
      break;
    default:
      leaf = createCertificate(leafSpec);
  }
  // A self-signed leaf is all such a server has; a missing intermediate is the classic
  // "works in my browser" mistake (browsers fetch or cache it, mail clients do not).
  const alone = fault === 'self-signed' || fault === 'missing-intermediate';
  return {
    caPem: root.pem,
    intermediatePem: intermediate.pem,
    leafPem: leaf.pem,
    server: {
      keyPem: privateKeyPem(leafKey),
      chainPem: alone ? leaf.pem : leaf.pem + intermediate.pem,
      needsLegacyCrypto: fault === 'weak-key' || fault === 'sha1-signature',
    },
  };
}
