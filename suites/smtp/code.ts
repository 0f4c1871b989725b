/** SMTP checks that need code (each says why YAML was not enough). */
import type { CodeCheck } from '../../engine/checks/code-check.js';
import { SESSION_CODE_CHECKS } from './code-session.js';
import { TRANSACTION_CODE_CHECKS } from './code-transaction.js';

export const SMTP_CODE_CHECKS: readonly CodeCheck<'smtp'>[] = [...SESSION_CODE_CHECKS, ...TRANSACTION_CODE_CHECKS];
