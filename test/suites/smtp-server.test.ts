/**
 * Calibration against a second implementation: every built-in SMTP check against the
 * `smtp-server` package as an MX (STARTTLS optional, AUTH optional), a submission port
 * (STARTTLS, AUTH required) and an implicit-TLS submission port. A `fail` here is a real
 * deviation of smtp-server, documented in docs/calibration.md ("## SMTP") and listed below, or a
 * bug in the check. `error` is always a bug.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../engine/report-types.js';
import { startSmtpServerTarget, type SmtpServerRole, type SmtpServerTarget } from '../helpers/smtp-server-target.js';
import { countStatuses, describeResults, runSmtpChecks } from '../helpers/smtp-run.js';

/** Real deviations of smtp-server (docs/calibration.md): role → check id → status. */
const KNOWN_DEVIATIONS: Readonly<Record<SmtpServerRole, Readonly<Record<string, string>>>> = {
  // AUTH is processed inside a mail transaction (RFC 4954 §4 requires 503).
  mx: { 'smtp.auth.in-transaction': 'fail' },
  submission: {},
  submissions: {},
};

const targets: SmtpServerTarget[] = [];
afterAll(() => Promise.all(targets.map((t) => t.close())));

describe('built-in SMTP suite against the smtp-server package', () => {
  it.each(['mx', 'submission', 'submissions'] as const)('no false failures as %s', async (role) => {
    const target = await startSmtpServerTarget(role);
    targets.push(target);
    const out = await runSmtpChecks(target);
    const known = KNOWN_DEVIATIONS[role];
    const bad = out.checks.filter((c: CheckResult) => (c.status === 'fail' || c.status === 'error') && known[c.id] !== c.status);
    expect(bad, describeResults(bad)).toEqual([]);
    // The documented deviations are still there (else docs/calibration.md needs updating).
    const seen = Object.fromEntries(out.checks.filter((c) => known[c.id] !== undefined).map((c) => [c.id, c.status]));
    expect(seen, `smtp-server ${target.version}: ${JSON.stringify(countStatuses(out.checks))}`).toEqual(known);
  });
});
