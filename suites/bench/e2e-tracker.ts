/**
 * e2e deliveries in flight: each message is expected (before its body is sent), accepted
 * (the server's 250 after the body: the delivery clock starts) and seen (a watcher found it in
 * the mailbox). `e2e.delivery` is accepted → seen. A message not seen within the delivery
 * timeout counts as a failed delivery (class `timeout`). The map holds only messages in flight:
 * at most rate × timeout entries.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { Metric } from '../../engine/load/metrics.js';
import type { ScenarioContext } from '../../engine/load/types.js';

interface Entry {
  /** When the SMTP session began sending it (for warm-up attribution). */
  readonly startedAt: number;
  acceptedAt: number | undefined;
  seenAt: number | undefined;
}

export class DeliveryTracker {
  readonly #entries = new Map<string, Entry>();
  readonly #metric: Metric;
  readonly #ctx: ScenarioContext;
  readonly #timeoutMs: number;
  #waiters: (() => void)[] = [];

  constructor(ctx: ScenarioContext, timeoutMs: number) {
    this.#ctx = ctx;
    this.#metric = ctx.metrics.metric('e2e.delivery');
    this.#timeoutMs = timeoutMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether `id` is one of ours still in flight (watchers delete only those). */
  has(id: string): boolean {
    return this.#entries.has(id);
  }

  expect(id: string, startedAt: number): void {
    this.#entries.set(id, { startedAt, acceptedAt: undefined, seenAt: undefined });
  }

  /** The SMTP transaction failed: the message will never arrive. */
  forget(id: string): void {
    this.#entries.delete(id);
    this.#notify();
  }

  accepted(id: string, at: number): void {
    const e = this.#entries.get(id);
    if (e === undefined) return;
    e.acceptedAt = at;
    if (e.seenAt !== undefined) this.#done(id, e);
  }

  seen(id: string, at: number): void {
    const e = this.#entries.get(id);
    if (e === undefined || e.seenAt !== undefined) return;
    e.seenAt = at;
    if (e.acceptedAt !== undefined) this.#done(id, e);
  }

  /** Fail what has waited longer than the delivery timeout since it was accepted. */
  sweep(now: number): void {
    for (const [id, e] of this.#entries) {
      if (e.acceptedAt !== undefined && now - e.acceptedAt > this.#timeoutMs) this.#lost(id, e);
    }
  }

  /** Wait until nothing is in flight, or until `until` (clock ms); then fail the rest. */
  async drain(until: number, signal: AbortSignal): Promise<void> {
    while (this.#entries.size > 0 && this.#ctx.now() < until && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(250, Math.max(1, until - this.#ctx.now())));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.sweep(this.#ctx.now());
    }
    for (const [id, e] of this.#entries) this.#lost(id, e);
  }

  #done(id: string, e: Entry): void {
    this.#entries.delete(id);
    this.#metric.record(e.startedAt, Math.max(0, e.seenAt! - e.acceptedAt!), true);
    this.#notify();
  }

  #lost(id: string, e: Entry): void {
    this.#entries.delete(id);
    this.#metric.fail(e.startedAt);
    this.#ctx.reportError(new MailprobeError('ETIMEDOUT', `message ${id} was not seen in the mailbox within ${this.#timeoutMs} ms of being accepted`), e.startedAt);
    this.#notify();
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
