import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../bin/main.js';
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
  it('lists checks with ids and references as JSON', async () => {
    const io = fakeIo();
    expect(await main(['list', '--json'], io)).toBe(0);
    const rows = JSON.parse(io.out()) as { id: string; ref: string }[];
    expect(rows.every((r) => /^(smtp|imap|pop3)\./.test(r.id) && r.ref.length > 0)).toBe(true);
  });
});
