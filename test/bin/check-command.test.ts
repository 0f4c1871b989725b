import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../bin/main.js';
import { ImapClient } from '../../drivers/imap/client.js';
import { fakeIo } from '../helpers/cli.js';
import { labUrl } from '../helpers/run-lab-checks.js';

const lab = inject('lab');

const SUITE = `suite: smtp/mine
protocol: smtp
checks:
  - id: smtp.mine.greeting
    title: greeting
    ref: RFC 5321 §4.2
    level: MUST
    steps:
      - expect: { code: 220 }
  - id: smtp.mine.noop
    title: noop answers 250
    ref: RFC 5321 §4.1.1.9
    level: MUST
    start: ehlo
    steps:
      - send: NOOP
        expect: { code: 250 }
`;

describe('mailprobe run', () => {
  it('runs a suite file against the lab and writes JSON, JUnit and Markdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-cli-'));
    const file = join(dir, 'mine.yaml');
    await writeFile(file, SUITE);
    const io = fakeIo();
    const code = await main(['run', file, labUrl('smtp'), '--ca', lab.rootCaPath, '--servername', lab.servername, '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml'), '--md', join(dir, 'r.md')], io);
    expect(code, io.out() + io.err()).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as { schemaVersion: number; command: string; summary: Record<string, number>; server: Record<string, { greeting: string }> };
    expect(report).toMatchObject({ schemaVersion: 1, command: 'run', summary: { pass: 2, fail: 0 } });
    expect(Object.values(report.server)[0]?.greeting).toMatch(/^220 /);
    expect(await readFile(join(dir, 'r.xml'), 'utf8')).toContain('<testsuites');
    expect(await readFile(join(dir, 'r.md'), 'utf8')).toContain('mailprobe');
  });

  it('points at file:line for a broken suite file, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-cli-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, SUITE.replace('level: MUST\n    start: ehlo', 'level: MUSTY\n    start: ehlo'));
    const io = fakeIo();
    expect(await main(['run', file, labUrl('smtp')], io)).toBe(2);
    expect(io.err()).toMatch(/bad\.yaml:13: .*level.*MUST, SHOULD, MAY/);
  });

  it('exits 4 when the target is unreachable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-cli-'));
    const file = join(dir, 'mine.yaml');
    await writeFile(file, SUITE);
    const io = fakeIo();
    expect(await main(['run', file, 'smtp://127.0.0.1:1', '--timeout', '2s'], io)).toBe(4);
  });
});

