/**
 * Every scenario against the lab's Postfix and Dovecot for a second or two, with zero errors.
 * Mail goes to lab users only and is removed afterwards (only what carries the bench header).
 * Each scenario uses its own user so nothing here waits on another test's mailbox.
 */
import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BenchReport } from '../../engine/report-types.js';
import { run } from '../../bin/commands/bench.js';
import { MailprobeError } from '../../drivers/errors.js';
import { fakeIo } from '../helpers/cli.js';
import { bench } from './helpers/bench-cli.js';
import { countBenchMail, removeBenchMail } from './helpers/lab-cleanup.js';

const lab = inject('lab');
const [alice, bob, carol] = [lab.users[0]!, lab.users[1]!, lab.users[2]!];
const tls = ['--ca', lab.rootCaPath, '--servername', lab.servername];
const url = (scheme: string, host: string, port: number): string => `${scheme}://${host}:${port}`;
const usersFile = join(tmpdir(), `bench-users-${process.pid}.txt`);

afterAll(async () => {
  await rm(usersFile, { force: true });
});

function noErrors(b: BenchReport): void {
  expect(b.errors).toEqual({});
  for (const [name, m] of Object.entries(b.metrics)) expect([name, m.errors]).toEqual([name, 0]);
  expect(b.metrics['iteration']!.count).toBeGreaterThan(0);
}

