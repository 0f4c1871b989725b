/**
 * A second, private Postfix 3.7 for the security probes: the lab's configuration plus one extra
 * listener per security setting under test (master.cf `-o` overrides, so one instance serves
 * them all). Loopback stays outside mynetworks (192.0.2.1/32, test/lab/postfix.ts), so relay
 * control and the smuggling fix apply to the probes: smtpd_forbid_bare_newline_exclusions
 * defaults to $mynetworks. Mail for mail.test goes to the lab's Dovecot over LMTP; everything
 * else is discarded (default_transport = relay_transport = discard:), so even a relay that
 * accepted would send nothing anywhere. Started once per test file; stop() is idempotent.
 */
import { chmod, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dovecotPaths } from '../lab/dovecot.js';
import { awaitVariant } from '../lab/variant.js';
import type { LabInfo } from '../lab/info.js';
import { freePorts } from '../lab/ports.js';
import { postfixMasterCf, startPostfix, stopPostfix, writePostfixFiles } from '../lab/postfix.js';
import { claimLabDir, LAB_DIR_PREFIX } from '../lab/sweep.js';
import { createLabPki } from '../helpers/certs.js';

const HOST = '127.0.0.1';

/** Each listener: its master.cf overrides. */
const VARIANTS = {
  /** Postfix < 3.9 default: bare <LF> ends lines, so `<LF>.<LF>` ends the data (CVE-2023-51764). */
  smugglingProne: '-o smtpd_forbid_bare_newline=no',
  /** The fix: only <CR><LF>.<CR><LF> ends the data; bare <LF> is read as <CR><LF>. */
  smugglingNormalize: '-o smtpd_forbid_bare_newline=normalize',
  /** The strict fix: bare <LF> anywhere gets 550. */
  smugglingReject: '-o smtpd_forbid_bare_newline=reject',
  /** permit_mynetworks covers loopback: every local client relays anywhere (an open relay to the probe). */
  openRelay: '-o mynetworks=127.0.0.0/8',
  /** Everything right: smuggling fixed, VRFY off, relay control as in the lab. */
  hardened: '-o smtpd_forbid_bare_newline=normalize -o disable_vrfy_command=yes',
} as const;

export type PostfixVariant = keyof typeof VARIANTS;

export interface SecurityPostfix {
  readonly host: string;
  /** The lab's own three listeners plus one per variant. */
  readonly ports: { readonly smtp: number; readonly submission: number; readonly smtps: number } & Readonly<Record<PostfixVariant, number>>;
  /** The root of this instance's certificate chain, for --ca (connect with SNI mail.test). */
  readonly rootCaPath: string;
  readonly rootCaPem: string;
  /** Where Postfix logs (to show what happened when a test fails). */
  readonly log: string;
  stop(): Promise<void>;
}

export async function startSecurityPostfix(lab: LabInfo): Promise<SecurityPostfix> {
  const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
  await chmod(dir, 0o755);
  await claimLabDir(dir);
  const pki = createLabPki();
  const keyAndChainPath = join(dir, 'key-and-chain.pem');
  const rootCaPath = join(dir, 'root-ca.pem');
  await writeFile(keyAndChainPath, pki.keyAndChainPem, { mode: 0o600 });
  await writeFile(rootCaPath, pki.root.certPem, { mode: 0o644 });
  const names = ['smtp', 'submission', 'smtps', ...(Object.keys(VARIANTS) as PostfixVariant[])] as const;
  const ports = await freePorts(HOST, names);
  const options = {
    dir,
    host: HOST,
    domain: lab.domain,
    ports: { smtp: ports.smtp, submission: ports.submission, smtps: ports.smtps },
    lmtp: { host: lab.hosts.lmtp, port: lab.ports.lmtp },
    authSocket: dovecotPaths(lab.dir).authSocket,
    pki: { rootCaPem: pki.root.certPem, rootCaPath, chainPath: join(dir, 'unused-chain.pem'), keyPath: join(dir, 'unused-key.pem'), keyAndChainPath, dhPath: join(dir, 'unused-dh.pem') },
    users: lab.users,
  };
  const paths = await writePostfixFiles(options);
  const masterCf = join(paths.configDir, 'master.cf');
  const extra = (Object.keys(VARIANTS) as PostfixVariant[]).map((v) => `${HOST}:${ports[v]} inet n - n - - smtpd ${VARIANTS[v]}`);
  await writeFile(masterCf, `${extra.join('\n')}\n${postfixMasterCf(options)}`);
  // Postfix re-reads a config file modified in the last second until it "cools" (test/lab/postfix.ts).
  const past = new Date(Date.now() - 60_000);
  await utimes(masterCf, past, past);

  const server = startPostfix(paths);
  // The master binds every listener before it accepts on any: one greeting means all are up.
  const stop = await awaitVariant(server, [{ name: 'security postfix', host: HOST, port: ports.smtp, greeting: /^220 / }], () => stopPostfix(server, paths), dir);
  return { host: HOST, ports: { ...ports }, rootCaPath, rootCaPem: pki.root.certPem, log: paths.log, stop };
}
