import type { ImapClient } from '../../drivers/imap/client.js';
import type { Pop3Client } from '../../drivers/pop3/client.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { StepSession } from './session.js';

/** The driver client behind a session, for code checks. */
export type ProtocolClient = SmtpClient | ImapClient | Pop3Client;

/**
 * Establishing a check's start state either works, or says why the check cannot run: `skip`
 * (does not apply: STARTTLS not offered) or `inconclusive` (could not decide: 421 greeting,
 * login refused, TLS did not verify).
 */
export type Opened =
  | { readonly kind: 'ready'; readonly session: StepSession; readonly client: ProtocolClient }
  | { readonly kind: 'skip' | 'inconclusive'; readonly reason: string; readonly transcript: readonly TranscriptEntry[] };

export function notReady(kind: 'skip' | 'inconclusive', reason: string, transcript: readonly TranscriptEntry[]): Opened {
  return { kind, reason, transcript };
}
