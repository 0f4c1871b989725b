/**
 * The certificate faults the real-server variants serve (test/diagnose/postfix-faults.ts,
 * dovecot-faults.ts), minted at test time from one lab-style PKI and written as files in both
 * shapes: key + chain in one file (Postfix smtpd_tls_chain_files) and chain and key apart
 * (Dovecot ssl_cert / ssl_key).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brokenLeaves, issue, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';

const DAY_MS = 86_400_000;

/** One certificate fault as a server is configured with it. */
export interface FaultCert {
  /** Key, leaf, intermediates (Postfix). */
  readonly keyAndChainPath: string;
  /** Leaf, intermediates (Dovecot ssl_cert). */
  readonly chainPath: string;
  /** Leaf key (Dovecot ssl_key). */
  readonly keyPath: string;
}

export const CERT_FAULTS = [
  'expired',
  'notYetValid',
  'expiringSoon',
  'wrongHost',
  'selfSigned',
  'untrusted',
  'missingIntermediate',
  'weakKey',
  'weakSignature',
  /** Valid, for the lab's names, signed by the lab CA, but running out in 25 days: what a service not reloaded after a renewal serves. */
  'stale',
] as const;
export type CertFault = (typeof CERT_FAULTS)[number];

/** Writes every fault's files into `dir`, named after the fault. */
export async function writeFaultCerts(dir: string, pki: LabPki): Promise<Record<CertFault, FaultCert>> {
  const broken = brokenLeaves(pki);
  // brokenLeaves' unknownCa is a leaf sent alone, which diagnose calls tls.chain.incomplete
  // (docs/diagnose.md, Known limits): a chain from an unknown root needs its intermediate sent.
  const unknownRoot = issue({ cn: 'mailprobe unknown root', ca: true });
  const unknownIntermediate = issue({ cn: 'mailprobe unknown intermediate', ca: true, issuer: unknownRoot });
  const untrustedLeaf = issue({ cn: LAB_SERVERNAME, issuer: unknownIntermediate });
  const stale = issue({ cn: LAB_SERVERNAME, san: sanOf(pki), issuer: pki.intermediate, notAfter: new Date(Date.now() + 25 * DAY_MS) });
  const parts: Record<CertFault, { keyPem: string; chainPem: string }> = {
    expired: broken.expired!,
    notYetValid: broken.notYetValid!,
    expiringSoon: broken.expiringSoon!,
    wrongHost: broken.wrongHost!,
    selfSigned: broken.selfSigned!,
    untrusted: { keyPem: untrustedLeaf.keyPem, chainPem: untrustedLeaf.certPem + unknownIntermediate.certPem },
    missingIntermediate: broken.missingIntermediate!,
    weakKey: broken.weakKey!,
    weakSignature: broken.sha1!,
    stale: { keyPem: stale.keyPem, chainPem: stale.certPem + pki.intermediate.certPem },
  };
  const out = {} as Record<CertFault, FaultCert>;
  await Promise.all(
    CERT_FAULTS.map(async (fault) => {
      const { keyPem, chainPem } = parts[fault];
      const files: FaultCert = {
        keyAndChainPath: join(dir, `${fault}.key-and-chain.pem`),
        chainPath: join(dir, `${fault}.chain.pem`),
        keyPath: join(dir, `${fault}.key.pem`),
      };
      // Both servers read keys as root before dropping privileges.
      await Promise.all([
        writeFile(files.keyAndChainPath, keyPem + chainPem, { mode: 0o600 }),
        writeFile(files.chainPath, chainPem, { mode: 0o644 }),
        writeFile(files.keyPath, keyPem, { mode: 0o600 }),
      ]);
      out[fault] = files;
    }),
  );
  return out;
}

/** The lab leaf's DNS names and addresses, so a re-issued certificate names exactly the same. */
function sanOf(pki: LabPki): string[] {
  const ext = pki.leaf.cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  return (ext?.altNames ?? []).map((n) => (n.type === 7 ? n.ip! : n.value!));
}
