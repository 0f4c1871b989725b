/**
 * Calibration: every built-in check against the lab's Postfix and Dovecot. A `fail` here is
 * either a real deviation (documented in docs/calibration.md and expected below) or a bug in
 * the check. `error` is always a bug.
 */
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../../suites/index.js';
import { runOnLab, unexpected } from '../helpers/run-lab-checks.js';

/** Deviations of the lab's servers that are real (see docs/calibration.md): id → status. */
const KNOWN_DEVIATIONS: Readonly<Record<string, string>> = {};

describe('built-in suites against Postfix and Dovecot', () => {
  it('SMTP: no false failures on the MX, submission and implicit-TLS ports', async () => {
    const out = await runOnLab(await builtinChecks(['smtp']), ['smtp', 'submission', 'smtps']);
    const bad = out.checks.filter((c) => (c.status === 'fail' || c.status === 'error') && KNOWN_DEVIATIONS[c.id] !== c.status);
    expect(bad, unexpected(bad, [])).toEqual([]);
  });

  it('IMAP: no false failures on IMAP (STARTTLS) and IMAPS', async () => {
    const out = await runOnLab(await builtinChecks(['imap']), ['imap', 'imaps']);
    const bad = out.checks.filter((c) => (c.status === 'fail' || c.status === 'error') && KNOWN_DEVIATIONS[c.id] !== c.status);
    expect(bad, unexpected(bad, [])).toEqual([]);
  });

  it('POP3: no false failures on POP3 (STLS) and POP3S', async () => {
    const out = await runOnLab(await builtinChecks(['pop3']), ['pop3', 'pop3s']);
    const bad = out.checks.filter((c) => (c.status === 'fail' || c.status === 'error') && KNOWN_DEVIATIONS[c.id] !== c.status);
    expect(bad, unexpected(bad, [])).toEqual([]);
  });
});
