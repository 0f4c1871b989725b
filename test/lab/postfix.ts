/**
 * A private Postfix 3.7 instance (`postfix -c DIR`): an MX-style port, submission with required
 * STARTTLS and implicit-TLS submission, delivering mail.test into Dovecot over LMTP and
 * discarding everything else, so nothing leaves the machine.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemIds } from './accounts.js';
import type { LabUser } from './info.js';
import type { LabPkiFiles } from './pki.js';
import { spawnServer, type ServerProcess } from './server-process.js';

const run = promisify(execFile);
export const POSTFIX_BIN = '/usr/sbin/postfix';
export const POSTCONF_BIN = '/usr/sbin/postconf';
const MAIL_OWNER = 'postfix';

export interface PostfixOptions {
  readonly dir: string;
  readonly host: string;
  readonly domain: string;
  readonly ports: { readonly smtp: number; readonly submission: number; readonly smtps: number };
  /** Dovecot's LMTP endpoint for virtual_transport. */
  readonly lmtp: { readonly host: string; readonly port: number };
  /** Dovecot's SASL socket. */
  readonly authSocket: string;
  readonly pki: LabPkiFiles;
  /** Known recipients: others get "550 5.1.1 User unknown" at RCPT, like a real MX. */
  readonly users: readonly LabUser[];
}

export interface PostfixPaths {
  readonly configDir: string;
  readonly queueDir: string;
  readonly dataDir: string;
  readonly log: string;
}

export function postfixPaths(dir: string): PostfixPaths {
  const root = join(dir, 'postfix');
  return { configDir: join(root, 'etc'), queueDir: join(root, 'queue'), dataDir: join(root, 'data'), log: join(dir, 'maillog') };
}

export function postfixMainCf(o: PostfixOptions, p: PostfixPaths): string {
  const recipients = o.users.map((u) => `${u.user}=ok`).join(', ');
  return `# mailprobe test lab (generated)
compatibility_level = 3.6
queue_directory = ${p.queueDir}
data_directory = ${p.dataDir}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = ${MAIL_OWNER}
setgid_group = postdrop
# No syslog here: postlogd writes this file (it must sit under a listed prefix).
maillog_file = ${p.log}
maillog_file_prefixes = ${o.dir}
inet_interfaces = ${o.host}
inet_protocols = ipv4
myhostname = ${o.domain}
mydomain = ${o.domain}
mydestination =
alias_maps =
alias_database =
biff = no
# Loopback must not be trusted, or relay control and the smuggling exemptions
# (smtpd_forbid_bare_newline_exclusions = $mynetworks) would never apply to a probe.
mynetworks = 192.0.2.1/32
virtual_mailbox_domains = ${o.domain}
virtual_mailbox_maps = inline:{ ${recipients} }
# RFC 5321 §4.5.1: postmaster of every domain served MUST be accepted; delivered to the first user.
virtual_alias_maps = inline:{ postmaster@${o.domain}=${o.users[0]?.user ?? `postmaster@${o.domain}`} }
virtual_transport = lmtp:inet:${o.lmtp.host}:${o.lmtp.port}
# Nothing may leave the machine.
default_transport = discard:
relay_transport = discard:
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_chain_files = ${o.pki.keyAndChainPath}
smtpd_tls_security_level = may
# A correct lab: TLS 1.2 and later only (RFC 8996); Postfix 3.7 still defaults to >=TLSv1.
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${o.authSocket}
smtpd_sasl_auth_enable = no
`;
}

/** Submission ports: only authenticated clients may send at all (RFC 6409 §4.3). */
const SUBMISSION = '-o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject';

/**
 * Written in full rather than copied from /etc/postfix/master.cf, so a locally edited system
 * file cannot change the lab. Chroot is `n` everywhere: the queue is in a temp directory.
 */
export function postfixMasterCf(o: PostfixOptions): string {
  const inet = (port: number, opts: string): string => `${o.host}:${port} inet n - n - - smtpd ${opts}`.trimEnd();
  return `# mailprobe test lab (generated)
${inet(o.ports.smtp, '')}
${inet(o.ports.submission, `-o smtpd_tls_security_level=encrypt ${SUBMISSION}`)}
${inet(o.ports.smtps, `-o smtpd_tls_wrappermode=yes ${SUBMISSION}`)}
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;
}

export async function writePostfixFiles(o: PostfixOptions): Promise<PostfixPaths> {
  const p = postfixPaths(o.dir);
  // Postfix insists: config and queue root-owned and not group/other-writable, data_directory
  // owned by mail_owner. `postfix check` (run by start) creates the queue subdirectories.
  await mkdir(p.configDir, { recursive: true, mode: 0o755 });
  await mkdir(p.queueDir, { recursive: true, mode: 0o755 });
  await mkdir(p.dataDir, { recursive: true, mode: 0o700 });
  const owner = await systemIds(MAIL_OWNER);
  await chown(p.dataDir, owner.uid, owner.gid);
  const mainCf = join(p.configDir, 'main.cf');
  const masterCf = join(p.configDir, 'master.cf');
  await writeFile(mainCf, postfixMainCf(o, p), { mode: 0o644 });
  await writeFile(masterCf, postfixMasterCf(o), { mode: 0o644 });
  // Postfix treats a config file modified in the last second or so as "hot" (maybe still being
  // edited) and re-reads it every 300 ms until it cools; each of the dozens of postconf calls
  // in `postfix start` would wait, ~2 s in all. Back-dating the files skips that.
  const past = new Date(Date.now() - 60_000);
  await Promise.all([utimes(mainCf, past, past), utimes(masterCf, past, past)]);
  return p;
}

/** The master's PID from its pid file, or undefined before it has written one. */
function masterPid(p: PostfixPaths): number | undefined {
  try {
    const pid = Number(readFileSync(join(p.queueDir, 'pid', 'master.pid'), 'latin1').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `postfix start-fg` keeps postfix-script as our child for the master's lifetime (plain `start`
 * would daemonize the master away from us). The master still calls setsid(), so its group is
 * tracked separately for the emergency kill.
 */
export function startPostfix(p: PostfixPaths): ServerProcess {
  return spawnServer('postfix', POSTFIX_BIN, ['-c', p.configDir, 'start-fg'], {
    extraGroups: () => {
      const pid = masterPid(p);
      return pid === undefined ? [] : [pid];
    },
  });
}

/** `postfix stop` signals the master, which stops its children; postfix-script then exits. */
export async function stopPostfix(server: ServerProcess, p: PostfixPaths): Promise<void> {
  await server.stop(async () => {
    await run(POSTFIX_BIN, ['-c', p.configDir, 'stop']);
  }, 8_000);
}

export async function postfixVersion(p: PostfixPaths): Promise<string> {
  const { stdout } = await run(POSTCONF_BIN, ['-c', p.configDir, '-h', 'mail_version']);
  return stdout.trim();
}

/**
 * Why Postfix refused to start. The postfix command prints its fatal errors to stderr only when
 * stderr is a terminal (otherwise to a log that may not exist yet), so run `postfix check` under
 * script(1) (util-linux, always on Debian) to give it one. Only used after a failed start.
 */
export async function postfixDiagnosis(p: PostfixPaths): Promise<string> {
  const command = `${POSTFIX_BIN} -c ${p.configDir} check`;
  try {
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { timeout: 10_000 });
    return stdout.trim() || '(postfix check found nothing)';
  } catch (err) {
    const out = (err as { stdout?: string }).stdout?.trim();
    return out || `(${command} failed: ${err instanceof Error ? err.message : String(err)})`;
  }
}
