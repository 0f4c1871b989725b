import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../bin/main.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import type { CheckResult } from '../../engine/report-types.js';
import { runInterop } from '../../suites/interop/round-trip.js';
import { fakeIo } from '../helpers/cli.js';
import { labUrl } from '../helpers/run-lab-checks.js';

const lab = inject('lab');
const user = lab.users[2]!;

/** The Message-ID the submit step names in its transcript. */
function submittedId(results: readonly CheckResult[]): string {
  const submit = results.find((r) => r.id === 'interop.submit');
  const id = /Message-ID (<[^>\s]+@mailprobe\.invalid>)/.exec(JSON.stringify(submit?.transcript ?? []))?.[1];
  if (id === undefined) throw new Error(`no Message-ID in the submit transcript: ${JSON.stringify(submit)}`);
  return id;
}

/** Message numbers in the user's POP3 maildrop that carry `messageId`; with `remove`, DELE them and QUIT. */
async function pop3Find(messageId: string, options: { remove?: boolean } = {}): Promise<number[]> {
  const pop = await Pop3Client.connect({ host: lab.hosts.pop3, port: lab.ports.pop3s, implicitTls: true, tls: { servername: lab.servername, ca: lab.rootCaPem } });
  try {
    await pop.user(user.user);
    const login = await pop.pass(user.password);
    if (!login.ok) throw new Error(`POP3 login as ${user.user}: ${login.text}`);
    const found: number[] = [];
    for (const entry of (await pop.list()).entries) {
      const top = await pop.top(entry.msg, 0);
      if (top.message?.includes(`Message-ID: ${messageId}`)) found.push(entry.msg);
    }
    if (options.remove) for (const msg of found) expect((await pop.dele(msg)).ok).toBe(true);
    await pop.quit();
    return found;
  } finally {
    pop.destroy();
  }
}

describe('interop suite against Postfix and Dovecot', () => {
  it('nodemailer → Postfix → Dovecot → imapflow and POP3, byte-exact, and the message is deleted afterwards', async () => {
    const results = await runInterop({
      smtp: parseTarget(labUrl('submission')),
      imap: parseTarget(labUrl('imaps')),
      pop3: parseTarget(labUrl('pop3')),
      tls: { servername: lab.servername, ca: lab.rootCaPem },
      credentials: { user: user.user, password: secret(user.password) },
      rcpt: undefined,
      timeoutMs: 5000,
    });
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['interop.submit', 'pass', expect.stringMatching(/^accepted: 250/)],
      ['interop.imap-fetch', 'pass', expect.stringMatching(/^byte-exact; delivered in \d+ ms$/)],
      ['interop.pop3-retr', 'pass', expect.stringMatching(/^byte-exact/)],
    ]);
    expect(JSON.stringify(results)).not.toContain(user.password);
    expect(await pop3Find(submittedId(results))).toEqual([]);
  });

  it('without an IMAP target the message is deleted over POP3 (DELE, QUIT)', async () => {
    const results = await runInterop({
      smtp: parseTarget(labUrl('submission')),
      imap: undefined,
      pop3: parseTarget(labUrl('pop3')),
      tls: { servername: lab.servername, ca: lab.rootCaPem },
      credentials: { user: user.user, password: secret(user.password) },
      rcpt: undefined,
      timeoutMs: 5000,
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['interop.submit', 'pass'],
      ['interop.pop3-retr', 'pass'],
    ]);
    expect(await pop3Find(submittedId(results))).toEqual([]);
  });

  it('check --suite interop --keep leaves the message in the mailbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-interop-'));
    const io = fakeIo({ LAB_PASSWORD: user.password });
    const code = await main(
      ['check', labUrl('submission'), labUrl('pop3s'), '--suite', 'interop', '--keep', '--user', user.user, '--password-env', 'LAB_PASSWORD', '--ca', lab.rootCaPath, '--servername', lab.servername, '--json', join(dir, 'r.json')],
      io,
    );
    expect(code, io.out() + io.err()).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as { checks: CheckResult[] };
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['interop.submit', 'pass'],
      ['interop.pop3-retr', 'pass'],
    ]);
    const messageId = submittedId(report.checks);
    // Still there; the test removes it itself.
    expect(await pop3Find(messageId, { remove: true })).toHaveLength(1);
    expect(await pop3Find(messageId)).toEqual([]);
  });

  it('without a login it is inconclusive, not failed', async () => {
    const results = await runInterop({ smtp: parseTarget(labUrl('submission')), imap: undefined, pop3: undefined, tls: {}, credentials: undefined, rcpt: undefined, timeoutMs: 1000 });
    expect(results.map((r) => r.status)).toEqual(['inconclusive']);
  });
});
