/**
 * Fail fast, and say what to install, when the machine cannot run the lab. Without this a
 * missing binary surfaces as a spawn ENOENT or, worse, as a Dovecot that starts but refuses
 * every LMTP delivery.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

export interface Requirement {
  readonly path: string;
  readonly pkg: string;
}

/** Each file the lab executes, and the Debian 12 package that ships it. */
export const REQUIRED: readonly Requirement[] = [
  { path: '/usr/sbin/postfix', pkg: 'postfix' },
  { path: '/usr/sbin/postconf', pkg: 'postfix' },
  { path: '/usr/lib/postfix/sbin/master', pkg: 'postfix' },
  { path: '/usr/sbin/dovecot', pkg: 'dovecot-core' },
  { path: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  { path: '/usr/lib/dovecot/pop3', pkg: 'dovecot-pop3d' },
  { path: '/usr/lib/dovecot/lmtp', pkg: 'dovecot-lmtpd' },
];

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `required` is a parameter so the message can be tested without uninstalling anything. */
export async function preflight(required: readonly Requirement[] = REQUIRED): Promise<void> {
  const missing: Requirement[] = [];
  for (const req of required) if (!(await executable(req.path))) missing.push(req);
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))];
    const list = missing.map((m) => `${m.path} (Debian package ${m.pkg})`).join(', ');
    throw new Error(`test/lab: missing ${list}; install with: apt-get install -y ${pkgs.join(' ')}  (or run .ci/run)`);
  }
  // Postfix's master must start as root (it binds, then drops to mail_owner), and the lab
  // chowns queue and mailbox directories to the postfix and nobody users.
  if (process.getuid?.() !== 0) {
    throw new Error('test/lab: must run as root (Postfix master starts as root); run `npm test` as root or via .ci/run');
  }
}
