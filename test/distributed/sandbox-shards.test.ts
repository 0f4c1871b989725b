/**
 * Four shard processes (and two shards of two worker threads each) against the sandbox, a
 * real SMTP submission server in this process whose accounts we choose: eight users, each
 * mailing itself, so the server's own mailboxes say which part of the run logged in as whom.
 * Compared with one process sending the same load to a second sandbox.
 *
 * - merged counts equal the sum of the shards' and the single run's (open loop: exactly
 *   rate × duration arrivals, split i ≡ k mod N);
 * - every mailbox holds mail of one shard only (its Message-ID prefix: the shard's run id and
 *   part number), so no user was used by two shards, at once or at all;
 * - the users of shard k are the k-th of every N, as the shard reports say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as merge } from '../../bin/commands/merge.js';
import type { Report } from '../../engine/report-types.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { fakeIo } from '../helpers/cli.js';
import { runMailprobe, startLeadMs } from './helpers/processes.js';

const USERS = 8;
const RATE = 40;
let dir: string;
let forShards: Sandbox;
let forSingle: Sandbox;
let forWorkers: Sandbox;

const newSandbox = (): Promise<Sandbox> => startSandbox({ users: Array.from({ length: USERS }, (_, i) => ({ user: `u${i}`, password: `pw-${i}-secret` })), seed: false, caFile: true });

async function usersFile(sb: Sandbox, name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, sb.users.map((u) => `${u.address}:${u.password}`).join('\n') + '\n', { mode: 0o600 });
  return file;
}

function load(sb: Sandbox, users: string, startAt: string): string[] {
  return ['bench', sb.urls.submission, '--scenario', 'smtp-send', '--users', users, '--ca', sb.caFile!, '--servername', sb.servername,
    '--rate', String(RATE), '--duration', '1s', '--messages-per-session', '5', '--start-at', startAt];
}

async function readReport(file: string): Promise<Report> {
  return JSON.parse(await readFile(file, 'utf8')) as Report;
}

/** Per mailbox (user index): the Message-ID prefixes `runId.part` of the mail it holds. */
function prefixesByUser(sb: Sandbox): Set<string>[] {
  return sb.users.map((u) => {
    const account = sb.store.account(u.address)!;
    const prefixes = new Set<string>();
    for (const m of account.inbox.messages) {
      const id = /^Message-ID: <([0-9a-f]+)\.(\d{3})-\d{5}-\d{12}@mailprobe\.invalid>/im.exec(m.bytes.toString('latin1'));
      prefixes.add(id ? `${id[1]}.${Number(id[2])}` : 'no bench Message-ID');
    }
    return prefixes;
  });
}

