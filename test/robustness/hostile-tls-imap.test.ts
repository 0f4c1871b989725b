/**
 * The hostile-server matrix, TLS and IMAP rows: stalled and refused handshakes, a chain of 50
 * certificates, IMAP literals that lie or stop, a flood of untagged responses. Bounds and
 * assertions: matrix.ts; figures: docs/robustness.md.
 */
import { describeMatrix, type RowExpectation } from './matrix.js';

const ROWS: Record<string, RowExpectation> = {
  'tls-stall': { check: 4, bench: 1, benchErrors: ['timeout'] },
  'tls-alert': { check: 4, bench: 1, benchErrors: ['tls'] },
  // Trusted through --ca: the 50 certificates verify, the sessions run normally, and diagnose
  // reports the whole chain as trusted (it used to cut it at 16 and call it untrusted).
  'chain-50': { check: 1, bench: 0, benchErrors: [], diagnoseClean: true },
  'imap-literal-2gb': { check: 1, bench: 1, benchErrors: ['protocol'], diagnoseFinding: 'port.malformed-reply' },
  'imap-close-mid-literal': { check: 1, bench: 1, benchErrors: ['closed'], diagnoseFinding: 'port.closed-after-command' },
  'imap-untagged-flood': { check: 1, bench: 1, benchErrors: ['timeout'] },
};

describeMatrix('hostile TLS and IMAP servers: check, diagnose and bench', ROWS);
