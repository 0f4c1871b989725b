/**
 * Parsing of option values at the CLI edge: durations, lists, enums. Every problem is an
 * ECONFIG MailprobeError naming the flag (exit code 2, no stack trace).
 */
import { MailprobeError } from '../drivers/errors.js';

/** `500ms`, `5s`, `2m`, or a bare number of seconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new MailprobeError('ECONFIG', `${flag} "${text}" is not a duration (e.g. 500ms, 10s, 2m)`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0) throw new MailprobeError('ECONFIG', `${flag} must be greater than zero`);
  // Node timers cannot wait longer than 2^31-1 ms; longer values would fire at once.
  if (ms > 2 ** 31 - 1) throw new MailprobeError('ECONFIG', `${flag} "${text}" is too long (at most 24 days)`);
  return ms;
}

export function parsePositiveInt(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim())) throw new MailprobeError('ECONFIG', `${flag} "${text}" is not a positive whole number`);
  const n = Number(text);
  if (n < 1 || n > max) throw new MailprobeError('ECONFIG', `${flag} must be between 1 and ${max}, got ${n}`);
  return n;
}

/** `a,b` and repeated flags alike: `--only a,b --only c` → [a, b, c]. */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new MailprobeError('ECONFIG', `${flag} "${text}" is not one of ${choices.join(', ')}`);
}

/** Shell-style `*` wildcards for check ids: `smtp.auth.*`. */
export function idMatcher(patterns: readonly string[]): (id: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  return (id) => regexes.some((r) => r.test(id));
}
