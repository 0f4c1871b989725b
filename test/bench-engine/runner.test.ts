/**
 * The load engine on one thread with an in-process scenario (no sockets): budgets, sessions,
 * warm-up, drops, errors, abort and bounded memory. Assertions are about structure and
 * counts, not speed.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../engine/load/runner.js';
import { parseThreshold } from '../../engine/load/thresholds-parse.js';
import type { Tick } from '../../engine/load/timeline.js';
import type { LoadPlan } from '../../engine/load/types.js';
import { FakeScenario } from './helpers/fake-scenario.js';

const closed = (p: Partial<LoadPlan>): LoadPlan => ({ mode: 'closed', ratePerSec: 0, stages: [], concurrency: 1, durationMs: undefined, iterations: undefined, warmupMs: 0, perSession: 1, drainMs: 2000, ...p });
const open = (p: Partial<LoadPlan>): LoadPlan => ({ ...closed(p), mode: 'open', ...p });
const metric = (r: Awaited<ReturnType<typeof runLoad>>, name: string) => r.metrics.find((m) => m.name === name);

describe('load engine (one thread, in-process scenario)', () => {
  it('closed loop: runs exactly the iteration budget', async () => {
    const s = new FakeScenario();
    const r = await runLoad({ plan: closed({ concurrency: 4, iterations: 50 }), scenario: s });
    expect(s.iterations).toBe(50);
    expect(metric(r, 'iteration')?.count).toBe(50);
    expect(metric(r, 'iteration.service')?.count).toBe(50);
    expect(metric(r, 'fake.op')?.count).toBe(50);
    expect(r.arrivals).toBe(50);
    expect(r.errors).toEqual({});
    expect(s.opened).toBe(50);
    expect(s.closed).toBe(50);
  });

  it('closed loop bounded by budget and time ends when the budget is spent, not at the time', async () => {
    const s = new FakeScenario();
    const t0 = performance.now();
    const r = await runLoad({ plan: closed({ concurrency: 2, iterations: 10, durationMs: 30_000 }), scenario: s });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(metric(r, 'iteration')?.count).toBe(10);
  });

  it('keeps a session for --messages-per-session iterations and promises the next one inside it', async () => {
    const s = new FakeScenario();
    const r = await runLoad({ plan: closed({ concurrency: 2, iterations: 20, perSession: 5 }), scenario: s });
    expect(s.iterations).toBe(20);
    expect(s.opened).toBe(4);
    expect(s.closed).toBe(4);
    expect(metric(r, 'session')?.count).toBe(4);
    // Within each 5-iteration session the first 4 were told another follows.
    expect(s.followed).toBe(16);
  });

  it('excludes the warm-up from every metric', async () => {
    const s = new FakeScenario({ iterateMs: 5 });
    const r = await runLoad({ plan: closed({ concurrency: 2, warmupMs: 300, durationMs: 300 }), scenario: s });
    const measured = metric(r, 'iteration')!.count;
    expect(measured).toBeGreaterThan(0);
    expect(measured).toBeLessThan(s.iterations);
    expect(metric(r, 'fake.op')!.count).toBeLessThanOrEqual(measured + 2);
    expect(r.windowMs).toBeGreaterThanOrEqual(290);
  });

  it('open loop: arrivals come at the rate; those finding no free slot are dropped, not queued', async () => {
    const s = new FakeScenario({ iterateMs: 50 });
    const r = await runLoad({ plan: open({ ratePerSec: 200, concurrency: 2, durationMs: 500 }), scenario: s });
    expect(r.arrivals).toBe(100);
    expect(metric(r, 'iteration')!.count + r.dropped).toBe(100);
    expect(r.dropped).toBeGreaterThan(50);
    // Never more than the pool in flight: at most 2 per 50 ms.
    expect(metric(r, 'iteration')!.count).toBeLessThanOrEqual(2 * (500 / 50) + 2);
  });

  it('counts failed iterations by class and on the command that failed', async () => {
    const s = new FakeScenario({ failWhen: (i) => i % 4 === 0 });
    const r = await runLoad({ plan: closed({ concurrency: 1, iterations: 40 }), scenario: s });
    expect(metric(r, 'iteration')).toMatchObject({ count: 40, errors: 10 });
    expect(metric(r, 'fake.op')).toMatchObject({ count: 40, errors: 10 });
    expect(metric(r, 'session')).toMatchObject({ count: 40, errors: 10 });
    expect(r.errors).toEqual({ '5xx': 10 });
    expect(r.errorSamples['5xx']).toEqual(['fake.op: 554 no']);
    expect(s.destroyed).toBe(10);
  });

  it('stops at once on abort: in-flight iterations are cut off, not counted as errors', async () => {
    const s = new FakeScenario({ iterateMs: 100 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 250);
    const t0 = performance.now();
    const r = await runLoad({ plan: closed({ concurrency: 3, durationMs: 10_000 }), scenario: s, signal: ac.signal });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.aborted).toBe(true);
    expect(r.interrupted).toBeGreaterThanOrEqual(1);
    expect(r.errors).toEqual({});
  });

  it('--abort-on-fail: a crossed threshold stops the run gracefully before its end', async () => {
    const s = new FakeScenario({ iterateMs: 2, failWhen: () => true });
    const crossed: string[] = [];
    const t0 = performance.now();
    const r = await runLoad({
      plan: closed({ concurrency: 2, durationMs: 8000 }),
      scenario: s,
      abortOn: [parseThreshold('errors<1%')],
      onCrossed: (e) => crossed.push(e),
    });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.thresholdAbort).toBe('errors<1%');
    expect(crossed).toEqual(['errors<1%']);
    expect(r.aborted).toBe(false);
  });

  it('memory does not grow with the run: fixed histograms, one tick per second', async () => {
    const s = new FakeScenario();
    const ticks: Tick[] = [];
    let early: { metrics: number; bytes: number } | undefined;
    const sampler = setTimeout(() => (early = s.registry?.footprint()), 1200);
    const r = await runLoad({ plan: open({ ratePerSec: 3000, concurrency: 50, durationMs: 2500 }), scenario: s, onTick: (t) => ticks.push({ ...t }) });
    clearTimeout(sampler);
    const late = s.registry!.footprint();
    expect(early).toEqual(late);
    expect(late.metrics).toBeLessThanOrEqual(5);
    expect(metric(r, 'iteration')!.count).toBeGreaterThan(1000);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(3);
    expect(ticks.map((t) => t.t)).toEqual(ticks.map((_, i) => i + 1));
    expect(ticks.reduce((a, t) => a + t.ops, 0)).toBe(metric(r, 'iteration')!.count);
  });
});
