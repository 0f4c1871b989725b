/**
 * Calibration: every built-in check against the lab's Postfix and Dovecot. A `fail` here is
 * either a real deviation (documented in docs/calibration.md and expected below) or a bug in
 * the check. `error` is always a bug.
 */
import { describe, expect, inject, it } from 'vitest';
import { builtinChecks } from '../../suites/index.js';
import { seedPop3Maildrop } from '../helpers/pop3-seed.js';
import { runOnLab, unexpected } from '../helpers/run-lab-checks.js';

/** Deviations of the lab's servers that are real (see docs/calibration.md): id → status. */
const KNOWN_DEVIATIONS: Readonly<Record<string, string>> = {
  // SMTP (docs/calibration.md "## SMTP"). Postfix 3.7.11 ends the mail data at <LF>.<LF>
  // (smtpd_forbid_bare_newline = no, the 3.7 default; RFC 5321 §4.1.1.4).
  'smtp.data.lf-dot-lf-not-end': 'fail',
  // Postfix with Dovecot SASL answers an undecodable AUTH response 535, not 501 (RFC 4954 §4).
  'smtp.auth.invalid-base64': 'fail',
  // Dovecot 2.3: CAPA after login drops USER and SASL (RFC 2449 §5, RFC 5034 §3).
  'pop3.capa.auth-caps-kept': 'fail',
  // IMAP (docs/calibration.md "## IMAP"). Dovecot 2.3.19 sends no untagged ENABLED when an
  // ENABLE enabled nothing (cmd-enable.c), RFC 5161 §3.1 / RFC 9051 §6.3.1.
  'imap.enable.enabled-always': 'fail',
};

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
    // Message checks need mail: a fixture and one deletable message per port (alice's INBOX).
    const lab = inject('lab');
    const seed = await seedPop3Maildrop(lab, lab.users[0]!, { deletable: 2 });
    const out = await runOnLab(await builtinChecks(['pop3']), ['pop3', 'pop3s']).finally(() => seed.cleanup());
    const bad = out.checks.filter((c) => (c.status === 'fail' || c.status === 'error') && KNOWN_DEVIATIONS[c.id] !== c.status);
    expect(bad, unexpected(bad, [])).toEqual([]);
  });
});
