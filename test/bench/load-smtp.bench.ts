/**
 * `npm run bench:load`: mailprobe's SMTP load engine against its peers, in one run, on one
 * target: Postfix's smtp-sink (discards everything). Workloads, interleaved, repeated, medians:
 *
 *   (a) 10 sessions kept open, ~1.1 KB messages (smtp-source -d -s 10 -l 1024: 1024 bytes of
 *       body plus its headers; mailprobe --size 1140): smtp-source, mailprobe (closed loop,
 *       --concurrency 10, one session per slot for the whole run), nodemailer (pooled, 10
 *       connections, pre-built raw message, TCP_NODELAY sockets);
 *   (b) a new connection per message, 50 at once: smtp-source -s 50, mailprobe --concurrency 50.
 *
 * Both also run a bare net.Socket client (plain-node-client.ts): what Node itself costs for the
 * same conversation, so mailprobe's own overhead is the gap to that row.
 *
 * Reported: messages/s and CPU seconds per 1000 messages of the generator process (smtp-source
 * under GNU time; mailprobe and nodemailer in this process, process.cpuUsage), and the ratios.
 * Options: --reps N (default 5), --messages N (a, default 100000), --new N (b, default 20000).
 * mailprobe runs from dist/ (compiled, as the binary does; the npm script builds first).
 */
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { createTransport } from 'nodemailer';
import type { ScenarioConfig } from '../../suites/bench/config.js';
import { encodeDataBody } from '../../drivers/smtp/dot-stuff.js';
import { rawMessage } from '../../suites/bench/raw-message.js';
import { BENCH_SCENARIOS, buildPlan, parseTarget, runBench } from './mailprobe-dist.js';
import { cpuPer1k, measureInProcess, median, perSec, runSmtpSource, startSink, type Measured } from './load-peers.js';
import { runPlainClient } from './plain-node-client.js';

const { values } = parseArgs({ options: { reps: { type: 'string' }, messages: { type: 'string' }, new: { type: 'string' } } });
const REPS = Number(values.reps ?? 5);
const KEPT = Number(values.messages ?? 100_000);
const FRESH = Number(values.new ?? 20_000);
/** smtp-source -l 1024 sends 1024 body bytes and ~115 header bytes. */
const SIZE = 1140;
const FROM = 'bench@source.test';
const TO = 'sink@sink.test';

function config(port: number): ScenarioConfig {
  return {
    name: 'smtp-send',
    target: parseTarget(`smtp://127.0.0.1:${port}`),
    watch: undefined,
    tls: {},
    starttls: 'optional',
    timeouts: {},
    users: [],
    from: FROM,
    rcpt: [TO],
    sizeBytes: SIZE,
    mix: [],
    pipeline: false,
    mailbox: 'INBOX',
    clientName: 'bench.mailprobe.invalid',
    runId: 'peers',
    deliveryTimeoutMs: 1000,
    pollMs: 1000,
  };
}

async function mailprobe(port: number, concurrency: number, messages: number, perSession: number): Promise<Measured> {
  const plan = buildPlan({ concurrency, iterations: messages, perSession, drainMs: 10_000 });
  return measureInProcess(messages, async () => {
    const out = await runBench({ scenario: config(port), scenarios: BENCH_SCENARIOS, plan, thresholds: [], abortOnFail: false, workers: 1 });
    const it = out.bench.metrics['iteration']!;
    if (it.errors > 0) throw new Error(`mailprobe: ${it.errors} errors: ${JSON.stringify(out.bench.errors)}`);
    return it.count;
  });
}

async function nodemailer(port: number, messages: number): Promise<Measured> {
  const raw = rawMessage({ sizeBytes: SIZE, runId: 'peers', clientName: 'bench.mailprobe.invalid' });
  // nodemailer leaves Nagle on; against smtp-sink that costs it a delayed ACK (~40 ms) per
  // message (~220 msg/s). Its getSocket hook hands it a TCP_NODELAY socket: its best case.
  const getSocket = (_options: unknown, callback: (err: Error | null, socket?: { connection: Socket }) => void): void => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.once('connect', () => callback(null, { connection: socket }));
    socket.once('error', (err) => callback(err));
  };
  const transport = createTransport({ pool: true, maxConnections: 10, maxMessages: Infinity, host: '127.0.0.1', port, secure: false, ignoreTLS: true, getSocket } as Parameters<typeof createTransport>[0]);
  try {
    return await measureInProcess(messages, async () => {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < messages) {
          next++;
          await transport.sendMail({ envelope: { from: FROM, to: [TO] }, raw });
        }
      };
      // Enough in flight to keep all 10 pooled connections busy.
      await Promise.all(Array.from({ length: 40 }, lane));
    });
  } finally {
    transport.close();
  }
}

