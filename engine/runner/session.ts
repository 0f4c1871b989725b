/**
 * A connection in a check, as the step runner sees it: send something (or nothing), observe
 * one reply, match it. One implementation per protocol (session-smtp/imap/pop3.ts).
 */
import { isMailprobeError } from '../../drivers/errors.js';
import type { CommandPart } from '../../drivers/redact.js';
import type { Protocol } from '../../drivers/target.js';
import type { Transport } from '../../drivers/transport.js';
import type { Observation, Outcome } from '../match/observation.js';
import type { ExpectSpec } from '../suite/schema.js';

/** A command line (terminator added by the session) or exact bytes. */
export type Outgoing =
  | { readonly kind: 'line'; readonly parts: readonly CommandPart[] }
  | { readonly kind: 'raw'; readonly bytes: Buffer; readonly display: string };

export interface StepExchange {
  readonly send: Outgoing | undefined;
  /** IMAP: a literal that follows the command line. */
  readonly literal?: Buffer;
  /** The literal carries a secret ($password): show neither it nor its length. */
  readonly literalIsSecret?: boolean;
  readonly expect: ExpectSpec | undefined;
  /** Variables captured so far (patterns reuse them: `$n` must equal an earlier `$n`). */
  readonly known: ReadonlyMap<string, string>;
}

export interface StepSession {
  readonly protocol: Protocol;
  readonly transport: Transport;
  /** Send (if any) and observe one reply; matched against `expect` (any reply if undefined). */
  exchange(ex: StepExchange, timeoutMs: number): Promise<Outcome>;
  /** All sends in one write, then one observation per send, in order. */
  pipeline(exchanges: readonly StepExchange[], timeoutMs: number): Promise<Outcome>;
  /** Upgrade to TLS after a go-ahead the steps obtained. */
  upgradeTls(): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
}

/**
 * Turn a read failure into an observation: silence and hang-ups are things a check can
 * expect; anything else (abort, harness bugs) propagates.
 */
export function failureObservation<R>(err: unknown, timeoutMs: number, partial?: string): Observation<R> {
  if (isMailprobeError(err, 'ETIMEDOUT')) return { kind: 'none', waitedMs: Math.round(timeoutMs) };
  if (isMailprobeError(err, 'ECLOSED')) return { kind: 'closed', partial: err.context.response ?? partial };
  if (isMailprobeError(err, 'EPROTOCOL') || isMailprobeError(err, 'ELIMIT')) return { kind: 'invalid', error: err.message };
  throw err;
}

/** After a reply: did the server close? A short read tells (ECLOSED) without waiting long. */
export async function closedSoon(transport: Transport, timeoutMs: number): Promise<boolean> {
  if (transport.closed && transport.buffered === 0) return true;
  try {
    await transport.readLine({ timeoutMs });
    return false;
  } catch (err) {
    if (isMailprobeError(err, 'ECLOSED')) return true;
    if (isMailprobeError(err, 'ETIMEDOUT')) return false;
    throw err;
  }
}