const inboxTotal = (sb: Sandbox): number => sb.users.reduce((a, u) => a + sb.store.account(u.address)!.inbox.messages.length, 0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-sandbox-shards-'));
  [forShards, forSingle, forWorkers] = await Promise.all([newSandbox(), newSandbox(), newSandbox()]);
});
afterAll(async () => {
  await Promise.all([forShards?.stop(), forSingle?.stop(), forWorkers?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('four shard processes vs one process, same total load', () => {
  let shards: Report[];
  let single: Report;
  let merged: Report;

  beforeAll(async () => {
    const startAt = new Date(Date.now() + startLeadMs(5)).toISOString();
    const [shardUsers, singleUsers] = await Promise.all([usersFile(forShards, 'shard-users.txt'), usersFile(forSingle, 'single-users.txt')]);
    const files = [0, 1, 2, 3].map((i) => join(dir, `s4-${i}.json`));
    const results = await Promise.all([
      ...files.map((f, i) => runMailprobe([...load(forShards, shardUsers, startAt), '--shard', `${i}/4`, '--json', f])),
      runMailprobe([...load(forSingle, singleUsers, startAt), '--json', join(dir, 's4-single.json')]),
    ]);
    for (const r of results) expect(r.code, r.stderr + r.stdout).toBe(0);
    shards = await Promise.all(files.map(readReport));
    single = await readReport(join(dir, 's4-single.json'));
    const code = await merge([...files, '--json', join(dir, 's4-merged.json')], fakeIo());
    expect(code).toBe(0);
    merged = await readReport(join(dir, 's4-merged.json'));
  }, 40_000);

  it('each shard took every fourth arrival: a quarter of the rate, exactly', () => {
    for (const r of shards) {
      const b = r.bench!;
      expect(b.ratePerSec).toBe(RATE / 4);
      expect(b.arrivals).toBe(RATE / 4);
      expect(b.metrics['iteration']!.count).toBe(RATE / 4);
      expect(b.shard!.total).toEqual({ ratePerSec: RATE, concurrency: 40 });
    }
    // One common start: all on time (ready before --start-at), so one measured window start.
    expect(shards.map((r) => r.bench!.clock!.startLateMs)).toEqual([0, 0, 0, 0]);
    expect(new Set(shards.map((r) => r.bench!.measuredFrom)).size).toBe(1);
  });

  it('merged counts are the sums, and equal the single run\'s', () => {
    const m = merged.bench!;
    const s = single.bench!;
    expect(m.arrivals).toBe(RATE);
    expect(s.arrivals).toBe(RATE);
    expect(m.metrics['iteration']!.count).toBe(RATE);
    expect(s.metrics['iteration']!.count).toBe(RATE);
    for (const name of Object.keys(m.metrics)) {
      expect([name, m.metrics[name]!.count]).toEqual([name, shards.reduce((a, r) => a + (r.bench!.metrics[name]?.count ?? 0), 0)]);
    }
    // Per message, the same commands. (Sessions, and so AUTH, depend on which slot is free when
    // an arrival is due: not part of the load's definition, in one process or four.)
    for (const name of ['smtp.mail', 'smtp.rcpt', 'smtp.data_cmd', 'smtp.data']) expect([name, m.metrics[name]!.count]).toEqual([name, s.metrics[name]!.count]);
    expect(m.ratePerSec).toBe(RATE);
    expect(m.concurrency).toBe(s.concurrency);
    expect(m.dropped).toBe(0);
    expect(m.errors).toEqual({});
    expect(m.timeline.reduce((a, p) => a + p.ops, 0)).toBe(RATE);
    // What the servers received.
    expect(inboxTotal(forShards)).toBe(RATE);
    expect(inboxTotal(forSingle)).toBe(RATE);
  });

  it('no user was used by two shards: each mailbox holds mail of one shard, the one the users split names', () => {
    const runIds = shards.map((r) => r.bench!.shard!.runId);
    expect(new Set(runIds).size).toBe(4);
    const byUser = prefixesByUser(forShards);
    byUser.forEach((prefixes, u) => {
      // User u belongs to shard u mod 4: its mailbox has mail from that shard's run and part only.
      expect([u, [...prefixes]]).toEqual([u, [`${runIds[u % 4]}.${u % 4}`]]);
    });
    shards.forEach((r, k) => {
      expect(r.bench!.shard!.users).toEqual({ count: 2, names: [forShards.users[k]!.address, forShards.users[k + 4]!.address] });
    });
    expect(JSON.stringify(shards)).not.toContain('-secret');
  });
});

describe('two shards of two worker threads each', () => {
  it('threads take sub-parts: shard k, thread w is part k + 2w; users and Message-IDs stay apart', async () => {
    const startAt = new Date(Date.now() + startLeadMs(2) + 1000).toISOString();
    const users = await usersFile(forWorkers, 'worker-users.txt');
    const files = [0, 1].map((i) => join(dir, `w-${i}.json`));
    const results = await Promise.all(files.map((f, i) => runMailprobe([...load(forWorkers, users, startAt), '--shard', `${i}/2`, '--workers', '2', '--json', f])));
    for (const r of results) expect(r.code, r.stderr + r.stdout).toBe(0);
    const shards = await Promise.all(files.map(readReport));
    for (const r of shards) {
      expect(r.bench!.workers).toBe(2);
      expect(r.bench!.metrics['iteration']!.count).toBe(RATE / 2);
      // The threads' seconds, merged in the shard, keep their histograms for the merge.
      expect(r.bench!.timeline.every((p) => typeof p.hdr === 'string')).toBe(true);
    }
    const io = fakeIo();
    expect(await merge([...files, '--json', '-'], io)).toBe(0);
    expect((JSON.parse(io.out()) as Report).bench!.metrics['iteration']!.count).toBe(RATE);
    expect(inboxTotal(forWorkers)).toBe(RATE);
    const runIds = shards.map((r) => r.bench!.shard!.runId);
    // User u → part u mod 4 = shard (u mod 2) + 2 × thread: one shard, one thread, per mailbox.
    prefixesByUser(forWorkers).forEach((prefixes, u) => {
      expect([u, [...prefixes]]).toEqual([u, [`${runIds[u % 2]}.${u % 4}`]]);
    });
  }, 40_000);
});
