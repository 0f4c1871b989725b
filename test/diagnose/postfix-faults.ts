/**
 * A second, private Postfix 3.7 for diagnose: the lab's configuration hardened to TLS >= 1.2,
 * plus one extra listener per misconfiguration a real server can have (test/lab's recipes,
 * LAB.md): master.cf options, a certificate minted at test time (fault-certs.ts), postscreen in
 * front, or a service left commented out. It delivers through the lab's Dovecot (LMTP, SASL), so
 * AUTH works for real. One instance for all faults, started once per test file; stop() is
 * idempotent and the lab's reaper and sweeper cover crashes.
 */
import { chmod, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dovecotPaths } from '../lab/dovecot.js';
import { awaitVariant } from '../lab/variant.js';
import type { LabInfo } from '../lab/info.js';
import type { LabPkiFiles } from '../lab/pki.js';
import { freePorts } from '../lab/ports.js';
import { postfixMasterCf, startPostfix, stopPostfix, writePostfixFiles } from '../lab/postfix.js';
import { claimLabDir, LAB_DIR_PREFIX } from '../lab/sweep.js';
import { createLabPki, type LabPki } from '../helpers/certs.js';
import { writeFaultCerts, type CertFault } from './fault-certs.js';

const HOST = '127.0.0.1';
const SUBMISSION = '-o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject';
/** Postscreen's pregreet wait (its minimum is 1 s). */
export const POSTSCREEN_GREET_WAIT_S = 2;

/** A listener with one misconfiguration: its master.cf options, and the certificate it serves if not the lab's. */
interface Fault {
  readonly options: string;
  readonly cert?: CertFault;
  /** postscreen in front of smtpd (the `smtpd pass` service is added once). */
  readonly postscreen?: boolean;
  /** Commented out in master.cf, as Debian ships its submission service: nothing listens. */
  readonly disabled?: boolean;
}

const SMTPS = `-o smtpd_tls_wrappermode=yes ${SUBMISSION}`;

