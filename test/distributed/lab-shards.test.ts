/**
 * Two shard processes against the lab's Dovecot vs one process with the same total load, all
 * starting at one --start-at: the merged report counts exactly what the single run counts,
 * the shards logged in as disjoint users, and thresholds are judged once, after the merge.
 *
 * IMAP with a read-only mix (fetch, search, noop): the lab's mailboxes are shared with other
 * test files that count their messages, so nothing here adds or removes mail. The lab has
 * three accounts (carol's mailbox belongs to test/integration), which allows two login shards;
 * four shards run against the sandbox (sandbox-shards.test.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run as merge } from '../../bin/commands/merge.js';
import { decodeHistogram } from '../../engine/load/histogram.js';
import type { Report } from '../../engine/report-types.js';
import { fakeIo } from '../helpers/cli.js';
import { runMailprobe, startLeadMs } from './helpers/processes.js';

const lab = inject('lab');
const [alice, carol] = [lab.users[0]!, lab.users[2]!];
const target = `imaps://${lab.hosts.imap}:${lab.ports.imaps}`;
const TOTAL = 40;
let dir: string;
let usersFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-lab-shards-'));
  usersFile = join(dir, 'users.txt');
  await writeFile(usersFile, `${alice.user}:${alice.password}\n${carol.user}:${carol.password}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function common(startAt: string): string[] {
  return ['bench', target, '--scenario', 'imap-session', '--users', usersFile, '--mix', 'fetch,search,noop', '--concurrency', '2', '--messages', String(TOTAL), '--messages-per-session', '5',
    '--ca', lab.rootCaPath, '--servername', lab.servername, '--start-at', startAt, '--threshold', 'count>=30'];
}

async function readReport(file: string): Promise<Report> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(file, 'utf8')) as Report;
}

describe('two shard processes against the lab vs one process', () => {
  let shards: Report[];
  let single: Report;
  let merged: Report;
  let mergeCode: number;

  beforeAll(async () => {
    const startAt = new Date(Date.now() + startLeadMs(3)).toISOString();
    const files = [0, 1].map((i) => join(dir, `shard-${i}.json`));
    const results = await Promise.all([
      ...files.map((f, i) => runMailprobe([...common(startAt), '--shard', `${i}/2`, '--json', f])),
      runMailprobe([...common(startAt), '--json', join(dir, 'single.json')]),
    ]);
    // Exit 0 everywhere: the single run passes count>=30; the shards fail it alone but do not gate.
    for (const r of results) expect(r.code, r.stderr + r.stdout).toBe(0);
    shards = await Promise.all(files.map(readReport));
    single = await readReport(join(dir, 'single.json'));
    const io = fakeIo();
    mergeCode = await merge([...files, '--json', join(dir, 'merged.json')], io);
    merged = await readReport(join(dir, 'merged.json'));
  }, 40_000);

  it('each shard ran its share, and its exit code ignores the threshold it alone fails', () => {
    expect(shards.map((r) => r.bench!.metrics['iteration']!.count)).toEqual([TOTAL / 2, TOTAL / 2]);
    // Each shard alone has 20 < 30: failed in its report, but the shards exited 0 (checked above).
    expect(shards.map((r) => r.bench!.thresholds[0]!.ok)).toEqual([false, false]);
    expect(shards.map((r) => [r.bench!.shard!.index, r.bench!.shard!.count, r.bench!.concurrency])).toEqual([
      [0, 2, 1],
      [1, 2, 1],
    ]);
    for (const r of shards) expect(r.bench!.timeline.every((p) => typeof p.hdr === 'string')).toBe(true);
  });

  it('no user was used by two shards: the users split, each logged in as its own', () => {
    const names = shards.map((r) => r.bench!.shard!.users.names);
    expect(names).toEqual([[alice.user], [carol.user]]);
    // Every session logged in (imap.login counted per session) within its shard's users.
    for (const r of shards) expect(r.bench!.metrics['imap.login']!.count).toBe(r.bench!.metrics['session']!.count);
    expect(JSON.stringify(shards)).not.toContain(alice.password);
  });

  it('the merge counts exactly what one process with the same load counts', () => {
    const m = merged.bench!;
    const s = single.bench!;
    expect(m.metrics['iteration']!.count).toBe(TOTAL);
    expect(s.metrics['iteration']!.count).toBe(TOTAL);
    for (const name of Object.keys(m.metrics)) {
      const sum = shards.reduce((a, r) => a + (r.bench!.metrics[name]?.count ?? 0), 0);
      expect([name, m.metrics[name]!.count]).toEqual([name, sum]);
      const ok = m.metrics[name]!.count - m.metrics[name]!.errors;
      expect([name, decodeHistogram(m.metrics[name]!.hdr).totalCount]).toEqual([name, ok]);
    }
    // The same commands ran as often in both (the mix once per iteration). Sessions may differ by
    // one: one process's two slots share a budget of 40 dynamically (say 21 + 19 iterations, 5 +
    // 4 sessions of 5), the shards' budgets are fixed at 20 each (4 + 4).
    for (const name of ['imap.search', 'imap.noop']) expect([name, m.metrics[name]!.count]).toEqual([name, s.metrics[name]!.count]);
    expect(Math.abs(m.metrics['session']!.count - s.metrics['session']!.count)).toBeLessThanOrEqual(1);
    expect(m.errors).toEqual({});
    expect(m.concurrency).toBe(s.concurrency);
    expect(m.shards!.map((x) => x.shard!.index)).toEqual([0, 1]);
    expect(m.timeline.reduce((a, p) => a + p.ops, 0)).toBe(TOTAL);
    expect(m.measuredFrom).toBe(shards[0]!.bench!.measuredFrom);
  });

  it('thresholds are judged once, over the merge: each shard fails count>=30, the merge passes', () => {
    expect(merged.bench!.thresholds).toEqual([{ expr: 'count>=30', ok: true, actual: TOTAL }]);
    expect(mergeCode).toBe(0);
  });

  it('and the other way round: each shard passes count<=30, the merge crosses it (exit 3)', async () => {
    for (const r of shards) expect(r.bench!.metrics['iteration']!.count).toBeLessThanOrEqual(30);
    const io = fakeIo();
    const code = await merge([join(dir, 'shard-0.json'), join(dir, 'shard-1.json'), '--threshold', 'count<=30'], io);
    expect(code).toBe(3);
    expect(io.out()).toMatch(/FAIL\s+count<=30 \(actual 40\)/);
  });
});
