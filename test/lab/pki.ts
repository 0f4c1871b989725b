/**
 * Writes the lab's certificates (minted per run by test/helpers/certs.ts, so nothing committed
 * can expire) into the lab directory in the shapes Dovecot and Postfix read.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLabPki, type LabPki } from '../helpers/certs.js';

/**
 * RFC 7919 ffdhe2048 (Appendix A.1), as printed by
 * `openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048`. Dovecot 2.3 starts without
 * `ssl_dh` but then fails every DHE handshake with "internal error", and a prober does offer DHE
 * suites. A published group is as good as a generated one here, and `openssl dhparam 2048` would
 * cost seconds per run or a cache file to manage.
 */
const FFDHE2048_PEM = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
`;

export interface LabPkiFiles {
  readonly rootCaPem: string;
  readonly rootCaPath: string;
  /** Leaf then intermediate (Dovecot `ssl_cert`). */
  readonly chainPath: string;
  /** Leaf key (Dovecot `ssl_key`). */
  readonly keyPath: string;
  /** Key, leaf, intermediate in one file (Postfix `smtpd_tls_chain_files`). */
  readonly keyAndChainPath: string;
  readonly dhPath: string;
}

/** `pki`: a caller that mints more certificates from the same CA (test/diagnose's fault variants) passes its own. */
export async function writeLabPki(dir: string, pki: LabPki = createLabPki()): Promise<LabPkiFiles> {
  const files: LabPkiFiles = {
    rootCaPem: pki.root.certPem,
    rootCaPath: join(dir, 'root-ca.pem'),
    chainPath: join(dir, 'chain.pem'),
    keyPath: join(dir, 'key.pem'),
    keyAndChainPath: join(dir, 'key-and-chain.pem'),
    dhPath: join(dir, 'dh.pem'),
  };
  // Both servers read keys as root before dropping privileges, so keys can stay 0600.
  await Promise.all([
    writeFile(files.rootCaPath, pki.root.certPem, { mode: 0o644 }),
    writeFile(files.chainPath, pki.chainPem, { mode: 0o644 }),
    writeFile(files.keyPath, pki.leaf.keyPem, { mode: 0o600 }),
    writeFile(files.keyAndChainPath, pki.keyAndChainPem, { mode: 0o600 }),
    writeFile(files.dhPath, FFDHE2048_PEM, { mode: 0o644 }),
  ]);
  return files;
}
