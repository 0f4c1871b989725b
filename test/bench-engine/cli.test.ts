/**
 * `mailprobe bench` end to end in-process (run(argv, io)) against a scripted SMTP server on
 * loopback: exit codes, the JSON report's shape, thresholds, interruption, refused
 * connections, worker threads, and usage errors.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/commands/bench.js';
import { MailprobeError } from '../../drivers/errors.js';
import { decodeHistogram } from '../../engine/load/histogram.js';
import { fakeIo } from '../helpers/cli.js';
import { bench } from './helpers/bench-cli.js';
import { refusedPort, smtpResponder, type Responder } from './helpers/smtp-responder.js';

let server: Responder;
beforeAll(async () => {
  server = await smtpResponder();
});
afterAll(async () => {
  await server.close();
});

const send = (...more: string[]) => [server.url, '--scenario', 'smtp-send', '--rcpt', 'sink@responder.test', ...more];

describe('mailprobe bench (CLI)', () => {
  it('writes the DESIGN.md report: metrics with mergeable histograms, timeline, generator', async () => {
    const r = await bench(send('--concurrency', '2', '--messages', '300', '--messages-per-session', '100', '--threshold', 'smtp.data:p99<5s'));
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ schemaVersion: 1, command: 'bench', partial: false, targets: [server.url], checks: [], findings: [] });
    const b = r.report.bench!;
    expect(b).toMatchObject({ scenario: 'smtp-send', mode: 'closed', concurrency: 2, ratePerSec: 0, warmupMs: 0, dropped: 0, errors: {} });
    expect(Object.keys(b.metrics)).toEqual(expect.arrayContaining(['iteration', 'iteration.service', 'session', 'smtp.connect', 'smtp.greeting', 'smtp.ehlo', 'smtp.mail', 'smtp.rcpt', 'smtp.data_cmd', 'smtp.data', 'smtp.quit']));
    expect(b.metrics['iteration']).toMatchObject({ count: 300, errors: 0 });
    expect(b.metrics['smtp.data']!.count).toBe(300);
    // Two slots share the budget: each runs one full session of 100 and one of about 50.
    expect(b.metrics['session']!.count).toBeGreaterThanOrEqual(3);
    expect(b.metrics['session']!.count).toBeLessThanOrEqual(4);
    expect(decodeHistogram(b.metrics['smtp.data']!.hdr).totalCount).toBe(300);
    const l = b.metrics['smtp.data']!.latencyMs;
    expect(l.min).toBeLessThanOrEqual(l.p50);
    expect(l.p50).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(b.timeline.reduce((a, p) => a + p.ops, 0)).toBe(300);
    expect(b.thresholds).toEqual([{ expr: 'smtp.data:p99<5s', ok: true, actual: expect.any(Number) }]);
    expect(b.generator).toMatchObject({ cpuPercent: expect.any(Number), eventLoopDelayP99Ms: expect.any(Number), saturated: expect.any(Boolean) });
    expect(r.report.server[server.url]!.capabilities).toContain('PIPELINING');
    expect(server.messages).toBeGreaterThanOrEqual(300);
    expect(r.io.err()).toMatch(/smtp\.data\s+300/);
  });

  it('exits 3 when a threshold is crossed, and reports which', async () => {
    const r = await bench(send('--concurrency', '1', '--messages', '50', '--threshold', 'smtp.data:p99<0.0001ms', '--threshold', 'errors<1%'));
    expect(r.code).toBe(3);
    expect(r.report.bench!.thresholds.map((t) => [t.expr, t.ok])).toEqual([
      ['smtp.data:p99<0.0001ms', false],
      ['errors<1%', true],
    ]);
    expect(r.io.err()).toMatch(/FAIL\s+smtp\.data:p99<0\.0001ms/);
  });

  it('open loop ramp: stages in the report, arrivals follow the ramp', async () => {
    const r = await bench(send('--ramp', '1s:100/s,1s:200/s', '--messages-per-session', '50'));
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    expect(b).toMatchObject({ mode: 'open', ratePerSec: 0, stages: [{ durationMs: 1000, ratePerSec: 100 }, { durationMs: 1000, ratePerSec: 200 }] });
    // 0→100/s over 1 s makes 50 arrivals, 100→200/s over the next second 150.
    expect(b.metrics['iteration']!.count).toBe(200);
    expect(r.io.err()).toContain('open loop ramping 0.0/s → 100/s (1.0 s) → 200/s (1.0 s)');
  });

  it('open loop: keeps the asked rate and writes a Markdown summary', async () => {
    const md = join(tmpdir(), `bench-${process.pid}.md`);
    try {
      const r = await bench(send('--rate', '200', '--duration', '1s', '--warmup', '500ms', '--md', md));
      expect(r.code).toBe(0);
      const b = r.report.bench!;
      expect(b).toMatchObject({ mode: 'open', ratePerSec: 200, warmupMs: 500, dropped: 0 });
      expect(b.metrics['iteration']!.count).toBe(200);
      const text = await readFile(md, 'utf8');
      expect(text).toMatch(/^## ✅ mailprobe bench: smtp-send/);
      expect(text).toContain('| `smtp.data` |');
      expect(text).not.toContain('--insecure');
    } finally {
      await rm(md, { force: true });
    }
  });

  it('--insecure: said in the Markdown summary and on the console, as in every report', async () => {
    const md = join(tmpdir(), `bench-insecure-${process.pid}.md`);
    try {
      const r = await bench(send('--concurrency', '1', '--messages', '5', '--insecure', '--md', md));
      expect(r.code).toBe(0);
      expect(r.report.insecure).toBe(true);
      const text = await readFile(md, 'utf8');
      expect(text).toMatch(/^## ✅ mailprobe bench: smtp-send\n\n.*\n\n> ⚠️ \*\*Run with `--insecure`:\*\* certificate verification was off/);
      expect(r.io.err()).toContain('warning: --insecure: certificate verification was off');
    } finally {
      await rm(md, { force: true });
    }
  });

  it('SIGINT: stops promptly, writes a partial report and exits 130', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 600);
    const r = await bench(send('--concurrency', '4', '--duration', '30s', '--messages-per-session', '20'), { signal: ac.signal });
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(5000);
    expect(r.report.partial).toBe(true);
    expect(r.report.bench!.metrics['iteration']!.count).toBeGreaterThan(0);
    expect(r.report.bench!.errors).toEqual({});
    expect(r.io.err()).toContain('interrupted');
  });

  it('a port that refuses connections: errors classified as refused, no hang, exit 4', async () => {
    const port = await refusedPort();
    const r = await bench([`smtp://127.0.0.1:${port}`, '--scenario', 'smtp-send', '--rcpt', 'a@b.test', '--rate', '20', '--duration', '1s']);
    expect(r.code).toBe(4);
    expect(r.ms).toBeLessThan(5000);
    const b = r.report.bench!;
    expect(b.errors).toEqual({ refused: 20 });
    expect(b.errorSamples!['refused']![0]).toMatch(/ECONNREFUSED/);
    expect(b.metrics['iteration']).toMatchObject({ count: 20, errors: 20 });
    expect(b.metrics['smtp.connect']).toMatchObject({ count: 20, errors: 20 });
  });

  it('negative replies count as 5xx and a run where nothing succeeded exits 1', async () => {
    const bad = await smtpResponder({ dataReply: '554 5.7.1 no thanks' });
    try {
      const r = await bench([bad.url, '--scenario', 'smtp-send', '--rcpt', 'a@b.test', '--concurrency', '2', '--messages', '10']);
      expect(r.code).toBe(1);
      expect(r.report.bench!.errors).toEqual({ '5xx': 10 });
      expect(r.report.bench!.metrics['smtp.data']).toMatchObject({ count: 10, errors: 10 });
    } finally {
      await bad.close();
    }
  });

  it('--workers 2: two threads share one schedule; histograms and timeline merge', async () => {
    const r = await bench(send('--workers', '2', '--concurrency', '4', '--messages', '400', '--messages-per-session', '50'));
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    expect(b.workers).toBe(2);
    expect(b.metrics['iteration']).toMatchObject({ count: 400, errors: 0 });
    expect(decodeHistogram(b.metrics['iteration']!.hdr).totalCount).toBe(400);
    expect(b.timeline.reduce((a, p) => a + p.ops, 0)).toBe(400);
  }, 30_000);

  it('--workers 2 and SIGINT: every worker stops, the report is partial, exit 130', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 1500);
    const r = await bench(send('--workers', '2', '--concurrency', '2', '--duration', '30s', '--messages-per-session', '20'), { signal: ac.signal });
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.report.partial).toBe(true);
    expect(r.report.bench!.workers).toBe(2);
  }, 30_000);

  it.each([
    [['--threshold', 'smtp.data:p99<<5ms'], /not an operator/],
    [['--threshold', 'imap.fetch:p99<5ms'], /records no metric "imap.fetch"/],
    [['--mix', 'fetch'], /imap-session only/],
    [['--rate', 'lots'], /not a rate/],
    [['--size', 'huge'], /not a size/],
    [['--workers', '4', '--concurrency', '2'], /at least 4/],
  ])('usage error %j → ECONFIG', async (extra, message) => {
    await expect(run(send(...extra), fakeIo())).rejects.toSatisfy((e: unknown) => e instanceof MailprobeError && e.code === 'ECONFIG' && message.test(e.message));
  });

  it.each([
    [['smtp://127.0.0.1:25', '--scenario', 'smtp-send'], /needs recipients/],
    [['imap://127.0.0.1:143', '--scenario', 'imap-session'], /needs a login/],
    [['smtp://127.0.0.1:25', '--scenario', 'imap-session', '--user', 'u'], /needs an IMAP target/],
    [['submission://127.0.0.1:587', '--scenario', 'e2e', '--user', 'u'], /second URL/],
    [['smtp://127.0.0.1:25', '--scenario', 'nope'], /not one of/],
    [['smtp://127.0.0.1:25'], /needs --scenario/],
  ])('scenario requirement %j → ECONFIG', async (argv, message) => {
    await expect(run(argv, fakeIo({ MAILPROBE_PASSWORD: 'x' }))).rejects.toSatisfy((e: unknown) => e instanceof MailprobeError && e.code === 'ECONFIG' && message.test(e.message));
  });

  it('prints its usage with --help', async () => {
    const io = fakeIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: mailprobe bench URL/);
  });
});
