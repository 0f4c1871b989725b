/**
 * A private Dovecot 2.3 with one certificate fault per listen address: the lab's configuration
 * (test/lab/dovecot.ts: its users, IMAP/POP3 with STARTTLS and implicit TLS, TLS >= 1.2) listening
 * on 127.0.0.3 and up, where a `local ADDRESS { ssl_cert … }` block gives each address its own
 * certificate (minted at test time, test/diagnose/fault-certs.ts) and, where the fault needs it,
 * its own TLS settings. 127.0.0.3 keeps the lab's certificate as the control. One instance for
 * every fault: the four listeners bind on every address, so each fault is served on IMAP and
 * POP3, STARTTLS and implicit TLS alike. The client (127.0.0.1) is never "local" to Dovecot
 * (LAB.md, the LOGINDISABLED trap). Started once per test file; stop() is idempotent.
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabPki } from '../helpers/certs.js';
import { startDovecot, stopDovecot, writeDovecotFiles } from '../lab/dovecot.js';
import { awaitVariant } from '../lab/variant.js';
import type { LabInfo } from '../lab/info.js';
import { writeLabPki } from '../lab/pki.js';
import { freePorts } from '../lab/ports.js';
import { claimLabDir, LAB_DIR_PREFIX } from '../lab/sweep.js';
import { writeFaultCerts, type CertFault } from './fault-certs.js';

/** Each address's fault: the certificate it serves, and settings for its `local` block. */
interface Fault {
  readonly cert?: CertFault;
  /** Only POP3 serves `cert` (a `protocol pop3 { }` block): IMAP keeps the lab's. */
  readonly pop3Only?: boolean;
  readonly settings?: readonly string[];
}

const FAULTS = {
  /** The lab's certificate and settings: the control. */
  correct: {},
  expired: { cert: 'expired' },
  notYetValid: { cert: 'notYetValid' },
  expiringSoon: { cert: 'expiringSoon' },
  wrongHost: { cert: 'wrongHost' },
  selfSigned: { cert: 'selfSigned' },
  untrusted: { cert: 'untrusted' },
  missingIntermediate: { cert: 'missingIntermediate' },
  /**
   * A 1024-bit RSA key and a SHA-1 signature: at OpenSSL 3's default security level Dovecot
   * starts but fails every handshake ("Can't load SSL certificate: ee key too small" / "ca md
   * too weak" in its log); an administrator who lowers the level makes it serve them.
   */
  weakKey: { cert: 'weakKey', settings: ['ssl_cipher_list = DEFAULT@SECLEVEL=0'] },
  weakSignature: { cert: 'weakSignature', settings: ['ssl_cipher_list = DEFAULT@SECLEVEL=0'] },
  /** The same 1024-bit key at the default level: Dovecot cannot load it and drops every handshake. */
  unloadableKey: { cert: 'weakKey' },
  /** TLS 1.0/1.1 allowed: OpenSSL 3 needs security level 0 for them (LAB.md). */
  legacyProtocols: { settings: ['ssl_min_protocol = TLSv1', 'ssl_cipher_list = DEFAULT@SECLEVEL=0'] },
  /** POP3 still on the certificate from before a renewal IMAP got. */
  stalePop3: { cert: 'stale', pop3Only: true },
} as const satisfies Record<string, Fault>;

export type DovecotFault = keyof typeof FAULTS;
const NAMES = Object.keys(FAULTS) as DovecotFault[];
/** 127.0.0.3, .4, …: 127.0.0.1 is the client's (and Postfix's), 127.0.0.2 the lab Dovecot's. */
const FIRST_HOST_OCTET = 3;

export interface FaultyDovecot {
  /** The address serving each fault. */
  readonly hosts: Readonly<Record<DovecotFault, string>>;
  /** The same on every address. */
  readonly ports: { readonly imap: number; readonly imaps: number; readonly pop3: number; readonly pop3s: number };
  readonly rootCaPath: string;
  stop(): Promise<void>;
}

function localBlock(host: string, fault: Fault, cert: { chainPath: string; keyPath: string } | undefined): string {
  const files = cert === undefined ? [] : [`ssl_cert = <${cert.chainPath}`, `ssl_key = <${cert.keyPath}`];
  const inner = fault.pop3Only ? [`protocol pop3 {`, ...files.map((l) => `  ${l}`), '}'] : files;
  const lines = [...(fault.settings ?? []), ...inner];
  return lines.length === 0 ? '' : `local ${host} {\n${lines.map((l) => `  ${l}`).join('\n')}\n}\n`;
}

export async function startFaultyDovecot(lab: LabInfo): Promise<FaultyDovecot> {
  const hosts = Object.fromEntries(NAMES.map((name, i) => [name, `127.0.0.${FIRST_HOST_OCTET + i}`])) as Record<DovecotFault, string>;
  const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
  await chmod(dir, 0o755);
  await claimLabDir(dir);
  // Nothing else binds these addresses: a port free on the first is free on all (a wildcard
  // listener elsewhere would have kept it from the first too).
  const labPki = createLabPki();
  const [pki, certs, ports, lmtp] = await Promise.all([
    writeLabPki(dir, labPki),
    writeFaultCerts(dir, labPki),
    freePorts(hosts.correct, ['imap', 'imaps', 'pop3', 'pop3s'] as const),
    freePorts(lab.hosts.lmtp, ['lmtp'] as const),
  ]);
  const files = await writeDovecotFiles({ dir, host: hosts.correct, lmtpHost: lab.hosts.lmtp, domain: lab.domain, ports: { ...ports, lmtp: lmtp.lmtp }, pki, users: lab.users });
  const conf = await readFile(files.conf, 'utf8');
  const listen = `listen = ${hosts.correct}\n`;
  if (!conf.includes(listen)) throw new Error(`test/lab/dovecot.ts no longer writes "${listen.trim()}"`);
  const locals = NAMES.map((name) => {
    const fault: Fault = FAULTS[name];
    return localBlock(hosts[name], fault, fault.cert === undefined ? undefined : certs[fault.cert]);
  });
  await writeFile(files.conf, `${conf.replace(listen, `listen = ${NAMES.map((n) => hosts[n]).join(', ')}\n`)}\n${locals.join('')}`);

  const server = startDovecot(files);
  // The master binds every listener before it starts its login processes.
  const stop = await awaitVariant(
    server,
    [
      { name: 'faulty dovecot imap', host: hosts.correct, port: ports.imap, greeting: /^\* OK / },
      { name: 'faulty dovecot pop3', host: hosts.stalePop3, port: ports.pop3, greeting: /^\+OK / },
    ],
    () => stopDovecot(server),
    dir,
  );
  return { hosts, ports, rootCaPath: pki.rootCaPath, stop };
}