const FAULTS = {
  /** Implicit TLS on the STARTTLS submission port: the classic "wrong version number". */
  wrapperOn587: { options: SMTPS },
  /** Port 465 without wrappermode: plaintext where clients start TLS. */
  plainOn465: { options: `-o smtpd_tls_security_level=may ${SUBMISSION}` },
  /** AUTH offered (and accepted) before STARTTLS. */
  authBeforeTls: { options: `-o smtpd_tls_security_level=may -o smtpd_tls_auth_only=no ${SUBMISSION}` },
  /** No TLS at all on a submission port. */
  noTls: { options: `-o smtpd_tls_security_level=none ${SUBMISSION}` },
  /** STARTTLS, but SASL off: no AUTH even inside TLS. */
  noSasl: { options: '-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=no' },
  /** smtps serving key + leaf, no intermediate. */
  missingIntermediate: { options: SMTPS, cert: 'missingIntermediate' },
  /** smtps serving an expired leaf. */
  expired: { options: SMTPS, cert: 'expired' },
  /** smtps serving a leaf whose notBefore is in 10 days. */
  notYetValid: { options: SMTPS, cert: 'notYetValid' },
  /** smtps serving a leaf that runs out in 5 days. */
  expiringSoon: { options: SMTPS, cert: 'expiringSoon' },
  /** Submission (STARTTLS required) serving a certificate for other.test only. */
  wrongHost: { options: `-o smtpd_tls_security_level=encrypt ${SUBMISSION}`, cert: 'wrongHost' },
  /** smtps serving a self-signed leaf. */
  selfSigned: { options: SMTPS, cert: 'selfSigned' },
  /** An MX (STARTTLS may) serving the same self-signed leaf: opportunistic senders do not verify. */
  selfSignedMx: { options: '', cert: 'selfSigned' },
  /** smtps serving leaf + intermediate from a root nobody trusts. */
  untrusted: { options: SMTPS, cert: 'untrusted' },
  /**
   * smtps serving a 1024-bit RSA leaf. Postfix 3.7 on Debian 12 (OpenSSL 3.0) serves it as
   * configured, no security-level setting needed (Dovecot 2.3 needs one: dovecot-faults.ts).
   */
  weakKey: { options: SMTPS, cert: 'weakKey' },
  /** smtps serving a SHA-1-signed leaf (likewise served as is). */
  weakSignature: { options: SMTPS, cert: 'weakSignature' },
  /** smtps still serving the certificate from before a renewal the other ports got (25 days left). */
  stale: { options: SMTPS, cert: 'stale' },
  /** TLS 1.0/1.1 left at Postfix's defaults (>=TLSv1) on a submission port. */
  legacyProtocols: { options: `${SMTPS} -o smtpd_tls_protocols=>=TLSv1 -o smtpd_tls_mandatory_protocols=>=TLSv1` },
  /** smtps limited to TLS 1.0 and 1.1 (a configuration from before TLS 1.2). */
  noTls12: { options: `${SMTPS} -o smtpd_tls_protocols=<=TLSv1.1 -o smtpd_tls_mandatory_protocols=<=TLSv1.1` },
  /** smtps speaking TLS 1.3 only: clients limited to TLS 1.2 cannot connect. */
  tls13Only: { options: `${SMTPS} -o smtpd_tls_protocols=>=TLSv1.3 -o smtpd_tls_mandatory_protocols=>=TLSv1.3` },
  /** An MX allowing one connection per minute per client (anvil): the next one is greeted with 421. */
  rateLimited: { options: '-o smtpd_client_connection_rate_limit=1' },
  /** An MX behind postscreen: "220-" at once, the rest of the greeting after postscreen_greet_wait. */
  postscreen: { options: `-o postscreen_greet_wait=${POSTSCREEN_GREET_WAIT_S}s`, postscreen: true },
  /** smtpd_delay_reject = no with a client restriction that rejects: the greeting is a 554. */
  clientRejected: { options: '-o smtpd_delay_reject=no -o smtpd_client_restrictions=reject' },
  /** An MX whose certificate file is missing: STARTTLS offered, the handshake refused (alert 40). */
  missingCertMx: { options: '-o smtpd_tls_chain_files=/nonexistent/mailprobe-chain.pem' },
  /** The same on smtps: no handshake completes. */
  missingCertSmtps: { options: `${SMTPS} -o smtpd_tls_chain_files=/nonexistent/mailprobe-chain.pem` },
  /** A submission service left commented out. */
  disabled: { options: SUBMISSION, disabled: true },
} as const satisfies Record<string, Fault>;

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
  const pkiFiles: LabPkiFiles = {
    rootCaPem: pki.root.certPem,
    rootCaPath: join(dir, 'root-ca.pem'),
    chainPath: await writeChain(dir, 'chain.pem', [pki.chainPem]),
    keyPath: await writeChain(dir, 'key.pem', [pki.leaf.keyPem]),
    keyAndChainPath: await writeChain(dir, 'key-and-chain.pem', [pki.keyAndChainPem]),
    dhPath: join(dir, 'unused-dh.pem'),
  };
  await writeFile(pkiFiles.rootCaPath, pki.root.certPem, { mode: 0o644 });
  const certs = await writeFaultCerts(dir, pki);
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
  const extra = (Object.keys(FAULTS) as PostfixFault[]).map((name) => {
    const fault: Fault = FAULTS[name];
    const chain = fault.cert === undefined ? '' : ` -o smtpd_tls_chain_files=${certs[fault.cert].keyAndChainPath}`;
    const service = fault.postscreen ? 'inet n - n - 1 postscreen' : 'inet n - n - - smtpd';
    return `${fault.disabled ? '#' : ''}${HOST}:${ports[name]} ${service} ${fault.options}${chain}`.trimEnd();
  });
  // postscreen hands clients that pass its tests to this service.
  const pass = 'smtpd pass - - n - - smtpd';
  await writeFile(masterCf, `${[...extra, pass].join('\n')}\n${postfixMasterCf(options)}`);
  // Postfix re-reads a config file modified in the last second until it "cools" (postfix.ts).
  const past = new Date(Date.now() - 60_000);
  await Promise.all([utimes(mainCf, past, past), utimes(masterCf, past, past)]);

  const server = startPostfix(paths);
  // The master binds every listener before it accepts on any: one greeting means all are up.
  const stop = await awaitVariant(server, [{ name: 'faulty postfix', host: HOST, port: ports.smtp, greeting: /^220 / }], () => stopPostfix(server, paths), dir);
  return { host: HOST, ports: { ...ports }, rootCaPath: pkiFiles.rootCaPath, stop };
}