const plainBody = encodeDataBody(rawMessage({ sizeBytes: SIZE, runId: 'peers', clientName: 'bench.mailprobe.invalid' }));
const plain = (port: number, sessions: number, messages: number, perSession: number): Promise<Measured> =>
  measureInProcess(messages, () => runPlainClient({ port, sessions, messages, perSession, body: plainBody, from: FROM, to: TO }));

const source = (port: number, sessions: number, messages: number, keep: boolean): Promise<Measured> =>
  runSmtpSource([...(keep ? ['-d'] : []), '-s', String(sessions), '-m', String(messages), '-l', '1024', '-f', FROM, '-t', TO, `127.0.0.1:${port}`], messages);

type Row = { name: string; runs: Measured[] };

function summarize(rows: readonly Row[]): { name: string; msgs: number; cpu: number }[] {
  return rows.map((r) => ({ name: r.name, msgs: median(r.runs.map(perSec)), cpu: median(r.runs.map(cpuPer1k)) }));
}

/**
 * Medians of each generator's runs, and the ratios to the peer two ways: of those medians, and
 * the median of each repetition's own ratio (runs of one repetition follow each other within
 * seconds, so that one holds up when the host's speed drifts between repetitions).
 */
function print(title: string, rows: readonly Row[], peer: string): void {
  const s = summarize(rows);
  const base = s.find((r) => r.name === peer)!;
  const baseRuns = rows.find((r) => r.name === peer)!.runs;
  const paired = (r: Row, f: (m: Measured) => number): number => median(r.runs.map((m, i) => f(m) / f(baseRuns[i]!)));
  console.log(`\n${title} (medians of ${REPS})`);
  console.log(`${'generator'.padEnd(28)}${'msg/s'.padStart(10)}${'CPU-s/1k'.padStart(11)}${'msg/s ×'.padStart(10)}${'CPU ×'.padStart(8)}${'per-rep msg/s ×'.padStart(17)}${'CPU ×'.padStart(8)}`);
  s.forEach((r, i) => {
    const row = rows[i]!;
    console.log(
      `${r.name.padEnd(28)}${r.msgs.toFixed(0).padStart(10)}${r.cpu.toFixed(4).padStart(11)}${(r.msgs / base.msgs).toFixed(2).padStart(10)}${(r.cpu / base.cpu).toFixed(2).padStart(8)}` +
        `${paired(row, perSec).toFixed(2).padStart(17)}${paired(row, cpuPer1k).toFixed(2).padStart(8)}`,
    );
  });
  for (const r of rows) console.log(`  ${r.name}: ${r.runs.map((m) => `${perSec(m).toFixed(0)}/s ${cpuPer1k(m).toFixed(4)}`).join(', ')}`);
}

const sink = await startSink();
try {
  console.log(`node ${process.version}; smtp-sink on 127.0.0.1:${sink.port}; ${REPS} repetitions; (a) ${KEPT} messages, (b) ${FRESH} messages`);
  // Warm-up: JIT and TLS-less code paths of both, not measured.
  await mailprobe(sink.port, 10, 5000, 5000);
  await source(sink.port, 10, 5000, true);
  const kept: Row[] = [
    { name: 'smtp-source -d -s 10', runs: [] },
    { name: 'mailprobe --concurrency 10', runs: [] },
    { name: 'nodemailer pool (10)', runs: [] },
    { name: 'plain net.Socket client', runs: [] },
  ];
  const fresh: Row[] = [
    { name: 'smtp-source -s 50', runs: [] },
    { name: 'mailprobe --concurrency 50', runs: [] },
    { name: 'plain net.Socket client', runs: [] },
  ];
  for (let rep = 0; rep < REPS; rep++) {
    kept[0]!.runs.push(await source(sink.port, 10, KEPT, true));
    kept[1]!.runs.push(await mailprobe(sink.port, 10, KEPT, KEPT));
    kept[2]!.runs.push(await nodemailer(sink.port, Math.round(KEPT / 5)));
    kept[3]!.runs.push(await plain(sink.port, 10, KEPT, KEPT));
    fresh[0]!.runs.push(await source(sink.port, 50, FRESH, false));
    fresh[1]!.runs.push(await mailprobe(sink.port, 50, FRESH, 1));
    fresh[2]!.runs.push(await plain(sink.port, 50, FRESH, 1));
  }
  print('(a) 10 sessions kept open, ~1.1 KB messages', kept, 'smtp-source -d -s 10');
  print('(b) a new connection per message, 50 at once', fresh, 'smtp-source -s 50');
} finally {
  await sink.stop();
}
