/**
 * A private Dovecot 2.3: IMAP/POP3 (STARTTLS and implicit TLS) on 127.0.0.2, LMTP on 127.0.0.1
 * for Postfix, and the SASL socket Postfix authenticates through. Config, state, mail and log
 * all live in the lab directory; nothing under /etc/dovecot is read.
 */
import { execFile } from 'node:child_process';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemIds } from './accounts.js';
import type { LabUser } from './info.js';
import type { LabPkiFiles } from './pki.js';
import { spawnServer, type ServerProcess } from './server-process.js';

const run = promisify(execFile);
export const DOVECOT_BIN = '/usr/sbin/dovecot';
/** nobody:nogroup on Debian: mail processes need some unprivileged uid that owns the maildirs. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;
/** Dovecot's default_internal_user, which the auth process runs as. */
const AUTH_USER = 'dovecot';

export interface DovecotOptions {
  readonly dir: string;
  /** IMAP/POP3 listen address; must differ from the client's source (see dovecotConf). */
  readonly host: string;
  /** LMTP listen address (where Postfix runs). */
  readonly lmtpHost: string;
  readonly domain: string;
  readonly ports: { readonly imap: number; readonly imaps: number; readonly pop3: number; readonly pop3s: number; readonly lmtp: number };
  readonly pki: LabPkiFiles;
  readonly users: readonly LabUser[];
}

export interface DovecotPaths {
  readonly conf: string;
  readonly passwd: string;
  readonly baseDir: string;
  readonly home: string;
  readonly log: string;
  /** Unix socket Postfix's smtpd_sasl_path points at. */
  readonly authSocket: string;
}

export function dovecotPaths(dir: string): DovecotPaths {
  const root = join(dir, 'dovecot');
  const baseDir = join(root, 'run');
  return {
    conf: join(root, 'dovecot.conf'),
    passwd: join(root, 'passwd'),
    baseDir,
    home: join(root, 'home'),
    log: join(dir, 'dovecot.log'),
    authSocket: join(baseDir, 'auth-postfix'),
  };
}

/** The whole config as text: pure, so it can be read or diffed without starting anything. */
export function dovecotConf(o: DovecotOptions, p: DovecotPaths): string {
  return `# mailprobe test lab (generated)
base_dir = ${p.baseDir}
state_dir = ${join(o.dir, 'dovecot', 'state')}
log_path = ${p.log}
# Dovecot counts a client whose address equals the server's as secure and then hides
# LOGINDISABLED and allows cleartext login. Listening on 127.0.0.2 while clients come from
# 127.0.0.1 keeps disable_plaintext_auth observable.
listen = ${o.host}
# Names the server in LMTP/IMAP replies and Received: headers (default: the machine's name).
hostname = ${o.domain}
protocols = imap pop3 lmtp
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_verbose = yes
# Tests fail logins on purpose; the default 2 s reply delay only slows them (a failure still
# takes ~0.5 s).
auth_failure_delay = 0
# Many test workers log in as the same user from 127.0.0.1 (default limit: 10).
mail_max_userip_connections = 1000
first_valid_uid = 100
first_valid_gid = 100
mail_location = maildir:~/Maildir

ssl = yes
ssl_cert = <${o.pki.chainPath}
ssl_key = <${o.pki.keyPath}
ssl_dh = <${o.pki.dhPath}
ssl_min_protocol = TLSv1.2

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p.passwd}
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_GID} home=${p.home}/%u
}

# Login processes and anvil chroot by default, which a temp directory cannot support.
service imap-login {
  chroot =
  inet_listener imap {
    port = ${o.ports.imap}
  }
  inet_listener imaps {
    port = ${o.ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = ${o.ports.pop3}
  }
  inet_listener pop3s {
    port = ${o.ports.pop3s}
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = ${o.lmtpHost}
    port = ${o.ports.lmtp}
  }
}
service anvil {
  chroot =
  # Every test client is 127.0.0.1, and after one failed login Dovecot delays *every* auth from
  # that IP (2 s, doubling up to 15 s). Tests fail logins on purpose, so that would make other
  # tests slow and flaky. mode 0 means the socket is not created; auth then runs without
  # penalties (auth-penalty.c: connect fails -> disabled).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  # Relative to base_dir; Postfix (user postfix) connects here for SASL.
  unix_listener auth-postfix {
    mode = 0666
  }
}
`;
}

export async function writeDovecotFiles(o: DovecotOptions): Promise<DovecotPaths> {
  const p = dovecotPaths(o.dir);
  await mkdir(p.home, { recursive: true });
  // Maildirs are created by the mail processes (uid nobody), so each home must be theirs.
  for (const u of o.users) {
    const home = join(p.home, u.user);
    await mkdir(home, { recursive: true });
    await chown(home, MAIL_UID, MAIL_GID);
  }
  const passwd = o.users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join('');
  await writeFile(p.passwd, passwd, { mode: 0o640 });
  // The auth process runs as the dovecot user and reads the file on every lookup.
  await chown(p.passwd, 0, (await systemIds(AUTH_USER)).gid);
  await writeFile(p.conf, dovecotConf(o, p), { mode: 0o644 });
  return p;
}

/** Start in the foreground (-F) so the master stays our child and is stopped by PID. */
export function startDovecot(p: DovecotPaths): ServerProcess {
  return spawnServer('dovecot', DOVECOT_BIN, ['-F', '-c', p.conf]);
}

/** SIGTERM makes the master stop its children and flush the log (it waits ~1 s for that). */
export async function stopDovecot(server: ServerProcess): Promise<void> {
  await server.stop(() => {
    process.kill(server.pid, 'SIGTERM');
  }, 5_000);
}

/** "2.3.19.1" from "2.3.19.1 (9b53102964)". */
export async function dovecotVersion(): Promise<string> {
  const { stdout } = await run(DOVECOT_BIN, ['--version']);
  return stdout.trim().split(' ')[0] ?? stdout.trim();
}
