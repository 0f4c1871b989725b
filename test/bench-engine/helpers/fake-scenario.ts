/**
 * An in-process scenario for engine tests: no sockets, sessions and iterations that take as
 * long as told (0 = one macrotask) and fail when told, with counters to assert on.
 */
import { MailprobeError } from '../../../drivers/errors.js';
import { RejectedReply } from '../../../engine/load/classify.js';
import type { MetricsRegistry } from '../../../engine/load/metrics.js';
import type { IterationInfo, LoadScenario, ScenarioContext, SlotInfo } from '../../../engine/load/types.js';

export interface FakeOptions {
  readonly iterateMs?: number | ((index: number) => number);
  readonly openMs?: number;
  /** Throw from iterate for these indices (or when the function says so). */
  readonly failWhen?: (index: number) => boolean;
}

export interface FakeSession {
  readonly id: number;
  iterations: number;
}

const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const t = ms <= 0 ? setImmediate(done) : setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      if (ms <= 0) clearImmediate(t as NodeJS.Immediate);
      else clearTimeout(t as NodeJS.Timeout);
      reject(abortError());
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });

function abortError(): Error {
  return new MailprobeError('EABORTED', 'aborted');
}

export class FakeScenario implements LoadScenario<FakeSession> {
  opened = 0;
  closed = 0;
  destroyed = 0;
  iterations = 0;
  followed = 0;
  registry: MetricsRegistry | undefined;
  readonly #o: FakeOptions;

  constructor(o: FakeOptions = {}) {
    this.#o = o;
  }

  async open(slot: SlotInfo, ctx: ScenarioContext): Promise<FakeSession> {
    this.registry = ctx.metrics;
    const at = ctx.now();
    await wait(this.#o.openMs ?? 0, ctx.signal);
    ctx.metrics.metric('fake.open').record(at, ctx.now() - at);
    this.opened++;
    return { id: slot.session, iterations: 0 };
  }

  async iterate(s: FakeSession, it: IterationInfo, ctx: ScenarioContext): Promise<void> {
    const at = ctx.now();
    const ms = typeof this.#o.iterateMs === 'function' ? this.#o.iterateMs(it.index) : (this.#o.iterateMs ?? 0);
    await wait(ms, ctx.signal);
    if (it.followedBy()) this.followed++;
    this.iterations++;
    s.iterations++;
    if (this.#o.failWhen?.(it.index)) {
      ctx.metrics.metric('fake.op').record(at, ctx.now() - at, false);
      throw new RejectedReply('fake.op', '5xx', '554 no');
    }
    ctx.metrics.metric('fake.op').record(at, ctx.now() - at);
  }

  async close(): Promise<void> {
    this.closed++;
  }

  destroy(): void {
    this.destroyed++;
  }
}
