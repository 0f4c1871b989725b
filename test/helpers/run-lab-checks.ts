/**
 * Run checks against a lab target with the lab's trust, a login and a local recipient: what
 * `mailprobe check --ca … --servername mail.test --user … --rcpt …` does.
 */
import { inject } from 'vitest';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import type { CheckResult } from '../../engine/report-types.js';
import { runChecks, type CheckRunOutput } from '../../engine/runner/run-checks.js';
import type { RunnableCheck } from '../../engine/runner/run-check.js';

export type LabTarget = 'smtp' | 'submission' | 'smtps' | 'imap' | 'imaps' | 'pop3' | 'pop3s';

export function labUrl(which: LabTarget): string {
  const lab = inject('lab');
  const host = which.startsWith('imap') ? lab.hosts.imap : which.startsWith('pop3') ? lab.hosts.pop3 : lab.hosts.smtp;
  const scheme = which === 'smtps' ? 'submissions' : which;
  return `${scheme}://${host}:${lab.ports[which]}`;
}

export interface LabRunOptions {
  /** Which lab user logs in (default the first); null: no login. */
  user?: number | null;
  /** Recipient (default the second user); null: none. */
  rcpt?: string | null;
  stepTimeoutMs?: number;
}

export async function runOnLab(checks: readonly RunnableCheck[], targets: readonly LabTarget[], options: LabRunOptions = {}): Promise<CheckRunOutput> {
  const lab = inject('lab');
  const u = options.user === null ? undefined : lab.users[options.user ?? 0]!;
  return runChecks({
    targets: targets.map((t) => parseTarget(labUrl(t))),
    checks,
    tls: { servername: lab.servername, ca: lab.rootCaPem },
    starttls: 'optional',
    timeouts: { connectMs: 5000, greetingMs: 5000, tlsMs: 5000 },
    stepTimeoutMs: options.stepTimeoutMs ?? 5000,
    fixtures: {
      credentials: u ? { user: u.user, password: secret(u.password) } : undefined,
      rcpt: options.rcpt === null ? undefined : (options.rcpt ?? lab.users[1]!.user),
      mailbox: 'INBOX',
      clientName: 'client.mailprobe.test',
    },
    signal: undefined,
    concurrency: 6,
  });
}

/** `id: status — message` lines of the results that are not in `statuses`, for assertion messages. */
export function unexpected(results: readonly CheckResult[], statuses: readonly string[]): string {
  return results
    .filter((r) => !statuses.includes(r.status))
    .map((r) => `${r.target} ${r.id}: ${r.status} — ${r.message}`)
    .join('\n');
}
