import type { Transport } from './transport.js';

/**
 * One command and its reply, timed the same way in every driver (STYLE.md §2.2). Times are in
 * milliseconds on the transport's clock.
 */
export interface Exchange {
  /** Metric name, protocol first, lower case: `smtp.ehlo`, `imap.fetch`, `pop3.retr`. */
  readonly name: string;
  /** The command as the transcript shows it (secrets redacted). */
  readonly command: string;
  readonly startedAt: number;
  /** From the write to the first byte of the reply; undefined if the reply was already buffered. */
  readonly firstByteMs: number | undefined;
  readonly totalMs: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
  /** The reply was positive (2xx/3xx, OK, +OK). */
  readonly ok: boolean;
}

export type ExchangeListener = (exchange: Exchange) => void;

export interface ExchangeStart {
  readonly startedAt: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export function beginExchange(transport: Transport): ExchangeStart {
  return { startedAt: transport.now(), bytesIn: transport.bytesIn, bytesOut: transport.bytesOut };
}

export function endExchange(transport: Transport, start: ExchangeStart, name: string, command: string, ok: boolean): Exchange {
  const end = transport.now();
  const first = transport.firstByteAt;
  return {
    name,
    command,
    startedAt: start.startedAt,
    firstByteMs: first !== undefined && first >= start.startedAt ? first - start.startedAt : undefined,
    totalMs: end - start.startedAt,
    bytesOut: transport.bytesOut - start.bytesOut,
    bytesIn: transport.bytesIn - start.bytesIn,
    ok,
  };
}
