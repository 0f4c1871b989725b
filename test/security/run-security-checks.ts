/**
 * `check --suite security` in-process: the security code checks against targets, with the
 * trust, fixtures and STARTTLS policy a test gives, and short deadlines.
 */
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import type { CheckResult } from '../../engine/report-types.js';
import type { StartTlsPolicy } from '../../engine/runner/environment.js';
import { checkMeta } from '../../engine/runner/run-check.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import { SECURITY_CODE_CHECKS } from '../../suites/security/code.js';

export interface SecurityRun {
  readonly ca?: string;
  readonly servername?: string;
  readonly rcpt?: string;
  readonly login?: { readonly user: string; readonly password: string };
  readonly starttls?: StartTlsPolicy;
  /** Check ids to run (exact or ending in `*`); all when omitted. */
  readonly only?: readonly string[];
}

export async function runSecurityChecks(urls: readonly string[], o: SecurityRun = {}): Promise<CheckResult[]> {
  const wanted = (id: string): boolean => o.only === undefined || o.only.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p));
  const out = await runChecks({
    targets: urls.map(parseTarget),
    checks: SECURITY_CODE_CHECKS.filter((c) => wanted(checkMeta(c).id)),
    tls: { ...(o.ca ? { ca: o.ca } : {}), ...(o.servername ? { servername: o.servername } : {}) },
    starttls: o.starttls ?? 'optional',
    timeouts: { connectMs: 5000, greetingMs: 5000, tlsMs: 5000, commandMs: 5000, closeMs: 1000 },
    stepTimeoutMs: 5000,
    fixtures: {
      credentials: o.login ? { user: o.login.user, password: secret(o.login.password) } : undefined,
      rcpt: o.rcpt,
      mailbox: 'INBOX',
      clientName: 'client.mailprobe.test',
    },
    signal: undefined,
    concurrency: 4,
  });
  return out.checks;
}

/** `id → status` for readable assertions. */
export function statuses(results: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.id, r.status]));
}

/** One result by id (fails the test with the list of ids when missing). */
export function result(results: readonly CheckResult[], id: string): CheckResult {
  const r = results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no result for ${id}; got ${results.map((x) => x.id).join(', ')}`);
  return r;
}
