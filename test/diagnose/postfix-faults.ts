/**
 * A second, private Postfix 3.7 for diagnose: the lab's configuration hardened to TLS >= 1.2,
 * plus one extra listener per misconfiguration a real server can have (test/lab's recipes,
 * LAB.md). It delivers through the lab's Dovecot (LMTP, SASL), so AUTH works for real. Started
 * once per test file; stop() is idempotent and the lab's reaper and sweeper cover crashes.
 */
import { chmod, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dovecotPaths } from '../lab/dovecot.js';
import { waitForGreeting } from '../lab/greeting.js';
import type { LabInfo } from '../lab/info.js';
import type { LabPkiFiles } from '../lab/pki.js';
import { freePorts } from '../lab/ports.js';
import { postfixMasterCf, startPostfix, stopPostfix, writePostfixFiles } from '../lab/postfix.js';
import { claimLabDir, LAB_DIR_PREFIX } from '../lab/sweep.js';
import { brokenLeaves, createLabPki, type LabPki } from '../helpers/certs.js';

const HOST = '127.0.0.1';
const SUBMISSION = '-o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject';

/** Each fault listener: its extra master.cf options (certificate files are filled in below). */
const FAULTS = {
  /** Implicit TLS on the STARTTLS submission port: the classic "wrong version number". */
  wrapperOn587: `-o smtpd_tls_wrappermode=yes ${SUBMISSION}`,
  /** Port 465 without wrappermode: plaintext where clients start TLS. */
  plainOn465: `-o smtpd_tls_security_level=may ${SUBMISSION}`,
  /** AUTH offered (and accepted) before STARTTLS. */
  authBeforeTls: `-o smtpd_tls_security_level=may -o smtpd_tls_auth_only=no ${SUBMISSION}`,
  /** No TLS at all on a submission port. */
  noTls: `-o smtpd_tls_security_level=none ${SUBMISSION}`,
  /** STARTTLS, but SASL off: no AUTH even inside TLS. */
  noSasl: '-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=no',
  /** smtps serving key + leaf, no intermediate. */
  missingIntermediate: `-o smtpd_tls_wrappermode=yes ${SUBMISSION}`,
  /** smtps serving an expired leaf. */
  expired: `-o smtpd_tls_wrappermode=yes ${SUBMISSION}`,
  /** TLS 1.0/1.1 left at Postfix's defaults (>=TLSv1) on a submission port. */
  legacyProtocols: `-o smtpd_tls_wrappermode=yes -o smtpd_tls_protocols=>=TLSv1 -o smtpd_tls_mandatory_protocols=>=TLSv1 ${SUBMISSION}`,
} as const;

export type PostfixFault = keyof typeof FAULTS;

export interface FaultyPostfix {
  readonly host: string;
  /** Correct listeners: MX (STARTTLS may), submission (STARTTLS encrypt, AUTH), smtps (AUTH). */
  readonly ports: { readonly smtp: number; readonly submission: number; readonly smtps: number } & Readonly<Record<PostfixFault, number>>;
  readonly rootCaPath: string;
  stop(): Promise<void>;
}

async function writeChain(dir: string, name: string, parts: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, parts.join(''), { mode: 0o600 });
  return path;
}

export async function startFaultyPostfix(lab: LabInfo): Promise<FaultyPostfix> {
  const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
  await chmod(dir, 0o755);
  await claimLabDir(dir);
  const pki: LabPki = createLabPki();
  const broken = brokenLeaves(pki);
  const pkiFiles: LabPkiFiles = {
    rootCaPem: pki.root.certPem,
    rootCaPath: join(dir, 'root-ca.pem'),
    chainPath: await writeChain(dir, 'chain.pem', [pki.chainPem]),
    keyPath: await writeChain(dir, 'key.pem', [pki.leaf.keyPem]),
    keyAndChainPath: await writeChain(dir, 'key-and-chain.pem', [pki.keyAndChainPem]),
    dhPath: join(dir, 'unused-dh.pem'),
  };
  await writeFile(pkiFiles.rootCaPath, pki.root.certPem, { mode: 0o644 });
  const leafOnly = await writeChain(dir, 'leaf-only.pem', [pki.leaf.keyPem, pki.leaf.certPem]);
  const expired = await writeChain(dir, 'expired.pem', [broken.expired!.keyPem, broken.expired!.chainPem]);
  const names = ['smtp', 'submission', 'smtps', ...(Object.keys(FAULTS) as PostfixFault[])] as const;
  const ports = await freePorts(HOST, names);
  const options = {
    dir,
    host: HOST,
    domain: lab.domain,
    ports: { smtp: ports.smtp, submission: ports.submission, smtps: ports.smtps },
    lmtp: { host: lab.hosts.lmtp, port: lab.ports.lmtp },
    authSocket: dovecotPaths(lab.dir).authSocket,
    pki: pkiFiles,
    users: lab.users,
  };
  const paths = await writePostfixFiles(options);
  const mainCf = join(paths.configDir, 'main.cf');
  const masterCf = join(paths.configDir, 'master.cf');
  // The hardening the lab leaves out: no TLS 1.0/1.1 (RFC 8996).
  await writeFile(mainCf, `${await readFile(mainCf, 'utf8')}smtpd_tls_protocols = >=TLSv1.2\nsmtpd_tls_mandatory_protocols = >=TLSv1.2\n`);
  const chainFor: Partial<Record<PostfixFault, string>> = { missingIntermediate: leafOnly, expired };
  const extra = (Object.keys(FAULTS) as PostfixFault[]).map((fault) => {
    const chain = chainFor[fault] === undefined ? '' : ` -o smtpd_tls_chain_files=${chainFor[fault]}`;
    return `${HOST}:${ports[fault]} inet n - n - - smtpd ${FAULTS[fault]}${chain}`;
  });
  await writeFile(masterCf, `${extra.join('\n')}\n${postfixMasterCf(options)}`);
  // Postfix re-reads a config file modified in the last second until it "cools" (postfix.ts).
  const past = new Date(Date.now() - 60_000);
  await Promise.all([utimes(mainCf, past, past), utimes(masterCf, past, past)]);

  const server = startPostfix(paths);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopPostfix(server, paths);
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    // The master binds every listener before it accepts on any: one greeting means all are up.
    await waitForGreeting({ name: 'faulty postfix', host: HOST, port: ports.smtp, greeting: /^220 / }, Date.now() + 15_000, () => {
      const why = server.exitReason();
      return why === undefined ? undefined : `postfix ${why}: ${server.output()}`;
    });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { host: HOST, ports: { ...ports }, rootCaPath: pkiFiles.rootCaPath, stop };
}
