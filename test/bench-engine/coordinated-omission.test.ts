/**
 * The coordinated-omission test: a server that freezes 500 ms once a second. Open loop
 * (arrivals keep their schedule, latency from the due time) shows the freeze in p99; a closed
 * loop (one session waiting on the server) records it once per freeze, so its p99 hides it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench } from './helpers/bench-cli.js';
import { smtpResponder, type Responder } from './helpers/smtp-responder.js';

let server: Responder;
beforeAll(async () => {
  server = await smtpResponder({ stallEveryMs: 1000, stallMs: 500 });
});
afterAll(async () => {
  await server.close();
});

const common = () => [server.url, '--scenario', 'smtp-send', '--rcpt', 'sink@responder.test', '--duration', '2s', '--messages-per-session', '1000'];

describe('coordinated omission', () => {
  it('open-loop latency shows a stalling server; closed-loop service time hides it', async () => {
    const openRun = await bench([...common(), '--rate', '100', '--concurrency', '200']);
    const closedRun = await bench([...common(), '--concurrency', '1']);
    expect(openRun.code).toBe(0);
    expect(closedRun.code).toBe(0);
    const o = openRun.report.bench!;
    const c = closedRun.report.bench!;
    expect(o.mode).toBe('open');
    expect(c.mode).toBe('closed');
    const openP99 = o.metrics['iteration']!.latencyMs.p99;
    const closedP99 = c.metrics['iteration.service']!.latencyMs.p99;
    // About half of the open-loop arrivals fall into a freeze and wait for its end.
    expect(openP99).toBeGreaterThanOrEqual(200);
    expect(o.metrics['iteration']!.latencyMs.p90).toBeGreaterThan(c.metrics['iteration.service']!.latencyMs.p90);
    // The closed loop sends one message per freeze into it: far fewer than 1% of its samples.
    expect(c.metrics['iteration']!.count).toBeGreaterThan(o.metrics['iteration']!.count);
    expect(closedP99 * 5).toBeLessThan(openP99);
    // Yet the closed loop did see the freeze (its max), it just cannot weigh it.
    expect(c.metrics['iteration']!.latencyMs.max).toBeGreaterThanOrEqual(200);
    // Open loop: latency from the due time is never below the service time.
    expect(o.metrics['iteration']!.latencyMs.p50).toBeGreaterThanOrEqual(o.metrics['iteration.service']!.latencyMs.p50);
  });
});
