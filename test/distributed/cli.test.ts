/**
 * The CLI of a distributed run, in-process: `bench --shard/--start-at` (what a shard reports,
 * what it refuses, its exit code) against a scripted SMTP server, and `mailprobe merge`
 * (outputs, exit codes, refusals) on report files.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as benchRun } from '../../bin/commands/bench.js';
import { COMMANDS } from '../../bin/commands/index.js';
import { run as mergeRun, usage as mergeUsage } from '../../bin/commands/merge.js';
import { main } from '../../bin/main.js';
import { MailprobeError } from '../../drivers/errors.js';
import type { Report } from '../../engine/report-types.js';
import { bench } from '../bench-engine/helpers/bench-cli.js';
import { smtpResponder, type Responder } from '../bench-engine/helpers/smtp-responder.js';
import { fakeIo } from '../helpers/cli.js';
import { syntheticReport, type Sample } from './helpers/synthetic.js';

let server: Responder;
let dir: string;
beforeAll(async () => {
  server = await smtpResponder();
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-dist-cli-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function rejects(p: Promise<unknown>, why: RegExp): Promise<void> {
  await expect(p).rejects.toSatisfy((e: unknown) => e instanceof MailprobeError && e.code === 'ECONFIG' && why.test(e.message));
}

const send = (...more: string[]): string[] => [server.url, '--scenario', 'smtp-send', '--rcpt', 'sink@responder.test', ...more];

describe('bench --shard', () => {
  it('runs its share, reports shard, host and total, keeps per-second histograms, and does not gate on thresholds', async () => {
    const r = await bench(send('--shard', '1/2', '--concurrency', '2', '--messages', '11', '--threshold', 'count>=10'));
    expect(r.code, r.io.err()).toBe(0);
    const b = r.report.bench!;
    // 11 split over 2 shards: shard 0 takes 6, shard 1 takes 5.
    expect(b.metrics['iteration']!.count).toBe(5);
    expect(b.concurrency).toBe(1);
    expect(b.shard).toMatchObject({ index: 1, count: 2, host: expect.any(String), runId: expect.stringMatching(/^[0-9a-f]{8}$/), users: { count: 0, names: [] }, total: { ratePerSec: 0, concurrency: 2, iterations: 11 } });
    expect(b.thresholds).toEqual([{ expr: 'count>=10', ok: false, actual: 5 }]);
    expect(b.timeline.every((p) => typeof p.hdr === 'string')).toBe(true);
    expect(b.measuredFrom).toEqual(expect.any(String));
    expect(r.io.err()).toContain('(shard 1/2)');
    expect(r.io.err()).toMatch(/note: shard 1\/2: the thresholds above are this shard's numbers only; mailprobe merge judges them/);
  });

  it('without --shard a crossed threshold still exits 3, and no timeline histograms are kept', async () => {
    const r = await bench(send('--messages', '5', '--threshold', 'count>=10'));
    expect(r.code).toBe(3);
    expect(r.report.bench!.timeline.some((p) => p.hdr !== undefined)).toBe(false);
    expect(r.report.bench!.arrivals).toBe(5);
  });

  it('refuses what would make shards overlap or not add up (exit 2)', async () => {
    const io = fakeIo({ MAILPROBE_PASSWORD: 'pw' });
    await rejects(benchRun(send('--shard', '2/2'), io), /--shard 2\/2: shards count from 0, so i is 0 to 1/);
    await rejects(benchRun([server.url.replace('smtp://', 'submission://'), '--scenario', 'smtp-send', '--user', 'one@x.test', '--shard', '0/2', '--messages', '4'], io), /--shard 0\/2 needs at least 2 users \(each shard logs in as its own, so no user is used by two shards at once\); there is 1/);
    await rejects(benchRun(send('--shard', '0/3', '--concurrency', '2', '--messages', '4'), io), /--shard 0\/3 needs --concurrency of at least 3 in all \(one session per shard\); it is 2/);
    await rejects(benchRun(send('--shard', '0/600', '--workers', '2', '--concurrency', '2000', '--messages', '4'), io), /cuts the run into 1200 parts; at most 1000/);
    await rejects(benchRun(send('--start-at', new Date(Date.now() - 60_000).toISOString(), '--messages', '4'), io), /--start-at .* has passed \(60\.0 s ago\)/);
    await rejects(benchRun(send('--start-at', 'tomorrow'), io), /not an ISO-8601 time with a zone/);
    await rejects(benchRun(send('--ntp', 'a:b:c'), io), /--ntp "a:b:c" is not HOST\[:PORT\]/);
  });
});

const ok = (n: number, us = 1000): Sample[] => Array.from({ length: n }, (_, i) => ({ second: i % 2, us: us + i * 10, ok: true }));

async function shardFiles(name: string, shards: { samples: Sample[]; scenario?: string; thresholds?: string[] }[]): Promise<string[]> {
  return Promise.all(
    shards.map(async (s, index) => {
      const file = join(dir, `${name}-${index}.json`);
      await writeFile(file, JSON.stringify(syntheticReport({ ...s, index, count: shards.length }), null, 2));
      return file;
    }),
  );
}

describe('mailprobe merge', () => {
  it('prints the merged console report with the shards, and writes JSON, Markdown, JUnit and HTML', async () => {
    const files = await shardFiles('out', [{ samples: ok(20), thresholds: ['count>=30', 'smtp.data:p99<1ms'] }, { samples: ok(20), thresholds: ['count>=30', 'smtp.data:p99<1ms'] }]);
    const out = { json: join(dir, 'm.json'), md: join(dir, 'm.md'), junit: join(dir, 'm.xml'), html: join(dir, 'm.html') };
    const io = fakeIo();
    const code = await mergeRun([...files, '--json', out.json, '--md', out.md, '--junit', out.junit, '--html', out.html], io);
    expect(code).toBe(3);
    expect(io.out()).toMatch(/merge: 2 reports of smtp-send/);
    expect(io.out()).toMatch(/PASS\s+count>=30 \(actual 40\)/);
    expect(io.out()).toMatch(/FAIL\s+smtp\.data:p99<1ms/);
    expect(io.out()).toMatch(/merged from 2 reports:\n\s+shard\s+host\s+iterations[^\n]*\n\s+0\/2\s+host-0\s+20/);
    const merged = JSON.parse(await readFile(out.json, 'utf8')) as Report;
    expect(merged.bench!.metrics['iteration']!.count).toBe(40);
    expect(merged.bench!.shards).toHaveLength(2);
    const md = await readFile(out.md, 'utf8');
    expect(md).toContain('### Merged from 2 reports');
    expect(md).toContain('| 1/2 | host-1 | 20 | 0 | 0 |');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(await readFile(out.junit, 'utf8')) as { testsuites: { '@_tests': string; '@_failures': string; testsuite: { testcase: { '@_name': string; failure?: unknown }[] } } };
    expect([junit.testsuites['@_tests'], junit.testsuites['@_failures']]).toEqual(['3', '1']);
    expect(junit.testsuites.testsuite.testcase.map((t) => [t['@_name'], t.failure !== undefined])).toEqual([
      ['iterations succeeded', false],
      ['threshold count>=30', false],
      ['threshold smtp.data:p99<1ms', true],
    ]);
    const html = await readFile(out.html, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('smtp-send');
  });

  it('--json - writes the report to stdout and the console report to stderr; --threshold replaces the shards\'', async () => {
    const files = await shardFiles('stdout', [{ samples: ok(3), thresholds: ['count>=100'] }, { samples: ok(3), thresholds: ['count>=100'] }]);
    const io = fakeIo();
    expect(await mergeRun([...files, '--threshold', 'count>=6', '--json', '-'], io)).toBe(0);
    expect((JSON.parse(io.out()) as Report).bench!.thresholds).toEqual([{ expr: 'count>=6', ok: true, actual: 6 }]);
    expect(io.err()).toMatch(/PASS\s+count>=6/);
  });

  it('exit 1 when no iteration succeeded', async () => {
    const files = await shardFiles('failed', [{ samples: [{ second: 0, us: 1, ok: false }] }]);
    expect(await mergeRun(files, fakeIo())).toBe(1);
  });

  it('refuses bad usage and reports that cannot be merged (exit 2)', async () => {
    const io = fakeIo();
    const files = await shardFiles('bad', [{ samples: ok(2) }, { samples: ok(2), scenario: 'pop3-session' }]);
    await rejects(mergeRun(files, io), /bad-0\.json is a smtp-send run and .*bad-1\.json a pop3-session run: reports of different scenarios cannot be merged/);
    await rejects(mergeRun([], io), /give the shard reports to merge/);
    await rejects(mergeRun([join(dir, 'nope.json')], io), /cannot read .*nope\.json: no such file/);
    await rejects(mergeRun([dir], io), /it is a directory; give the report files/);
    const good = await shardFiles('good', [{ samples: ok(2) }]);
    await rejects(mergeRun([...good, '--json', good[0]!], io), /--json .*good-0\.json would overwrite a report being merged/);
    await rejects(mergeRun([...good, '--threshold', 'smtp.dta:p99<1s'], io), /threshold "smtp\.dta:p99<1s": smtp-send records no metric "smtp\.dta"/);
    await rejects(mergeRun([...good, '--threshold', 'p99<'], io), /threshold "p99<": expected a value/);
    expect(mergeUsage).toMatch(/^Usage: mailprobe merge REPORT\.json/);
  });

  it.runIf(Object.hasOwn(COMMANDS, 'merge'))('through the CLI entry: a refused merge exits 2 with the reason', async () => {
    const files = await shardFiles('main', [{ samples: ok(2) }, { samples: ok(2), scenario: 'imap-session' }]);
    const io = fakeIo();
    expect(await main(['merge', ...files], io)).toBe(2);
    expect(io.err()).toMatch(/mailprobe: .*reports of different scenarios cannot be merged/);
  });
});
