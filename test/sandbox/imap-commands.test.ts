/**
 * IMAP commands one by one against the sandbox, parsed with mailprobe's own IMAP driver: FETCH
 * sections and structures, SEARCH keys, mailbox management, APPEND/COPY with UIDPLUS, literals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapClient } from '../../drivers/imap/client.js';
import { literal } from '../../drivers/imap/command-encoder.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { imapLogin } from './helpers.js';

let sb: Sandbox;
let c: ImapClient;

const MULTIPART = [
  'From: "Doe, Jane" <jane@example.org>',
  'To: team: a@example.org, "B" <b@example.org>;, c@example.org',
  'Subject: multipart test',
  'Date: Tue, 2 Jan 2024 10:00:00 +0000',
  'Message-ID: <mp@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XYZ"',
  '',
  'preamble',
  '--XYZ',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'first part line 1',
  'line 2',
  '--XYZ',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'From: inner@example.org',
  '',
  'inner body',
  '--XYZ--',
  'epilogue',
  '',
].join('\r\n');

beforeAll(async () => {
  sb = await startSandbox({ seed: false });
  c = await imapLogin(sb);
  await c.create('work');
  await c.append('work', 'Subject: one\r\nFrom: a@example.org\r\nTo: x@example.org\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nhello world\r\n', { flags: ['\\Seen'], internalDate: '"01-Jan-2024 12:00:00 +0000"' });
  await c.append('work', MULTIPART, { internalDate: '"02-Jan-2024 12:00:00 +0100"' });
  await c.append('work', `Subject: big\r\n\r\n${'y'.repeat(5000)}\r\n`, { flags: ['\\Flagged', '$Important'] });
  await c.select('work');
});
afterAll(async () => {
  c.destroy();
  await sb.stop();
});

const raw = (r: { untagged: { raw: Buffer }[] }): string => r.untagged.map((u) => u.raw.toString('utf8')).join('');

describe('FETCH', () => {
  it('returns sections, partials and header fields', async () => {
    const f = await c.fetch('2', '(BODY.PEEK[HEADER.FIELDS (subject date)] BODY.PEEK[1] BODY.PEEK[2.HEADER] BODY.PEEK[1.MIME] BODY.PEEK[TEXT]<0.8>)');
    const b = f.messages[0]!.attributes.bodies;
    expect(b.get('BODY[HEADER.FIELDS (SUBJECT DATE)]')?.bytes?.toString()).toBe('Subject: multipart test\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\n');
    expect(b.get('BODY[1]')?.bytes?.toString()).toBe('first part line 1\r\nline 2');
    expect(b.get('BODY[2.HEADER]')?.bytes?.toString()).toBe('Subject: inner\r\nFrom: inner@example.org\r\n\r\n');
    expect(b.get('BODY[1.MIME]')?.bytes?.toString()).toBe('Content-Type: text/plain; charset=utf-8\r\n\r\n');
    const partial = b.get('BODY[TEXT]');
    expect(partial?.origin).toBe(0);
    expect(partial?.bytes?.toString()).toBe('preamble');
    const not = await c.fetch('1', 'BODY.PEEK[HEADER.FIELDS.NOT (Subject From To)]');
    expect(not.messages[0]!.attributes.bodies.get('BODY[HEADER.FIELDS.NOT (SUBJECT FROM TO)]')?.bytes?.toString()).toBe('Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n');
  });

  it('describes ENVELOPE, BODYSTRUCTURE, INTERNALDATE and RFC822.SIZE', async () => {
    const f = await c.fetch('2', 'ALL');
    const a = f.messages[0]!.attributes;
    expect(a.internalDate).toBe('02-Jan-2024 11:00:00 +0000');
    expect(a.rfc822Size).toBe(Buffer.byteLength(MULTIPART));
    expect(a.envelope?.subject).toBe('multipart test');
    expect(a.envelope?.from).toEqual([{ name: 'Doe, Jane', adl: null, mailbox: 'jane', host: 'example.org' }]);
    expect(a.envelope?.sender).toEqual(a.envelope?.from);
    expect(a.envelope?.to?.map((x) => x.mailbox)).toEqual(['team', 'a', 'b', null, 'c']);
    expect(a.envelope?.messageId).toBe('<mp@example.org>');
    const s = raw(await c.fetch('2', 'BODYSTRUCTURE'));
    expect(s).toContain('BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 25 2 NIL NIL NIL NIL)("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ');
    expect(s).toMatch(/"MIXED" \("BOUNDARY" "XYZ"\) NIL NIL NIL\)\)\r\n$/);
  });

  it('sets \\Seen on BODY[] and reports the flag; UID FETCH always includes UID', async () => {
    const f = await c.fetch('3', 'BODY[]<0.5>', { uid: true });
    const a = f.messages[0]!.attributes;
    expect(a.uid).toBe(3);
    expect(a.flags).toEqual(expect.arrayContaining(['\\Seen', '\\Flagged', '$Important']));
    expect(a.bodies.get('BODY[]')?.bytes?.toString()).toBe('Subje');
  });

  it('answers BAD for sequence numbers past the end and for malformed items', async () => {
    expect((await c.fetch('9', 'FLAGS')).status).toBe('BAD');
    expect((await c.fetch('1', 'BODY[NOPE]')).status).toBe('BAD');
    expect((await c.fetch('1:*', '(FLAGS')).status).toBe('BAD');
    expect((await c.fetch('99:100', 'FLAGS', { uid: true })).status).toBe('OK');
  });
});

describe('SEARCH', () => {
  it.each([
    ['ALL', [1, 2, 3]],
    ['SEEN', [1, 3]],
    ['UNSEEN', [2]],
    ['FLAGGED', [3]],
    ['KEYWORD $Important', [3]],
    ['SUBJECT multipart', [2]],
    ['FROM jane', [2]],
    ['TO x@example.org', [1]],
    ['HEADER Message-ID <mp@example.org>', [2]],
    ['BODY "hello WORLD"', [1]],
    ['TEXT inner', [2]],
    ['LARGER 4000', [3]],
    ['SMALLER 200', [1]],
    ['SINCE 2-Jan-2024', [2, 3]],
    ['BEFORE 2-Jan-2024', [1]],
    ['SENTON 1-Jan-2024', [1]],
    ['NOT SEEN', [2]],
    ['OR FLAGGED SUBJECT one', [1, 3]],
    ['2:3 (NOT FLAGGED)', [2]],
    ['UID 1,3', [1, 3]],
    ['CHARSET UTF-8 SUBJECT big', [3]],
  ])('SEARCH %s', async (criteria, ids) => {
    expect((await c.search(criteria)).ids).toEqual(ids);
  });

  it('answers NO [BADCHARSET] for an unknown charset and BAD for unknown keys', async () => {
    const r = await c.search('CHARSET KOI8-R ALL');
    expect(r.status).toBe('NO');
    expect(r.code?.name).toBe('BADCHARSET');
    expect((await c.search('NOSUCHKEY')).status).toBe('BAD');
  });
});

describe('mailboxes', () => {
  it('LIST with special-use and child attributes, NAMESPACE, LSUB', async () => {
    await c.create('parent/child');
    const list = await c.list('', '*');
    const byName = new Map(list.mailboxes.map((m) => [m.mailbox, m.flags]));
    expect(byName.get('INBOX')).toContain('\\HasNoChildren');
    expect(byName.get('Sent')).toContain('\\Sent');
    expect(byName.get('Trash')).toContain('\\Trash');
    expect(byName.get('parent')).toContain('\\HasChildren');
    expect([...byName.keys()]).toContain('parent/child');
    expect((await c.list('', '%')).mailboxes.map((m) => m.mailbox)).not.toContain('parent/child');
    expect((await c.list('parent/', '%')).mailboxes.map((m) => m.mailbox)).toEqual(['parent/child']);
    expect(raw(await c.list('', ''))).toBe('* LIST (\\Noselect) "/" ""\r\n');
    expect(raw(await c.command('NAMESPACE'))).toBe('* NAMESPACE (("" "/")) NIL NIL\r\n');
    expect((await c.list('', '*', { lsub: true })).mailboxes.map((m) => m.mailbox)).toContain('Drafts');
  });

  it('CREATE, RENAME (children follow), DELETE, STATUS', async () => {
    expect((await c.create('INBOX')).status).toBe('NO');
    expect((await c.create('a/b')).status).toBe('OK');
    expect((await c.create('a/b')).code?.name).toBe('ALREADYEXISTS');
    expect((await c.rename('a', 'z')).status).toBe('OK');
    expect((await c.list('', 'z*')).mailboxes.map((m) => m.mailbox)).toEqual(['z', 'z/b']);
    expect((await c.deleteMailbox('z')).status).toBe('OK'); // becomes \Noselect: it has a child
    expect((await c.list('', 'z')).mailboxes[0]?.flags).toContain('\\Noselect');
    expect((await c.deleteMailbox('z/b')).status).toBe('OK');
    expect((await c.deleteMailbox('nope')).code?.name).toBe('NONEXISTENT');
    const st = await c.status('work', ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'RECENT']);
    expect(st.mailboxStatus).toMatchObject({ messages: 3, uidNext: 4, unseen: 1 });
  });

  it('APPEND to a missing mailbox says TRYCREATE; COPY gives COPYUID', async () => {
    const missing = await c.append('missing', 'Subject: x\r\n\r\nx\r\n');
    expect(missing.code?.name).toBe('TRYCREATE');
    await c.create('copies');
    const copy = await c.copy('1:2', 'copies');
    expect(copy.copyUid).toMatchObject({ sourceUids: '1:2', destinationUids: '1:2' });
    const uidCopy = await c.copy('3,1', 'copies', { uid: true });
    expect(uidCopy.copyUid).toMatchObject({ sourceUids: '1,3', destinationUids: '3:4' });
    expect((await c.copy('1', 'nowhere')).code?.name).toBe('TRYCREATE');
  });

  it('takes synchronising and non-synchronising literals', async () => {
    const sync = await c.command('STATUS', [literal('work', { mode: 'sync' }), '(MESSAGES)']);
    expect(sync.status).toBe('OK');
    expect(sync.continuations).toHaveLength(1);
    const plus = await c.command('STATUS', [literal('work', { mode: 'nonsync' }), '(MESSAGES)']);
    expect(plus.status).toBe('OK');
    expect(plus.continuations).toHaveLength(0);
  });

  it('ID, ENABLE and UNSELECT', async () => {
    expect((await c.command('ID', ['NIL'])).status).toBe('OK');
    expect((await c.command('ID', ['("name" "test" "version" NIL)'])).status).toBe('OK');
    expect((await c.command('ID', ['("a" "b"'])).status).toBe('BAD');
    expect((await c.unselect()).status).toBe('OK');
    const en = await c.enable(['CONDSTORE']);
    expect(en.status).toBe('OK');
    expect(en.enabled).toEqual([]);
    expect((await c.command('FETCH', ['1', 'FLAGS'])).status).toBe('BAD');
    await c.select('work');
  });
});
