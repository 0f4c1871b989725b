/**
 * smtp-send reads its replies by callback (suites/bench/smtp-reply-pump.ts, smtp-hello.ts and
 * the pipelined SmtpSender). Against a scripted responder: replies split across reads, a
 * refused RCPT in an envelope sent alone and in one pipelined behind a body (it fails the next
 * message, not the one it followed), a line without a reply code, and a server that stops
 * answering.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTarget } from '../../drivers/target.js';
import { runBench, type BenchOutcome } from '../../engine/load/execute.js';
import { buildPlan } from '../../engine/load/plan.js';
import type { ScenarioConfig } from '../../suites/bench/config.js';
import { BENCH_SCENARIOS } from '../../suites/bench/registry.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';
import { smtpResponder, type Responder } from './helpers/smtp-responder.js';

const closers: (Responder | ScriptServer)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

function config(url: string, timeouts: ScenarioConfig['timeouts'] = {}): ScenarioConfig {
  return {
    name: 'smtp-send',
    target: parseTarget(url),
    watch: undefined,
    tls: {},
    starttls: 'optional',
    timeouts,
    users: [],
    from: 'bench@source.test',
    rcpt: ['sink@responder.test'],
    sizeBytes: 1024,
    mix: [],
    pipeline: false,
    mailbox: 'INBOX',
    clientName: 'bench.mailprobe.invalid',
    runId: 'replies',
    deliveryTimeoutMs: 1000,
    pollMs: 1000,
  };
}

function run(url: string, concurrency: number, iterations: number, perSession: number, timeouts?: ScenarioConfig['timeouts']): Promise<BenchOutcome> {
  return runBench({ scenario: config(url, timeouts), scenarios: BENCH_SCENARIOS, plan: buildPlan({ concurrency, iterations, perSession, drainMs: 5000 }), thresholds: [], abortOnFail: false, workers: 1 });
}

describe('smtp-send replies read by callback', () => {
  for (const perSession of [1, 4]) {
    it(`sends every message when replies come three bytes at a time (${perSession} per session)`, async () => {
      const server = await smtpResponder({ drip: true });
      closers.push(server);
      const out = await run(server.url, 2, 8, perSession);
      const m = out.bench.metrics;
      expect(out.bench.errors).toEqual({});
      expect(server.messages).toBe(8);
      expect(m['smtp.data']!.count).toBe(8);
      expect(m['smtp.greeting']!.count).toBe(8 / perSession);
      expect(m['smtp.ehlo']!.count).toBe(8 / perSession);
      // QUIT went out behind each session's last body and its 221 was read.
      expect(m['smtp.quit']!.count).toBe(8 / perSession);
      expect(m['smtp.quit']!.errors).toBe(0);
    });
  }

  for (const perSession of [1, 5]) {
    it(`a refused RCPT fails exactly one message, pipelined behind a body or not (${perSession} per session)`, async () => {
      const server = await smtpResponder({ refuseRcptEvery: 3 });
      closers.push(server);
      const out = await run(server.url, 1, 20, perSession);
      const refused = server.refusedRcpts;
      expect(refused).toBeGreaterThan(0);
      // Every refusal failed one message (a 5xx under smtp.rcpt); every other message was delivered.
      expect(out.bench.errors).toEqual({ '5xx': refused });
      // Every iteration asked for ran, the failed ones included (a session that fails keeps the
      // iteration it had reserved for its next message).
      expect(out.bench.metrics['iteration']!.count).toBe(20);
      expect(out.bench.metrics['iteration']!.errors).toBe(refused);
      expect(out.bench.metrics['smtp.rcpt']!.errors).toBe(refused);
      expect(server.messages).toBe(20 - refused);
      expect(out.bench.metrics['smtp.data']!.errors).toBe(0);
    });
  }

  it('a reply line without a code is a protocol error; a server that stops answering times out', async () => {
    const garbage = await scriptServer((s) => {
      s.write('220-fine\r\nnot a reply\r\n');
    });
    const silent = await scriptServer((s) => {
      s.write('220 hi\r\n');
      s.on('data', (chunk: Buffer) => {
        // EHLO answered, the envelope never is.
        if (chunk.toString('latin1').startsWith('EHLO')) s.write('250-silent.test\r\n250 PIPELINING\r\n');
      });
    });
    closers.push(garbage, silent);
    const bad = await run(`smtp://${garbage.host}:${garbage.port}`, 1, 2, 1);
    expect(bad.bench.errors).toEqual({ protocol: 2 });
    const slow = await run(`smtp://${silent.host}:${silent.port}`, 1, 1, 1, { commandMs: 300 });
    expect(slow.bench.errors).toEqual({ timeout: 1 });
  });
});
