import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Canned answers by command line, so each command's wire form and result typing are checked. */
const ANSWERS: Record<string, string> = {
  'A1 LIST "" "*"': '* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\Noselect) "/" "Public Folders"\r\n',
  'A2 STATUS "INBOX" (MESSAGES UNSEEN)': '* STATUS INBOX (MESSAGES 3 UNSEEN 1)\r\n',
  'A3 CREATE "a b"': '',
  'A4 RENAME "a b" "c"': '',
  'A5 DELETE "c"': '',
  'A6 UID SEARCH UNSEEN': '* SEARCH 4 9\r\n',
  'A7 UID STORE 4 +FLAGS.SILENT (\\Seen)': '',
  'A8 UID COPY 4,9 "Archive"': '',
  'A9 UID MOVE 4 "Trash"': '* OK [COPYUID 99 4 17] Moved\r\n* 1 EXPUNGE\r\n',
  'A10 UID EXPUNGE 9': '* VANISHED 9\r\n',
  'A11 EXPUNGE': '* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n',
  'A12 ENABLE CONDSTORE': '* ENABLED CONDSTORE\r\n',
  'A13 CAPABILITY': '* CAPABILITY IMAP4rev1 MOVE\r\n',
  'A14 LOGOUT': '* BYE bye\r\n',
};

describe('command families: wire forms and typed results', () => {
  it('builds each command and types its answer', async () => {
    server = await fakeImap({
      handler: (cmd, io) => {
        const answer = ANSWERS[cmd.line];
        if (answer === undefined) return io.write(`${cmd.tag} BAD unexpected ${cmd.line}\r\n`);
        const code = cmd.line.includes('UID COPY') ? '[COPYUID 99 4,9 20:21] ' : '';
        io.write(`${answer}${cmd.tag} OK ${code}done\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    expect((await c.list('', '*')).mailboxes.map((m) => m.mailbox)).toEqual(['INBOX', 'Public Folders']);
    expect((await c.status('INBOX', ['MESSAGES', 'UNSEEN'])).mailboxStatus).toMatchObject({ messages: 3, unseen: 1 });
    expect((await c.create('a b')).status).toBe('OK');
    expect((await c.rename('a b', 'c')).status).toBe('OK');
    expect((await c.deleteMailbox('c')).status).toBe('OK');
    expect((await c.search('UNSEEN', { uid: true })).ids).toEqual([4, 9]);
    expect((await c.store('4', '+FLAGS.SILENT', '(\\Seen)', { uid: true })).status).toBe('OK');
    expect((await c.copy('4,9', 'Archive', { uid: true })).copyUid).toEqual({ uidValidity: 99, sourceUids: '4,9', destinationUids: '20:21' });
    const moved = await c.move('4', 'Trash', { uid: true });
    expect(moved.copyUid).toEqual({ uidValidity: 99, sourceUids: '4', destinationUids: '17' });
    expect((await c.expunge({ uidSet: '9' })).vanished).toEqual(['9']);
    expect((await c.expunge()).expunged).toEqual([3, 3]);
    expect((await c.enable(['CONDSTORE'])).enabled).toEqual(['CONDSTORE']);
    expect(c.enabled.has('CONDSTORE')).toBe(true);
    expect((await c.capability()).capabilities).toEqual(['IMAP4rev1', 'MOVE']);
    const out = await c.logout();
    expect(out.bye?.text).toBe('bye');
    expect(['logout', 'closed']).toContain(c.state);
    expect(server.received.map((r) => r.line)).toEqual(Object.keys(ANSWERS));
    await c.close();
  });
});
