import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { StepSession } from './session.js';

/**
 * Establishing a check's start state either works, or says why the check cannot run: `skip`
 * (does not apply: STARTTLS not offered) or `inconclusive` (could not decide: 421 greeting,
 * login refused, TLS did not verify).
 */
export type Opened =
  | { readonly kind: 'ready'; readonly session: StepSession }
  | { readonly kind: 'skip' | 'inconclusive'; readonly reason: string; readonly transcript: readonly TranscriptEntry[] };

export function notReady(kind: 'skip' | 'inconclusive', reason: string, transcript: readonly TranscriptEntry[]): Opened {
  return { kind, reason, transcript };
}
