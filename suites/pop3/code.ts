/** POP3 checks that need code (each says why YAML was not enough). */
import type { CodeCheck } from '../../engine/checks/code-check.js';

export const POP3_CODE_CHECKS: readonly CodeCheck<'pop3'>[] = [];
