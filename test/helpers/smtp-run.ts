/**
 * Run built-in SMTP checks against a target that is not the lab (the smtp-server package, the
 * scripted broken servers): what `mailprobe check URL --ca … --user … --rcpt …` does.
 */
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { CheckResult, CheckStatus } from '../../engine/report-types.js';
import { checkMeta, type RunnableCheck } from '../../engine/runner/run-check.js';
import { runChecks, type CheckRunOutput } from '../../engine/runner/run-checks.js';
import { builtinChecks } from '../../suites/index.js';

export interface SmtpRunTarget {
  readonly url: string;
  readonly tls: TlsClientOptions;
  /** Login for `needs: [login]`; omitted: none. */
  readonly user?: { readonly user: string; readonly password: string };
  /** Local recipient for `needs: [rcpt]`; omitted: none. */
  readonly rcpt?: string;
}

export interface SmtpRunOptions {
  readonly stepTimeoutMs?: number;
  /** Only these check ids (default: all). */
  readonly only?: readonly string[];
  readonly concurrency?: number;
}

export async function builtinSmtpChecks(): Promise<RunnableCheck[]> {
  return builtinChecks(['smtp']);
}

export async function runSmtpChecks(target: SmtpRunTarget, options: SmtpRunOptions = {}): Promise<CheckRunOutput> {
  const all = await builtinSmtpChecks();
  const only = options.only;
  const checks = only ? all.filter((c) => only.includes(checkMeta(c).id)) : all;
  return runChecks({
    targets: [parseTarget(target.url)],
    checks,
    tls: target.tls,
    starttls: 'optional',
    timeouts: { connectMs: 3000, greetingMs: 3000, tlsMs: 3000, closeMs: 500 },
    stepTimeoutMs: options.stepTimeoutMs ?? 3000,
    fixtures: {
      credentials: target.user ? { user: target.user.user, password: secret(target.user.password) } : undefined,
      rcpt: target.rcpt,
      mailbox: 'INBOX',
      clientName: 'client.mailprobe.test',
    },
    signal: undefined,
    concurrency: options.concurrency ?? 6,
  });
}

/** Status counts, for calibration reports. */
export function countStatuses(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0, error: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

/** `id status — message` lines, for assertion messages and calibration notes. */
export function describeResults(results: readonly CheckResult[]): string {
  return results.map((r) => `${r.id} ${r.status} — ${r.message}`).join('\n');
}