describe('mailprobe check: bad input is exit 2 with one clear line', () => {
  it.each([
    [['check'], /at least one target/],
    [['check', 'smtp://x.test', '--suite', 'nntp'], /--suite "nntp" is not one of/],
    [['check', 'smtp://x.test', '--user', 'a@b'], /MAILPROBE_PASSWORD/],
    [['check', 'smtp://x.test', '--user', 'a@b', '--password-env', 'NOPE_NOT_SET'], /NOPE_NOT_SET/],
    [['check', 'smtp://x.test', '--timeout', 'abc'], /not a duration/],
    [['check', 'smtp://x.test', '--json', '/nonexistent-dir/r.json'], /does not exist/],
    [['check', 'smtp://x.test', '--rcpt', 'nobody'], /not an address/],
    [['check', 'smtp://x.test', '--only', 'no.such.check'], /matches no check/],
    [['check', 'gopher://x.test'], /unknown scheme/],
    [['check', 'smtp://x.test', '--fail-on', 'sometimes'], /--fail-on/],
    [['check', 'smtp://x.test', '--ca', '/nonexistent.pem'], /cannot read/],
    [['check', 'smtp://x.test', '--frobnicate'], /Unknown option/],
    [['check', 'smtp://x.test', '--json', '/tmp'], /is a directory/],
    [['check', 'smtp://x.test', '--junit', '-'], /only --json can go to stdout/],
    [['check', 'smtp://x.test', '--timeout', '3000000'], /too long/],
    [['check', 'smtp://x.test', '--suite', 'imap'], /no check to run/],
  ])('%j', async (argv, message) => {
    const io = fakeIo({});
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});

describe('mailprobe list', () => {
  it('lists checks with ids, protocols and references as JSON, the interop checks included', async () => {
    const io = fakeIo();
    expect(await main(['list', '--json'], io)).toBe(0);
    const rows = JSON.parse(io.out()) as { id: string; protocol: string; ref: string }[];
    expect(rows.every((r) => /^(smtp|imap|pop3|interop)\./.test(r.id) && r.ref.length > 0 && ['smtp', 'imap', 'pop3'].includes(r.protocol))).toBe(true);
    expect(rows.filter((r) => r.id.startsWith('interop.')).map((r) => [r.id, r.protocol])).toEqual([
      ['interop.submit', 'smtp'],
      ['interop.imap-fetch', 'imap'],
      ['interop.pop3-retr', 'pop3'],
    ]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('--suite interop lists only the interop checks', async () => {
    const io = fakeIo();
    expect(await main(['list', '--suite', 'interop'], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROTOCOL\s+LEVEL\s+RFC\s+TITLE$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['interop.submit', 'smtp', 'MUST'],
      ['interop.imap-fetch', 'imap', 'MUST'],
      ['interop.pop3-retr', 'pop3', 'MUST'],
    ]);
    expect(lines.at(-1)).toBe('3 checks');
  });

  it('shows the protocol column and keeps the RFC column narrow: long references run into the title', async () => {
    const io = fakeIo();
    expect(await main(['list'], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    const json = fakeIo();
    await main(['list', '--json'], json);
    const rows = JSON.parse(json.out()) as { id: string; protocol: string; level: string; ref: string; title: string }[];
    expect(lines).toHaveLength(rows.length + 2);
    const refStart = lines[0]!.indexOf('RFC');
    const titleStart = lines[0]!.indexOf('TITLE');
    expect(titleStart - refStart).toBeLessThanOrEqual(30);
    rows.forEach((r, i) => {
      const line = lines[i + 1]!;
      expect(line.slice(0, refStart).split(/\s+/).filter(Boolean)).toEqual([r.id, r.protocol, r.level]);
      expect(line.slice(refStart).startsWith(r.ref)).toBe(true);
      // A short reference is padded to the column; a long one keeps two spaces before the title.
      expect(line.endsWith(r.title)).toBe(true);
      expect(line.indexOf(r.title, refStart + r.ref.length)).toBe(Math.max(titleStart, refStart + r.ref.length + 2));
    });
    expect(rows.some((r) => r.ref.length > titleStart - refStart)).toBe(true);
    expect(lines.at(-1)).toBe(`${rows.length} checks`);
  });
});

describe('--keep', () => {
  const KEEP = `suite: imap/keep
protocol: imap
checks:
  - id: imap.keep.create
    title: creates a scratch mailbox and deletes it in cleanup
    ref: RFC 9051 §6.3.4
    level: MUST
    needs: [login]
    start: authenticated
    steps:
      - send: CREATE mailprobe-keep-$uniq
        expect: { tagged: OK }
    cleanup:
      - send: DELETE mailprobe-keep-$uniq
`;

  async function scratchMailboxes(user: { user: string; password: string }, remove: boolean): Promise<string[]> {
    const c = await ImapClient.connect({ host: lab.hosts.imap, port: lab.ports.imaps, implicitTls: true, tls: { servername: lab.servername, ca: lab.rootCaPem } });
    try {
      expect((await c.login(user.user, user.password)).status).toBe('OK');
      const names = (await c.list('', 'mailprobe-keep-*')).mailboxes.map((m) => m.mailbox);
      if (remove) for (const name of names) expect((await c.deleteMailbox(name)).status).toBe('OK');
      await c.logout();
      return names;
    } finally {
      c.destroy();
    }
  }

  it('run skips the cleanup steps with --keep, and runs them without', async () => {
    const user = lab.users[2]!;
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-cli-'));
    const file = join(dir, 'keep.yaml');
    await writeFile(file, KEEP);
    const args = ['run', file, labUrl('imaps'), '--user', user.user, '--password-env', 'LAB_PASSWORD', '--ca', lab.rootCaPath, '--servername', lab.servername];
    const io = fakeIo({ LAB_PASSWORD: user.password });
    expect(await main(args, io), io.out() + io.err()).toBe(0);
    expect(await scratchMailboxes(user, false)).toEqual([]);
    const kept = fakeIo({ LAB_PASSWORD: user.password });
    expect(await main([...args, '--keep'], kept), kept.out() + kept.err()).toBe(0);
    // Still there; the test removes it itself.
    expect(await scratchMailboxes(user, true)).toEqual([expect.stringMatching(/^mailprobe-keep-[0-9a-f]{8}$/)]);
    expect(await scratchMailboxes(user, false)).toEqual([]);
  });

  it('is in the help of check and run', async () => {
    for (const command of ['check', 'run']) {
      const io = fakeIo();
      expect(await main([command, '--help'], io)).toBe(0);
      expect(io.out()).toContain('--keep');
    }
  });
});
