import type { Phase } from '../errors.js';
import type { Exchange } from '../exchange.js';
import type { MultilineStats } from './multiline.js';
import type { Pop3Status } from './status.js';

/**
 * The session state the client has observed (RFC 1939 §3). Observed, not enforced: the
 * client sends STAT in `authorization` if told to, and reports what the server answered.
 */
export type Pop3State = 'authorization' | 'transaction' | 'update' | 'closed';

/** How one exchange went, on the transport's clock (milliseconds). */
export interface Pop3Timing {
  /** When the command was handed to the socket (for the greeting: when the connection was up). */
  startedAt: number;
  /** Until the first byte of the reply (see reply.ts for pipelined replies). */
  firstByteMs: number;
  /** Until the reply, body included, was complete. */
  totalMs: number;
  /** Bytes of this command on the wire (its CRLF included). */
  bytesOut: number;
  /** Bytes of this reply on the wire: status line, body, stuffing and end marker. */
  bytesIn: number;
}

/** A server reply. -ERR is data here: only transport and framing failures throw. */
export interface Pop3Reply extends Pop3Status {
  /** status === 'ok'. */
  readonly ok: boolean;
  /** Body of a multi-line +OK: content lines, unstuffed, each with its terminator as sent. */
  readonly lines?: Buffer[];
  /** What the multi-line body looked like on the wire. */
  readonly body?: MultilineStats;
  readonly timing: Pop3Timing;
}

/** The greeting (RFC 1939 §4), with its APOP timestamp (§7) if it carries one. */
export interface Pop3Greeting extends Pop3Reply {
  readonly timestamp: string | undefined;
}

/** Turn a reply into the exchange record every driver reports (`pop3.greeting`, `pop3.retr`, …). */
export function toExchange(name: string, command: string, reply: Pop3Reply): Exchange {
  return { name, command, ...reply.timing, ok: reply.ok };
}

/** Per-command overrides of what the client infers from the command keyword. */
export interface CommandOptions {
  /** Read a multi-line body after +OK (default: from the command, see commands.ts). */
  multiline?: boolean;
  /** Treat the body as message data: summarised in the transcript, read under dataMs. */
  messageData?: boolean;
  /** Budget for the whole reply, body included (default commandMs, dataMs for message data). */
  timeoutMs?: number;
  phase?: Phase;
}
