/**
 * A second, private Dovecot 2.3 that accepts passwords before TLS (`disable_plaintext_auth =
 * no`, the setting Dovecot 2.4 calls `auth_allow_cleartext = yes`): otherwise the lab's
 * configuration (test/lab/dovecot.ts), its users and their passwords, on 127.0.0.2 so the
 * client (127.0.0.1) is not "local" to Dovecot (LAB.md, the LOGINDISABLED trap). Its own
 * directory, ports and LMTP listener (unused). Started once per test file; stop() is idempotent.
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, stopDovecot, writeDovecotFiles } from '../lab/dovecot.js';
import { awaitVariant } from '../lab/variant.js';
import type { LabInfo } from '../lab/info.js';
import { writeLabPki } from '../lab/pki.js';
import { freePorts } from '../lab/ports.js';
import { claimLabDir, LAB_DIR_PREFIX } from '../lab/sweep.js';

export interface CleartextDovecot {
  readonly host: string;
  readonly ports: { readonly imap: number; readonly pop3: number };
  /** The root of this instance's own certificate chain (SNI mail.test). */
  readonly rootCaPath: string;
  readonly rootCaPem: string;
  stop(): Promise<void>;
}

export async function startCleartextDovecot(lab: LabInfo): Promise<CleartextDovecot> {
  const host = lab.hosts.imap;
  const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
  await chmod(dir, 0o755);
  await claimLabDir(dir);
  const [pki, ports, lmtp] = await Promise.all([writeLabPki(dir), freePorts(host, ['imap', 'imaps', 'pop3', 'pop3s'] as const), freePorts(lab.hosts.lmtp, ['lmtp'] as const)]);
  const files = await writeDovecotFiles({ dir, host, lmtpHost: lab.hosts.lmtp, domain: lab.domain, ports: { ...ports, lmtp: lmtp.lmtp }, pki, users: lab.users });
  const conf = await readFile(files.conf, 'utf8');
  if (!conf.includes('disable_plaintext_auth = yes')) throw new Error('test/lab/dovecot.ts no longer sets disable_plaintext_auth = yes');
  await writeFile(files.conf, conf.replace('disable_plaintext_auth = yes', 'disable_plaintext_auth = no'));

  const server = startDovecot(files);
  const stop = await awaitVariant(
    server,
    [
      { name: 'cleartext dovecot imap', host, port: ports.imap, greeting: /^\* OK / },
      { name: 'cleartext dovecot pop3', host, port: ports.pop3, greeting: /^\+OK / },
    ],
    () => stopDovecot(server),
    dir,
  );
  return { host, ports: { imap: ports.imap, pop3: ports.pop3 }, rootCaPath: pki.rootCaPath, rootCaPem: pki.rootCaPem, stop };
}
