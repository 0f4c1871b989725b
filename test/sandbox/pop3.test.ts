/**
 * POP3 with mailprobe's POP3 driver: passwords only after STLS, maildrop locking ([IN-USE]),
 * DELE/RSET and the UPDATE state on QUIT only, TOP, UIDL, byte-stuffing, SASL PLAIN, pipelining.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPop3 } from '../../drivers/connect.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { imapLogin, pop3Login, tlsOf, TIMEOUTS, user } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ pop3Lock: 'exclusive' });
});
afterAll(() => sb.stop());

describe('POP3', () => {
  it('offers USER and SASL only after STLS', async () => {
    const c = await connectPop3(sb.urls.pop3, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    const before = await c.capa();
    expect([...before.capabilities.keys()]).toEqual(expect.arrayContaining(['STLS', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING']));
    expect(before.capabilities.has('USER')).toBe(false);
    const refused = await c.user(user(sb).address);
    expect(refused.ok).toBe(false);
    expect(refused.text).toMatch(/^\[AUTH\]/);
    const stls = await c.stls();
    expect(stls.upgraded && stls.tls.verified).toBe(true);
    const after = await c.capa();
    expect(after.capabilities.has('STLS')).toBe(false);
    expect(after.capabilities.get('SASL')).toEqual(['PLAIN']);
    expect((await c.user(user(sb).address)).ok).toBe(true);
    expect((await c.pass(user(sb).password)).ok).toBe(true);
    expect((await c.capa()).capabilities.has('USER')).toBe(true);
    await c.quit();
  });

  it('locks the maildrop: a second session gets [IN-USE] until the first quits', async () => {
    const first = await pop3Login(sb);
    const second = await connectPop3(sb.urls.pop3s, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    const r = await second.authPlain(user(sb).address, user(sb).password);
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/^\[IN-USE\]/);
    await first.quit();
    expect((await second.authPlain(user(sb).address, user(sb).password)).ok).toBe(true);
    await second.quit();
  });

  it('a dropped connection releases the lock without deleting', async () => {
    const c = await pop3Login(sb, 1);
    const { drop } = await c.stat();
    expect((await c.dele(1)).ok).toBe(true);
    c.destroy();
    // The server notices the close a moment later; until then the maildrop is still locked.
    let again: Awaited<ReturnType<typeof pop3Login>> | undefined;
    for (let i = 0; i < 50 && !again; i++) {
      await new Promise((r) => setTimeout(r, 50));
      again = await pop3Login(sb, 1).catch(() => undefined);
    }
    if (!again) throw new Error('the maildrop stayed locked');
    expect((await again.stat()).drop).toEqual(drop);
    await again.quit();
  });

  it('DELE marks, RSET unmarks, QUIT removes (and IMAP sees it gone)', async () => {
    const c = await pop3Login(sb, 1);
    const before = (await c.stat()).drop!;
    const uidl = await c.uidl();
    expect((await c.dele(2)).ok).toBe(true);
    expect((await c.retr(2)).ok).toBe(false);
    expect((await c.stat()).drop!.count).toBe(before.count - 1);
    expect((await c.rset()).ok).toBe(true);
    expect((await c.stat()).drop).toEqual(before);
    await c.dele(2);
    expect((await c.quit()).text).toMatch(/1 message\(s\) deleted/);
    const next = await pop3Login(sb, 1);
    const remaining = (await next.uidl()).entries.map((e) => e.uid);
    expect(remaining).toEqual(uidl.entries.filter((e) => e.msg !== 2).map((e) => e.uid));
    await next.quit();
    const imap = await imapLogin(sb, 1);
    expect((await imap.status('INBOX', ['MESSAGES'])).mailboxStatus?.messages).toBe(before.count - 1);
    imap.destroy();
  });

  it('RETR byte-stuffs lines starting with a dot; TOP returns header and n lines', async () => {
    const c = await pop3Login(sb);
    const list = await c.list(1);
    const retr = await c.retr(1);
    // Stuffed on the wire (more bytes than content), nothing left unstuffed.
    expect(retr.body!.wireBytes).toBeGreaterThan(retr.body!.contentBytes + 5);
    expect(retr.body!.unstuffedDotLines).toBe(0);
    expect(retr.message?.length).toBe(list.entries[0]?.octets);
    expect(retr.message?.toString()).toContain('\r\n.This line starts with a dot');
    const top = await c.top(1, 2);
    const text = top.message!.toString();
    expect(text).toMatch(/\r\n\r\nWelcome to the mailprobe sandbox\.\r\n\.This line/);
    expect(text.split('\r\n\r\n')[1]!.split('\r\n').filter((l) => l !== '')).toHaveLength(2);
    await c.quit();
  });

  it('AUTH PLAIN after "+ ", "*" cancels; pipelined commands answered in order', async () => {
    const c = await connectPop3(sb.urls.pop3s, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    const cancelled = await c.authPlain(user(sb).address, 'x', { initialResponse: false });
    expect(cancelled.ok).toBe(false);
    const ok = await c.authPlain(user(sb).address, user(sb).password, { initialResponse: false });
    expect(ok.text).toMatch(/^Logged in/);
    const replies = await c.pipeline(['STAT', 'LIST', 'RETR 0', 'NOOP', 'UIDL 1', 'LIST 99999']);
    expect(replies.map((r) => r.ok)).toEqual([true, true, false, true, true, false]);
    await c.quit();
  });
});
