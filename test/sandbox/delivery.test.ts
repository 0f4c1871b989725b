/**
 * Mail through the sandbox with mailprobe's own drivers: submission (STARTTLS + AUTH) delivers
 * into the store, IMAP and POP3 return the message byte-exact after the trace fields; the MX
 * port takes local mail without AUTH and relays nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSmtp } from '../../drivers/connect.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { imapLogin, pop3Login, send, submit, tlsOf, TIMEOUTS, user } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: false });
});
afterAll(() => sb.stop());

const message = (id: string): Buffer =>
  Buffer.from(
    `From: <${user(sb).address}>\r\nTo: <${user(sb, 1).address}>\r\nSubject: delivery ${id}\r\nMessage-ID: <${id}@test>\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nGrüße \u65e5\u672c\r\n${'x'.repeat(998)}\r\nend\r\n`,
    'utf8',
  );

describe('submission → IMAP and POP3', () => {
  it('delivers byte-exact after Return-Path and Received', async () => {
    const sent = message('exact');
    expect(await send(sb, user(sb, 1).address, sent)).toBe(250);

    const imap = await imapLogin(sb, 1);
    await imap.select('INBOX');
    const found = await imap.search('HEADER Message-ID <exact@test>', { uid: true });
    expect(found.ids).toHaveLength(1);
    const f = await imap.fetch(String(found.ids[0]), '(BODY.PEEK[] RFC822.SIZE)', { uid: true });
    const stored = f.messages[0]!.attributes.bodies.get('BODY[]')!.bytes!;
    expect(stored.subarray(stored.length - sent.length).equals(sent)).toBe(true);
    const trace = stored.subarray(0, stored.length - sent.length).toString('utf8');
    expect(trace).toMatch(/^Return-Path: <alice@sandbox\.mailprobe\.test>\r\nReceived: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby sandbox\.mailprobe\.test .* with ESMTPSA id [0-9A-F]+/);
    expect(f.messages[0]!.attributes.rfc822Size).toBe(stored.length);
    await imap.logout();
    await imap.close();

    const pop = await pop3Login(sb, 1);
    const list = await pop.uidl();
    const retr = await pop.retr(list.entries.length);
    expect(retr.message!.equals(stored)).toBe(true);
    await pop.quit();
  });

  it('accepts outside recipients from logged-in users and discards them (never relays)', async () => {
    const before = sb.store.stats.discarded;
    expect(await send(sb, 'someone@example.org', message('outside'))).toBe(250);
    expect(sb.store.stats.discarded).toBe(before + 1);
  });

  it('needs TLS before AUTH and AUTH before MAIL on the submission port', async () => {
    const c = await connectSmtp(sb.urls.submission, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    const ehlo = await c.ehlo('client.test');
    expect(ehlo.lines).toContain('STARTTLS');
    expect(ehlo.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
    expect((await c.mail(user(sb).address)).code).toBe(530);
    await c.starttls();
    const after = await c.ehlo('client.test');
    expect(after.lines).toContain('AUTH PLAIN LOGIN');
    expect(after.lines).not.toContain('STARTTLS');
    expect((await c.auth('LOGIN', { user: user(sb).address, password: 'wrong' })).code).toBe(535);
    expect((await c.auth('LOGIN', { user: user(sb).address, password: user(sb).password })).code).toBe(235);
    expect((await c.mail(user(sb).address)).code).toBe(250);
    await c.quit();
  });

  it('implicit TLS submission works the same', async () => {
    const c = await connectSmtp(sb.urls.submissions, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    expect(c.tls?.verified).toBe(true);
    const ehlo = await c.ehlo('client.test');
    expect(ehlo.lines).toContain('AUTH PLAIN LOGIN');
    expect(ehlo.lines).not.toContain('STARTTLS');
    await c.quit();
  });
});

describe('MX port', () => {
  it('takes local mail without AUTH, refuses relaying and unknown users', async () => {
    const c = await connectSmtp(sb.urls.smtp, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    const ehlo = await c.ehlo('mx.example.org');
    for (const ext of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS']) expect(ehlo.lines).toContain(ext);
    expect(ehlo.lines.some((l) => /^SIZE \d+$/.test(l))).toBe(true);
    expect(ehlo.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
    expect((await c.mail('sender@example.org')).code).toBe(250);
    expect((await c.rcpt('victim@example.org')).code).toBe(550);
    expect((await c.rcpt(`nobody@${sb.servername}`)).code).toBe(550);
    expect((await c.rcpt(`PostMaster@${sb.servername.toUpperCase()}`)).code).toBe(250);
    expect((await c.rcpt(user(sb, 1).address)).code).toBe(250);
    const d = await c.data('Subject: from outside\r\n\r\nhello\r\n');
    expect(d.reply?.code).toBe(250);
    expect(d.reply?.enhanced).toMatch(/^2\.\d\.\d$/);
    await c.quit();
  });

  it('refuses a declared SIZE over the limit and a non-ASCII sender without SMTPUTF8', async () => {
    const c = await connectSmtp(sb.urls.smtp, { timeouts: TIMEOUTS });
    await c.ehlo('mx.example.org');
    expect((await c.mail('a@example.org', { SIZE: 10 * 1024 * 1024 + 1 })).code).toBe(552);
    expect((await c.mail('prüfung@example.org')).code).toBe(553);
    expect((await c.mail('prüfung@example.org', { SMTPUTF8: true })).code).toBe(250);
    await c.quit();
  });

  it('pipelines replies in order', async () => {
    const c = await connectSmtp(sb.urls.smtp, { timeouts: TIMEOUTS });
    await c.ehlo('mx.example.org');
    const replies = await c.pipeline(['MAIL FROM:<a@example.org>', `RCPT TO:<${user(sb).address}>`, 'RCPT TO:<x@example.org>', 'RSET']);
    expect(replies.map((r) => r.code)).toEqual([250, 250, 550, 250]);
    await c.quit();
  });
});

describe('AUTH on the submission port', () => {
  it('AUTH PLAIN with an initial response logs in once', async () => {
    const c = await submit(sb);
    expect((await c.auth('PLAIN', { user: user(sb).address, password: user(sb).password })).code).toBe(503);
    await c.quit();
  });
});
