import { randomBytes } from 'node:crypto';
import { abortError } from '../../drivers/deadline.js';
import type { Secret } from '../../drivers/redact.js';
import type { CheckEnvironment } from './environment.js';

/** Names every check can use without capturing them first (docs/suites.md "Variables"). */
export const BUILTIN_VARIABLES = ['domain', 'client', 'mailbox', 'uniq', 'from', 'rcpt', 'user', 'password'] as const;

export function initialVariables(env: CheckEnvironment): Map<string, string | Secret> {
  const vars = new Map<string, string | Secret>();
  const f = env.fixtures;
  const domain = (f.rcpt ?? f.credentials?.user ?? '').split('@')[1] ?? env.target.host;
  vars.set('domain', domain);
  vars.set('client', f.clientName);
  vars.set('mailbox', f.mailbox);
  vars.set('uniq', randomBytes(4).toString('hex'));
  // The sender of test mail: the login when there is one, else the postmaster of the target's
  // own domain (RFC 5321 §4.5.1 requires that mailbox to exist).
  vars.set('from', f.credentials?.user ?? `postmaster@${domain}`);
  if (f.rcpt) vars.set('rcpt', f.rcpt);
  if (f.credentials) {
    vars.set('user', f.credentials.user);
    vars.set('password', f.credentials.password);
  }
  return vars;
}

/** An abortable pause: the check's budget and the run's SIGINT both end it. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError('command', signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError('command', signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
