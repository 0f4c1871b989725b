/**
 * The `security` suite: code checks over the probes of engine/security, for SMTP, IMAP and POP3
 * targets alike (each check names its protocol; the runner gives it the targets that speak it).
 * The login-throttling checks come last: run them on their own (--only '*.auth-throttling') when
 * combining this suite with others against a server that penalises failed logins per address.
 * What each probe sends: docs/security-probes.md.
 */
import type { CodeCheck } from '../../engine/checks/code-check.js';
import { IMAP_SECURITY_CHECKS, POP3_SECURITY_CHECKS, SMTP_SESSION_SECURITY_CHECKS, THROTTLING_CHECKS } from './sessions.js';
import { SMTP_SECURITY_CHECKS } from './smtp.js';

export const SECURITY_CODE_CHECKS: readonly CodeCheck[] = [
  ...SMTP_SESSION_SECURITY_CHECKS,
  ...SMTP_SECURITY_CHECKS,
  ...IMAP_SECURITY_CHECKS,
  ...POP3_SECURITY_CHECKS,
  // Failed logins on purpose: after everything else (sessions.ts).
  ...THROTTLING_CHECKS,
];
