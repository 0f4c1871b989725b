/**
 * IMAP across sessions: IDLE pushes new mail and expunges; another session's EXPUNGE reaches a
 * session only when the protocol allows (never while answering FETCH, STORE or SEARCH: RFC 9051
 * §7.5.1), flag changes and new mail at the next command; LOGINDISABLED before TLS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectImap } from '../../drivers/connect.js';
import type { ImapClient } from '../../drivers/imap/client.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { imapLogin, send, tlsOf, TIMEOUTS, user } from './helpers.js';

let sb: Sandbox;
const open: ImapClient[] = [];
beforeAll(async () => {
  sb = await startSandbox({ seed: false });
});
afterAll(() => sb.stop());
afterEach(async () => {
  for (const c of open.splice(0)) c.destroy();
});

async function session(i = 0): Promise<ImapClient> {
  const c = await imapLogin(sb, i);
  open.push(c);
  return c;
}

const lines = (r: { untagged: { raw: Buffer }[] }): string[] => r.untagged.map((u) => u.raw.toString('latin1').trimEnd());

async function scratch(c: ImapClient, name: string, count: number): Promise<void> {
  expect((await c.create(name)).status).toBe('OK');
  for (let i = 1; i <= count; i++) expect((await c.append(name, `Subject: message ${i}\r\n\r\nbody ${i}\r\n`)).status).toBe('OK');
}

describe('IMAP sessions', () => {
  it('LOGINDISABLED before STARTTLS: LOGIN is refused, and allowed after', async () => {
    const c = await connectImap(sb.urls.imap, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    open.push(c);
    expect(c.greeting.status).toBe('OK');
    const caps = (await c.capability()).capabilities!;
    expect(caps).toEqual(expect.arrayContaining(['IMAP4rev1', 'STARTTLS', 'LOGINDISABLED']));
    expect(caps.some((x) => x.startsWith('AUTH='))).toBe(false);
    const refused = await c.login(user(sb).address, user(sb).password);
    expect(refused.status).toBe('NO');
    expect(refused.code?.name).toBe('PRIVACYREQUIRED');
    expect((await c.select('INBOX')).status).toBe('BAD');
    const tls = await c.starttls();
    expect(tls.upgraded && tls.tls.verified).toBe(true);
    const after = (await c.capability()).capabilities!;
    expect(after).toContain('AUTH=PLAIN');
    expect(after).not.toContain('STARTTLS');
    expect(after).not.toContain('LOGINDISABLED');
    expect((await c.authenticatePlain(user(sb).address, user(sb).password)).status).toBe('OK');
  });

  it('IDLE pushes EXISTS for new mail and EXPUNGE for another session’s expunge', async () => {
    const watcher = await session(1);
    await watcher.select('INBOX');
    const start = await watcher.idle();
    if (!start.started) throw new Error('IDLE refused');
    expect(await send(sb, user(sb, 1).address, 'Subject: idle push\r\n\r\nhello\r\n')).toBe(250);
    const pushed = await start.session.next(3000);
    expect(pushed.kind === 'untagged' && pushed.response.kind === 'exists').toBe(true);

    const other = await session(1);
    await other.select('INBOX');
    const n = (await other.search('ALL')).ids.length;
    await other.store(String(n), '+FLAGS.SILENT', '(\\Deleted)');
    await other.expunge();
    const events: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e = await start.session.next(3000);
      if (e.kind !== 'untagged') break;
      events.push(e.response.raw.toString('latin1').trim());
      if (e.response.kind === 'expunge') break;
    }
    expect(events).toContain(`* ${n} EXPUNGE`);
    const done = await start.session.done();
    expect(done.status).toBe('OK');
  });

  it('holds EXPUNGE back during FETCH, STORE and SEARCH, and sends it at NOOP', async () => {
    const a = await session();
    await scratch(a, 'multi', 3);
    const b = await session();
    expect((await a.select('multi')).status).toBe('OK');
    expect((await b.select('multi')).status).toBe('OK');
    await b.store('2', '+FLAGS.SILENT', '(\\Deleted)');
    const expunged = await b.expunge();
    expect(expunged.expunged).toEqual([2]);

    const fetch = await a.fetch('1:3', '(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    expect(lines(fetch).some((l) => l.includes('EXPUNGE'))).toBe(false);
    // The expunged message is still addressable by this session until it is told (an
    // unsolicited FETCH of its new \Deleted flag may come along).
    expect(fetch.messages.filter((m) => m.attributes.bodies.size > 0).map((m) => m.seq)).toEqual([1, 2, 3]);
    const search = await a.search('ALL');
    expect(search.ids).toEqual([1, 2, 3]);
    expect(lines(search).some((l) => l.includes('EXPUNGE'))).toBe(false);
    const store = await a.store('3', '+FLAGS', '(\\Flagged)');
    expect(lines(store).some((l) => l.includes('EXPUNGE'))).toBe(false);
    expect(store.messages[0]?.seq).toBe(3);

    const noop = await a.noop();
    expect(lines(noop)).toContain('* 2 EXPUNGE');
    const after = await a.fetch('1:*', '(UID)');
    expect(after.messages.map((m) => m.seq)).toEqual([1, 2]);
    // b sees a's \Flagged on what is now message 2
    expect(lines(await b.noop())).toContainEqual(expect.stringMatching(/^\* 2 FETCH \(UID \d+ FLAGS \(\\Flagged\)\)$/));
  });

  it('announces another session’s APPEND with EXISTS and RECENT, and flag changes with FETCH', async () => {
    const a = await session();
    await scratch(a, 'announce', 1);
    const b = await session();
    await a.select('announce');
    await b.select('announce');
    expect((await b.append('announce', 'Subject: new\r\n\r\nnew\r\n')).appendUid?.uid).toBe(2);
    await b.store('1', '+FLAGS.SILENT', '(\\Answered $Label)');
    const seen = lines(await a.noop());
    expect(seen).toContain('* 2 EXISTS');
    // a selected first, so it holds \Recent for both (RFC 3501 §2.3.2).
    expect(seen).toContain('* 2 RECENT');
    expect(seen).toContainEqual(expect.stringMatching(/^\* 1 FETCH \(UID 1 FLAGS \(.*\\Answered.*\)\)$/));
    const flags = await a.fetch('2', '(FLAGS)');
    expect(flags.messages[0]?.attributes.flags).toContain('\\Recent');
  });

  it('EXAMINE is read-only: STORE refused, BODY[] does not set \\Seen', async () => {
    const a = await session();
    await scratch(a, 'readonly', 1);
    const ex = await a.examine('readonly');
    expect(ex.code?.name).toBe('READ-ONLY');
    expect((await a.store('1', '+FLAGS', '(\\Flagged)')).status).toBe('NO');
    await a.fetch('1', 'BODY[]');
    const b = await session();
    await b.examine('readonly');
    expect((await b.fetch('1', '(FLAGS)')).messages[0]?.attributes.flags).not.toContain('\\Seen');
    await b.select('readonly');
    await b.fetch('1', 'BODY[TEXT]');
    expect((await b.fetch('1', '(FLAGS)')).messages[0]?.attributes.flags).toContain('\\Seen');
  });

  it('MOVE sends COPYUID before the EXPUNGEs; CLOSE expunges silently', async () => {
    const a = await session();
    await scratch(a, 'from', 3);
    await a.create('to');
    await a.select('from');
    const moved = await a.move('1:2', 'to');
    expect(moved.copyUid).toMatchObject({ sourceUids: '1:2', destinationUids: '1:2' });
    expect(lines(moved).filter((l) => l.endsWith('EXPUNGE'))).toEqual(['* 1 EXPUNGE', '* 1 EXPUNGE']);
    await a.store('1', '+FLAGS.SILENT', '(\\Deleted)');
    const closed = await a.closeMailbox();
    expect(closed.status).toBe('OK');
    expect(lines(closed)).toEqual([]);
    expect((await a.status('from', ['MESSAGES'])).mailboxStatus?.messages).toBe(0);
    expect((await a.status('to', ['MESSAGES', 'UIDNEXT'])).mailboxStatus).toMatchObject({ messages: 2, uidNext: 3 });
  });
});
