/**
 * The users file of bench (`--users FILE`): one `user:password` per line; blank lines and
 * lines starting with `#` are skipped; the password is everything after the first colon.
 * Problems are ECONFIG with file:line, and never quote a password.
 */
import { readFile } from 'node:fs/promises';
import { MailprobeError } from '../../drivers/errors.js';
import type { BenchUser } from './types.js';

export function parseUsers(text: string, file: string): BenchUser[] {
  const users: BenchUser[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const where = `${file}:${i + 1}`;
    if (colon === -1) throw new MailprobeError('ECONFIG', `${where}: expected user:password`);
    const user = line.slice(0, colon).trim();
    const password = line.slice(colon + 1);
    if (user === '') throw new MailprobeError('ECONFIG', `${where}: the user name is empty`);
    if (/\s/.test(user)) throw new MailprobeError('ECONFIG', `${where}: the user name contains white space`);
    if (password === '') throw new MailprobeError('ECONFIG', `${where}: the password of ${user} is empty`);
    users.push({ user, password });
  });
  if (users.length === 0) throw new MailprobeError('ECONFIG', `${file}: no user:password lines`);
  return users;
}

export async function readUsersFile(file: string): Promise<BenchUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MailprobeError('ECONFIG', `--users ${file}: cannot read (${(err as { code?: string }).code ?? String(err)})`);
  }
  return parseUsers(text, file);
}
