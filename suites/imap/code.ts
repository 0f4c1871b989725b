/**
 * IMAP checks that need code (each file says why YAML was not enough): STARTTLS plaintext
 * injection and STARTTLS on implicit TLS (checks/starttls.ts), AUTHENTICATE PLAIN with the
 * credentials in base64 (checks/auth.ts), the IDLE push between two sessions (checks/idle.ts).
 */
import type { CodeCheck } from '../../engine/checks/code-check.js';
import { authenticatePlain } from './checks/auth.js';
import { idlePush } from './checks/idle.js';
import { starttlsNoInjection, starttlsRefusedOnImplicitTls } from './checks/starttls.js';

export const IMAP_CODE_CHECKS: readonly CodeCheck<'imap'>[] = [starttlsNoInjection, starttlsRefusedOnImplicitTls, authenticatePlain, idlePush];
