/**
 * How hard `mailprobe demo` drives the sandbox's SMTP port. The sandbox keeps at most
 * DEFAULT_LIMITS.maxMessagesPerUser messages per user (sandbox/limits.ts); a closed loop on
 * loopback fills that within seconds, after which every message is refused (452, mailbox full),
 * each refusal is followed at once by a new connection, and the port ends up refusing
 * connections (421): the demo showed tens of thousands of errors instead of the server's
 * latency. An open loop at a fixed rate (what bench is built for) keeps the whole run to a
 * fraction of the limit.
 */
import { DEFAULT_LIMITS } from '../sandbox/index.js';

/** Fast enough to show the percentiles, far below what a loopback sandbox takes. */
const MAX_RATE = 200;

/** Messages one demo run may deliver to its recipient: a quarter of the limit (checks deliver some too). */
export const DEMO_MESSAGE_BUDGET = Math.floor(DEFAULT_LIMITS.maxMessagesPerUser / 4);

/** The smtp-send rate (per second) for a run of `runMs` (warm-up included). */
export function demoSmtpRate(runMs: number): number {
  return Math.max(1, Math.min(MAX_RATE, Math.floor((DEMO_MESSAGE_BUDGET * 1000) / Math.max(1, runMs))));
}
