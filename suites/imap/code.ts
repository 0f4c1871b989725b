/** IMAP checks that need code (each says why YAML was not enough). */
import type { CodeCheck } from '../../engine/checks/code-check.js';

export const IMAP_CODE_CHECKS: readonly CodeCheck<'imap'>[] = [];
