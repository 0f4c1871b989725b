/**
 * `npm run bench:load-memory`: an open loop below capacity against Postfix's smtp-sink for
 * 60 s (option --seconds), reporting the achieved rate against the asked one (goal: within
 * 1%), drops, and RSS / heap after 10 s and at the end (goal: RSS within 10%). Run it with
 * `node --expose-gc --import tsx …` so the heap is measured after a collection. Each sample
 * also says where the memory is: V8's new and old space (in use of reserved), ArrayBuffers, and
 * the rest of RSS (RSS − heap reserved − external: node's own code pages, malloc, stacks).
 * Options: --rate N (default 2000), --seconds N (default 60), --per-session N (default 100).
 */
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { BENCH_SCENARIOS, buildPlan, parseTarget, runBench } from './mailprobe-dist.js';
import type { ScenarioConfig } from '../../suites/bench/config.js';
import { startSink } from './load-peers.js';

const { values } = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string' }, 'per-session': { type: 'string' } } });
const RATE = Number(values.rate ?? 2000);
const SECONDS = Number(values.seconds ?? 60);
const PER_SESSION = Number(values['per-session'] ?? 100);

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

const sink = await startSink();
try {
  const config: ScenarioConfig = {
    name: 'smtp-send',
    target: parseTarget(`smtp://127.0.0.1:${sink.port}`),
    watch: undefined,
    tls: {},
    starttls: 'optional',
    timeouts: {},
    users: [],
    from: 'bench@source.test',
    rcpt: ['sink@sink.test'],
    sizeBytes: 1024,
    mix: [],
    pipeline: false,
    mailbox: 'INBOX',
    clientName: 'bench.mailprobe.invalid',
    runId: 'memory',
    deliveryTimeoutMs: 1000,
    pollMs: 1000,
  };
  const samples: { t: number; rss: number; heap: number; heapTotal: number; external: number; arrayBuffers: number; spaces: Record<string, { used: number; size: number }> }[] = [];
  // With --expose-gc (the npm script passes it) the heap is collected first: what is retained,
  // not what the collector has not got round to yet.
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = (t: number): void => {
    gc?.();
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((x) => [x.space_name, { used: x.space_used_size, size: x.space_size }]));
    samples.push({ t, rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, spaces });
  };
  const at = [...new Set([10, Math.round(SECONDS / 3), Math.round((2 * SECONDS) / 3), SECONDS - 1])].filter((s) => s > 0 && s < SECONDS);
  const timers = at.map((s) => setTimeout(() => sample(s), s * 1000));
  const out = await runBench({
    scenario: config,
    scenarios: BENCH_SCENARIOS,
    // smtp-sink serves 256 connections at once (-m); idle sessions kept open must stay below.
    plan: buildPlan({ ratePerSec: RATE, concurrency: 250, durationMs: SECONDS * 1000, perSession: PER_SESSION, drainMs: 10_000 }),
    thresholds: [],
    abortOnFail: false,
    workers: 1,
  });
  timers.forEach(clearTimeout);
  const b = out.bench;
  const it = b.metrics['iteration']!;
  // Completions per second over the measured window (end of warm-up to the last completion).
  const achieved = it.ratePerSec;
  console.log(`node ${process.version}; open loop ${RATE}/s for ${SECONDS} s, ${PER_SESSION} messages per session, against smtp-sink`);
  console.log(`completed ${it.count} in ${(b.durationMs / 1000).toFixed(3)} s = ${achieved}/s (${(((achieved - RATE) / RATE) * 100).toFixed(3)}% from the asked rate); dropped ${b.dropped}; errors ${it.errors} ${JSON.stringify(b.errors)}`);
  console.log(`iteration p50 ${it.latencyMs.p50} ms, p99 ${it.latencyMs.p99} ms, max ${it.latencyMs.max} ms; generator ${JSON.stringify(b.generator)}`);
  const space = (s: (typeof samples)[number], name: string): string => `${mb(s.spaces[name]?.used ?? 0)} of ${mb(s.spaces[name]?.size ?? 0)}`;
  for (const s of samples) {
    console.log(`after ${s.t} s: RSS ${mb(s.rss)}, heap used ${mb(s.heap)} of ${mb(s.heapTotal)}, external ${mb(s.external)}`);
    console.log(`  new space ${space(s, 'new_space')}, old space ${space(s, 'old_space')}; ArrayBuffers ${mb(s.arrayBuffers)}; rest of RSS ${mb(s.rss - s.heapTotal - s.external)}`);
  }
  const [a, z] = [samples[0], samples.at(-1)];
  if (a && z) console.log(`RSS change ${(((z.rss - a.rss) / a.rss) * 100).toFixed(1)}% (goal within 10%); timeline points ${b.timeline.length}`);
} finally {
  await sink.stop();
}
