/**
 * Saved reports of a distributed run through `mailprobe report`: two real shards (`bench
 * --shard i/2 --start-at … --ntp …` against a scripted SMTP server and a scripted NTP server
 * whose clock runs ahead) and their merge are read back and written again with `--json`
 * byte for byte — shard, host, run id, users, whole-run totals, clock offset, per-second
 * histograms and the merge's parts included — and their HTML shows the shard, the parts
 * and a hostile host name as text.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as benchRun } from '../../bin/commands/bench.js';
import { run as mergeRun } from '../../bin/commands/merge.js';
import { run as reportRun } from '../../bin/commands/report.js';
import type { Report } from '../../engine/report-types.js';
import { smtpResponder, type Responder } from '../bench-engine/helpers/smtp-responder.js';
import { fakeIo } from '../helpers/cli.js';
import { fakeNtp, type FakeNtp } from './ntp-server.js';

const OFFSET_MS = 2500;
const HOSTILE_HOST = '<img src=x onerror=alert(1)>';
const ESCAPED_HOST = '&lt;img src=x onerror=alert(1)&gt;';

let smtp: Responder;
let ntp: FakeNtp;
let dir: string;
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  [smtp, ntp, dir] = await Promise.all([smtpResponder(), fakeNtp(OFFSET_MS), mkdtemp(join(tmpdir(), 'mailprobe-report-roundtrip-'))]);
  // Both shards of one run, started together at the same instant of the reference clock.
  const startAt = new Date(Date.now() + OFFSET_MS + 1200).toISOString();
  const codes = await Promise.all(
    [0, 1].map(async (i) => {
      const io = fakeIo();
      const argv = [smtp.url, '--scenario', 'smtp-send', '--rcpt', 'sink@responder.test', '--concurrency', '2', '--messages', '9', '--threshold', 'count>=9'];
      const code = await benchRun([...argv, '--shard', `${i}/2`, '--start-at', startAt, '--ntp', `127.0.0.1:${ntp.port}`, '--json', file(`shard-${i}.json`)], io);
      return [code, io.err()] as const;
    }),
  );
  for (const [code, err] of codes) expect(code, err).toBe(0);
  // Shard 1 ran on a host with a name no page should trust (a pod name is free text).
  const shard1 = JSON.parse(await readFile(file('shard-1.json'), 'utf8')) as { bench: { shard: { host: string } } };
  shard1.bench.shard.host = HOSTILE_HOST;
  await writeFile(file('shard-1.json'), `${JSON.stringify(shard1, null, 2)}\n`);
  const merged = fakeIo();
  expect(await mergeRun([file('shard-0.json'), file('shard-1.json'), '--json', file('merged.json')], merged), merged.err()).toBe(0);
}, 20_000);

afterAll(async () => {
  await Promise.all([smtp.close(), ntp.close(), rm(dir, { recursive: true, force: true })]);
});

/** `mailprobe report FILE --json OUT`: the text written. */
async function readBack(name: string): Promise<string> {
  const io = fakeIo();
  expect(await reportRun([file(name), '--json', file(`again-${name}`)], io)).toBe(0);
  expect(io.out() + io.err()).toBe('');
  return readFile(file(`again-${name}`), 'utf8');
}

/** `text` as a regular expression matching itself. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('mailprobe report --json: a distributed run\'s reports come back as written', () => {
  it('a shard\'s report: shard, host, users, totals, clock offset, per-second histograms', async () => {
    const text = await readFile(file('shard-0.json'), 'utf8');
    expect(await readBack('shard-0.json')).toBe(text);
    const b = (JSON.parse(text) as Report).bench!;
    expect(b.shard).toMatchObject({ index: 0, count: 2, host: hostname(), runId: expect.stringMatching(/^[0-9a-f]{8}$/), users: { count: 0, names: [] }, total: { ratePerSec: 0, concurrency: 2, iterations: 9 } });
    expect(b.clock).toMatchObject({ startAt: expect.any(String), offsetMs: expect.closeTo(OFFSET_MS, -2), source: `ntp://127.0.0.1:${ntp.port}`, rttMs: expect.any(Number), startLateMs: 0 });
    expect(b.metrics['iteration']!.count).toBe(5);
    expect(b.timeline.length).toBeGreaterThan(0);
    expect(b.timeline.every((p) => typeof p.hdr === 'string')).toBe(true);
    expect([typeof b.measuredFrom, b.arrivals]).toEqual(['string', 5]);
  });

  it('the other shard, with a hostile host name', async () => {
    const text = await readFile(file('shard-1.json'), 'utf8');
    expect(await readBack('shard-1.json')).toBe(text);
    expect((JSON.parse(text) as Report).bench!.shard!.host).toBe(HOSTILE_HOST);
  });

  it('the merge: its parts (shard, host, clock, iterations, errors)', async () => {
    const text = await readFile(file('merged.json'), 'utf8');
    expect(await readBack('merged.json')).toBe(text);
    const b = (JSON.parse(text) as Report).bench!;
    expect(b.shards!.map((s) => [s.shard?.index, s.shard?.host, s.clock?.offsetMs === null ? null : typeof s.clock?.offsetMs, s.iterations, s.errors])).toEqual([
      [0, hostname(), 'number', 5, 0],
      [1, HOSTILE_HOST, 'number', 4, 0],
    ]);
    expect(b.metrics['iteration']!.count).toBe(9);
    expect(b.thresholds).toEqual([{ expr: 'count>=9', ok: true, actual: 9 }]);
  });
});

describe('mailprobe report --html: the shard and the parts', () => {
  it('a shard\'s page says which shard, on which host, with what clock offset', async () => {
    expect(await reportRun([file('shard-1.json'), '--html', file('shard-1.html')], fakeIo())).toBe(0);
    const html = await readFile(file('shard-1.html'), 'utf8');
    expect(html).toMatch(new RegExp(`<a href="#bench-shard">shard 1/2 on ${literal(ESCAPED_HOST)}, clock offset \\+2\\d{3}(\\.\\d+)? ms</a>`));
    expect(html).not.toContain(HOSTILE_HOST);
    expect(html).not.toMatch(/<img\b/i);
  });

  it('a merged page lists the parts, the hostile host as text', async () => {
    expect(await reportRun([file('merged.json'), '--html', file('merged.html')], fakeIo())).toBe(0);
    const html = await readFile(file('merged.html'), 'utf8');
    expect(html).toContain('<a href="#bench-parts">merged from 2 reports (2 of 2 shards)</a>');
    expect(html).toMatch(new RegExp(`<tr data-saturated="(true|false)"><th scope="row">1/2</th><td>${literal(ESCAPED_HOST)}</td><td class="mp-num">4</td><td class="mp-num">0</td>`));
    expect(html).not.toContain(HOSTILE_HOST);
    expect(html).not.toMatch(/<img\b/i);
  });
});
