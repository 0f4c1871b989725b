/**
 * The hostile-server matrix, plaintext SMTP rows: check, diagnose and bench against each
 * server with --timeout 1s (bench: --duration 1s). Bounds and assertions: matrix.ts; the
 * figures of a run: docs/robustness.md.
 */
import { expect } from 'vitest';
import { describeMatrix, type RowExpectation } from './matrix.js';

/** Exit codes per DESIGN.md: check 4 when nothing could be run, 1 when a MUST broke; bench 1 when nothing succeeded. */
const ROWS: Record<string, RowExpectation> = {
  'no-greeting': { check: 4, bench: 1, benchErrors: ['timeout'] },
  'greeting-after-30s': { check: 4, bench: 1, benchErrors: ['timeout'] },
  'drip-feed': { check: 4, bench: 1, benchErrors: ['timeout'] },
  // A reply over a limit or against the grammar: mailprobe hangs up, the server did not.
  'endless-multiline': { check: 1, bench: 1, benchErrors: ['protocol'], diagnoseFinding: 'port.malformed-reply' },
  'line-10mb': { check: 1, bench: 1, benchErrors: ['protocol'], diagnoseFinding: 'port.malformed-reply' },
  'nul-8bit-garbage': { check: 1, bench: 1, benchErrors: ['protocol'], diagnoseFinding: 'port.malformed-reply' },
  'invalid-codes': { check: 1, bench: 1, benchErrors: ['protocol'], diagnoseFinding: 'port.malformed-reply' },
  'reset-after-n': { check: 1, bench: 1, benchErrors: ['closed'], diagnoseFinding: 'port.closed-after-command' },
  'half-close': { check: 1, bench: 1, benchErrors: ['closed'] },
  // 421 decides nothing (DESIGN.md): every verdict inconclusive or skip, so exit 0.
  'reply-421-always': { check: 0, bench: 1, benchErrors: ['4xx'] },
  'never-reads': { check: 1, bench: 1, benchErrors: ['timeout'] },
  'starttls-trailing': { check: 1, bench: 1, benchErrors: ['protocol'] },
  'starttls-stall': { check: 4, bench: 1, benchErrors: ['timeout'] },
};

describeMatrix('hostile SMTP servers: check, diagnose and bench', ROWS, (c, r) => {
  if (c.name === 'reply-421-always') expect(r.check.report!.summary.fail + r.check.report!.summary.warn).toBe(0);
});
