/**
 * `npm run soak`: a long bench against the lab (real Postfix and Dovecot on loopback), in this
 * process, sampling its RSS, heap and active handles (process.getActiveResourcesInfo()) every
 * few seconds, then asserting they stayed flat. Two benches run side by side for the whole
 * time: smtp-send over submission (STARTTLS, AUTH, open loop) and imap-session over imaps
 * (closed loop), so both protocol stacks, TLS and the load engine are exercised.
 *
 *   MAILPROBE_SOAK_DURATION   how long (default 5m; e.g. 60s for a quick look)
 *   MAILPROBE_SOAK_INTERVAL   sampling interval (default 5s)
 *   MAILPROBE_SOAK_RATE       smtp-send arrival rate (default 40/s)
 *
 * Flat means, comparing the mean of the second quarter of the samples (after warm-up) with
 * the mean of the last quarter: RSS grew by less than max(10 %, 24 MB), and the number of
 * active handles by less than max(10 %, 4). After the benches, every socket and timer they
 * opened is gone. Exit 0 when all holds, 1 otherwise; the figures are printed either way.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../bin/args.js';
import { main } from '../../bin/main.js';
import type { Report } from '../../engine/report-types.js';
import { startLab } from '../lab/lab.js';

const durationMs = parseDuration('MAILPROBE_SOAK_DURATION', process.env['MAILPROBE_SOAK_DURATION'] ?? '5m');
const intervalMs = parseDuration('MAILPROBE_SOAK_INTERVAL', process.env['MAILPROBE_SOAK_INTERVAL'] ?? '5s');
const rate = process.env['MAILPROBE_SOAK_RATE'] ?? '40/s';
const RSS_TOLERANCE = { ratio: 0.1, mb: 24 };
const HANDLE_TOLERANCE = { ratio: 0.1, count: 4 };

interface Sample {
  readonly t: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly handles: number;
  readonly byType: Record<string, number>;
}

const mb = (n: number): number => Math.round((n / (1024 * 1024)) * 10) / 10;

function sample(t0: number): Sample {
  const m = process.memoryUsage();
  const byType: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) byType[r] = (byType[r] ?? 0) + 1;
  return { t: Math.round((performance.now() - t0) / 1000), rssMb: mb(m.rss), heapMb: mb(m.heapUsed), handles: Object.values(byType).reduce((a, n) => a + n, 0), byType };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
const round1 = (n: number): number => Math.round(n * 10) / 10;

function quietIo(env: Record<string, string>, signal: AbortSignal): Parameters<typeof main>[1] {
  let err = '';
  return { stdout: { write: () => true }, stderr: { write: (t: string) => (err = (err + t).slice(-4000)) }, env, signal, get lastError() { return err; } } as Parameters<typeof main>[1];
}

async function soak(): Promise<number> {
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort(new Error('interrupted (SIGINT)')));
  console.log(`soak: starting the lab, then ${durationMs / 1000} s of bench (smtp-send at ${rate} + imap-session), sampling every ${intervalMs / 1000} s`);
  const lab = await startLab();
  const dir = await mkdtemp(join(tmpdir(), 'mailprobe-soak-'));
  try {
    const { info } = lab;
    const [alice, bob] = [info.users[0]!, info.users[1]!];
    const trust = ['--ca', info.rootCaPath, '--servername', info.servername];
    const seconds = `${Math.round(durationMs / 1000)}s`;
    const smtp = ['bench', `submission://${info.hosts.smtp}:${info.ports.submission}`, '--scenario', 'smtp-send', '--user', alice.user, '--rcpt', alice.user, '--rate', rate, '--concurrency', '32', '--messages-per-session', '5', '--duration', seconds, '--timeout', '10s', ...trust, '--json', join(dir, 'smtp.json')];
    const imap = ['bench', `imaps://${info.hosts.imap}:${info.ports.imaps}`, '--scenario', 'imap-session', '--user', bob.user, '--mix', 'noop,status,list,search', '--concurrency', '4', '--messages-per-session', '20', '--duration', seconds, '--timeout', '10s', ...trust, '--json', join(dir, 'imap.json')];

    const before = sample(performance.now());
    const t0 = performance.now();
    const samples: Sample[] = [sample(t0)];
    const timer = setInterval(() => {
      const s = sample(t0);
      samples.push(s);
      console.log(`  t=${String(s.t).padStart(4)} s  rss ${String(s.rssMb).padStart(6)} MB  heap ${String(s.heapMb).padStart(6)} MB  handles ${String(s.handles).padStart(3)}  ${Object.entries(s.byType).map(([k, n]) => `${k}:${n}`).join(' ')}`);
    }, intervalMs);
    const [smtpCode, imapCode] = await Promise.all([
      main(smtp, quietIo({ MAILPROBE_PASSWORD: alice.password }, interrupt.signal)),
      main(imap, quietIo({ MAILPROBE_PASSWORD: bob.password }, interrupt.signal)),
    ]);
    clearInterval(timer);

    // Every socket and timer of the runs closed: back to the handles from before they began.
    let after = sample(t0);
    for (let i = 0; i < 100 && after.handles > before.handles; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = sample(t0);
    }

    const reports = await Promise.all(['smtp.json', 'imap.json'].map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as Report));
    for (const r of reports) {
      const b = r.bench!;
      const it = b.metrics['iteration']!;
      console.log(`bench ${b.scenario}: ${it.count} iterations, ${it.errors} errors ${JSON.stringify(b.errors ?? {})}, p50 ${it.latencyMs.p50} ms, p99 ${it.latencyMs.p99} ms, dropped ${b.dropped}`);
    }

    const n = samples.length;
    const early = samples.slice(Math.floor(n / 4), Math.floor(n / 2));
    const late = samples.slice(Math.floor((3 * n) / 4));
    const rssEarly = mean(early.map((s) => s.rssMb));
    const rssLate = mean(late.map((s) => s.rssMb));
    const hEarly = mean(early.map((s) => s.handles));
    const hLate = mean(late.map((s) => s.handles));
    const rssAllowed = Math.max(rssEarly * RSS_TOLERANCE.ratio, RSS_TOLERANCE.mb);
    const hAllowed = Math.max(hEarly * HANDLE_TOLERANCE.ratio, HANDLE_TOLERANCE.count);
    const rssMax = Math.max(...samples.map((s) => s.rssMb));
    const problems: string[] = [];
    if (smtpCode !== 0 || imapCode !== 0) problems.push(`bench exit codes ${smtpCode} (smtp-send) and ${imapCode} (imap-session), expected 0`);
    if (n < 8) problems.push(`only ${n} samples: run longer than ${(8 * intervalMs) / 1000} s`);
    if (rssLate - rssEarly > rssAllowed) problems.push(`RSS grew ${round1(rssLate - rssEarly)} MB (allowed ${round1(rssAllowed)} MB)`);
    if (hLate - hEarly > hAllowed) problems.push(`active handles grew ${round1(hLate - hEarly)} (allowed ${round1(hAllowed)})`);
    if (after.handles > before.handles) problems.push(`${after.handles - before.handles} handles left after the runs: ${JSON.stringify(after.byType)} vs ${JSON.stringify(before.byType)}`);

    console.log(
      [
        `soak: ${n} samples over ${samples.at(-1)!.t} s`,
        `  RSS: second quarter mean ${round1(rssEarly)} MB, last quarter mean ${round1(rssLate)} MB (change ${round1(rssLate - rssEarly)} MB, allowed ${round1(rssAllowed)} MB), peak ${rssMax} MB`,
        `  handles: second quarter mean ${round1(hEarly)}, last quarter mean ${round1(hLate)} (change ${round1(hLate - hEarly)}, allowed ${round1(hAllowed)}); before the runs ${before.handles}, after ${after.handles}`,
        problems.length === 0 ? 'soak: flat: OK' : `soak: FAILED\n  ${problems.join('\n  ')}`,
      ].join('\n'),
    );
    return problems.length === 0 ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await lab.stop();
  }
}

process.exitCode = await soak();
