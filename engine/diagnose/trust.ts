/**
 * Which certificates are trust anchors, by SHA-256 fingerprint: Node's bundled roots (what a
 * client with default settings trusts) and the user's --ca. certificate-rules.ts needs them to
 * tell what the server presented from what the local store added (tls-facts.ts: Node completes
 * the peer chain from the store).
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

let bundled: ReadonlySet<string> | undefined;

/** Fingerprints of Node's bundled root certificates (computed once, on first use). */
export function bundledRootFingerprints(): ReadonlySet<string> {
  bundled ??= pemFingerprints(rootCertificates);
  return bundled;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Fingerprints (`AB:CD:…`, as X509Certificate.fingerprint256) of every certificate in PEM text. */
export function pemFingerprints(pem: string | Buffer | readonly (string | Buffer)[] | undefined): Set<string> {
  const out = new Set<string>();
  if (pem === undefined) return out;
  const texts = (Array.isArray(pem) ? pem : [pem]) as (string | Buffer)[];
  for (const text of texts) {
    for (const block of text.toString().match(PEM_BLOCK) ?? []) {
      try {
        out.add(new X509Certificate(block).fingerprint256);
      } catch {
        // Not a certificate Node can read: it cannot be an anchor either.
      }
    }
  }
  return out;
}