describe('bench scenarios against the lab (Postfix + Dovecot)', () => {
  it('smtp-send to the MX port with STARTTLS and PIPELINING, mail to bob', async () => {
    try {
      const r = await bench([url('smtp', lab.hosts.smtp, lab.ports.smtp), '--scenario', 'smtp-send', '--rcpt', bob.user, '--concurrency', '2', '--messages', '30', '--messages-per-session', '10', ...tls]);
      expect(r.code).toBe(0);
      const b = r.report.bench!;
      noErrors(b);
      expect(b.metrics['iteration']!.count).toBe(30);
      expect(Object.keys(b.metrics)).toEqual(expect.arrayContaining(['smtp.connect', 'smtp.greeting', 'smtp.ehlo', 'smtp.starttls', 'smtp.tls', 'smtp.mail', 'smtp.rcpt', 'smtp.data_cmd', 'smtp.data', 'smtp.quit']));
      expect(b.metrics['smtp.auth']).toBeUndefined();
      expect(r.report.server[url('smtp', lab.hosts.smtp, lab.ports.smtp)]!.capabilities).toContain('PIPELINING');
    } finally {
      expect(await removeBenchMail(lab, bob, { expect: 30 })).toBe(30);
    }
  });

  it('smtp-send to submission: STARTTLS required by the server, AUTH as the user, mail to itself', async () => {
    try {
      const r = await bench([url('submission', lab.hosts.smtp, lab.ports.submission), '--scenario', 'smtp-send', '--user', bob.user, '--rate', '10', '--duration', '1s', ...tls], { env: { MAILPROBE_PASSWORD: bob.password } });
      expect(r.code).toBe(0);
      noErrors(r.report.bench!);
      expect(r.report.bench!.metrics['smtp.auth']!.count).toBe(10);
      expect(JSON.stringify(r.report)).not.toContain(bob.password);
    } finally {
      await removeBenchMail(lab, bob, { expect: 10 });
    }
  });

  it('imap-session: login, select and the whole command mix, for several users', async () => {
    await writeFile(usersFile, `${alice.user}:${alice.password}\n${carol.user}:${carol.password}\n`);
    const before = await countBenchMail(lab, alice);
    const mix = 'append,fetch,fetch-body,search,store,idle,noop,status,list,expunge';
    const r = await bench([url('imap', lab.hosts.imap, lab.ports.imap), '--scenario', 'imap-session', '--users', usersFile, '--concurrency', '2', '--duration', '1500ms', '--messages-per-session', '3', '--mix', mix, ...tls]);
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    noErrors(b);
    for (const m of ['imap.greeting', 'imap.starttls', 'imap.tls', 'imap.login', 'imap.select', 'imap.append', 'imap.fetch', 'imap.fetch_body', 'imap.search', 'imap.store', 'imap.idle', 'imap.noop', 'imap.status', 'imap.list', 'imap.expunge', 'imap.logout']) {
      expect(b.metrics[m]?.count, m).toBeGreaterThan(0);
    }
    // Every APPEND was expunged again.
    expect(await countBenchMail(lab, alice)).toBe(before);
  });

  it('imap-session --pipeline: a round of read and flag commands in one write', async () => {
    const mix = 'fetch,fetch-body,search,store,noop,status,list';
    const r = await bench([url('imaps', lab.hosts.imap, lab.ports.imaps), '--scenario', 'imap-session', '--user', alice.user, '--pipeline', '--concurrency', '2', '--duration', '1s', '--messages-per-session', '5', '--mix', mix, ...tls], { env: { MAILPROBE_PASSWORD: alice.password } });
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    noErrors(b);
    const rounds = b.metrics['iteration']!.count;
    for (const m of ['imap.fetch', 'imap.fetch_body', 'imap.search', 'imap.store', 'imap.noop', 'imap.status', 'imap.list']) {
      // The mailbox may be empty (then fetch and store have nothing to act on); the rest run every round.
      if (m === 'imap.fetch' || m === 'imap.fetch_body' || m === 'imap.store') expect(b.metrics[m]?.count ?? 0, m).toBeLessThanOrEqual(rounds);
      else expect(b.metrics[m]?.count, m).toBe(rounds);
    }
  });

  it('pop3-session over POP3S: USER/PASS, STAT, LIST, UIDL, RETR, QUIT', async () => {
    const r = await bench([url('pop3s', lab.hosts.pop3, lab.ports.pop3s), '--scenario', 'pop3-session', '--user', carol.user, '--concurrency', '2', '--duration', '1s', ...tls], { env: { MAILPROBE_PASSWORD: carol.password } });
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    noErrors(b);
    for (const m of ['pop3.connect', 'pop3.tls', 'pop3.greeting', 'pop3.user', 'pop3.pass', 'pop3.stat', 'pop3.list', 'pop3.uidl', 'pop3.quit']) expect(b.metrics[m]?.count, m).toBeGreaterThan(0);
    expect(b.metrics['session']!.count).toBe(b.metrics['iteration']!.count);
  });

  it('e2e: submission → Postfix → LMTP → Dovecot, seen by IMAP IDLE, timed as e2e.delivery', async () => {
    const r = await bench(
      [url('submission', lab.hosts.smtp, lab.ports.submission), url('imaps', lab.hosts.imap, lab.ports.imaps), '--scenario', 'e2e', '--user', carol.user, '--rate', '5', '--duration', '1s', '--delivery-timeout', '15s', ...tls],
      { env: { MAILPROBE_PASSWORD: carol.password } },
    );
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    noErrors(b);
    expect(b.metrics['iteration']!.count).toBe(5);
    expect(b.metrics['e2e.delivery']).toMatchObject({ count: 5, errors: 0 });
    expect(b.metrics['e2e.delivery']!.latencyMs.p50).toBeGreaterThan(0);
    // The watcher removed what it saw.
    expect(await countBenchMail(lab, carol)).toBe(0);
  }, 30_000);

  it('e2e: a watcher that cannot log in is a configuration error, before any load', async () => {
    await expect(
      run([url('smtp', lab.hosts.smtp, lab.ports.smtp), url('imaps', lab.hosts.imap, lab.ports.imaps), '--scenario', 'e2e', '--user', alice.user, '--rate', '1', '--duration', '1s', ...tls], fakeIo({ MAILPROBE_PASSWORD: 'wrong' })),
    ).rejects.toSatisfy((e: unknown) => e instanceof MailprobeError && e.code === 'ECONFIG' && /cannot watch .* as alice@/.test(e.message) && !e.message.includes('wrong'));
  });

  it('e2e: MX port → mailbox, seen by POP3 polling', async () => {
    const r = await bench(
      [url('smtp', lab.hosts.smtp, lab.ports.smtp), url('pop3', lab.hosts.pop3, lab.ports.pop3), '--scenario', 'e2e', '--user', alice.user, '--rate', '4', '--duration', '1s', '--poll', '100ms', '--delivery-timeout', '15s', ...tls],
      { env: { MAILPROBE_PASSWORD: alice.password } },
    );
    expect(r.code).toBe(0);
    const b = r.report.bench!;
    noErrors(b);
    expect(b.metrics['e2e.delivery']).toMatchObject({ count: 4, errors: 0 });
    expect(b.metrics['smtp.auth']).toBeUndefined();
    expect(await countBenchMail(lab, alice)).toBe(0);
  }, 30_000);
});
