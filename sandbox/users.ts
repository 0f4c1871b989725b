/**
 * Sandbox accounts: given by the caller, read from a users file (`user:password` lines, the
 * format bench reads too), or two demo users with passwords generated at start.
 */
import { randomBytes } from 'node:crypto';
import { MailprobeError } from '../drivers/errors.js';

export interface SandboxUser {
  /** Login name and mail address: `alice@sandbox.mailprobe.test`. */
  readonly address: string;
  readonly password: string;
}

export const DEFAULT_USER_NAMES = ['alice', 'bob'] as const;
const MAX_USERS = 1000;

/** A name without `@` gets the sandbox's domain; addresses are kept as given (lower-cased). */
export function qualify(name: string, domain: string): string {
  const trimmed = name.trim().toLowerCase();
  return trimmed.includes('@') ? trimmed : `${trimmed}@${domain}`;
}

export function generatedPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** The accounts to create: the given ones (checked), or the default demo users. */
export function resolveUsers(given: readonly { user: string; password?: string }[] | undefined, domain: string): SandboxUser[] {
  const specs: readonly { user: string; password?: string }[] = given && given.length > 0 ? given : DEFAULT_USER_NAMES.map((user) => ({ user }));
  if (specs.length > MAX_USERS) throw new MailprobeError('ECONFIG', `at most ${MAX_USERS} sandbox users, got ${specs.length}`);
  const seen = new Set<string>();
  return specs.map((spec) => {
    const address = qualify(spec.user, domain);
    if (!/^[^@\s:]+@[^@\s:]+$/.test(address)) throw new MailprobeError('ECONFIG', `sandbox user "${spec.user}" is not a user name or address`);
    if (seen.has(address)) throw new MailprobeError('ECONFIG', `sandbox user ${address} is listed twice`);
    seen.add(address);
    const password = spec.password ?? generatedPassword();
    if (password === '' || /[\r\n\0]/.test(password)) throw new MailprobeError('ECONFIG', `the password of sandbox user ${address} is empty or has control characters`);
    return { address, password };
  });
}

/**
 * A users file: one `user:password` per line; blank lines and `#` comments are skipped. The
 * password is everything after the first colon. Errors name the line.
 */
export function parseUsersFile(text: string, file: string): { user: string; password: string }[] {
  const out: { user: string; password: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0 || colon === line.length - 1) {
      throw new MailprobeError('ECONFIG', `${file}:${i + 1}: expected user:password`);
    }
    out.push({ user: line.slice(0, colon).trim(), password: line.slice(colon + 1) });
  });
  if (out.length === 0) throw new MailprobeError('ECONFIG', `${file}: no users (expected user:password lines)`);
  return out;
}
