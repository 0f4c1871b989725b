import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SELECT_REPLY = [
  '* 172 EXISTS',
  '* 1 RECENT',
  '* OK [UNSEEN 12] Message 12 is first unseen',
  '* OK [UIDVALIDITY 3857529045] UIDs valid',
  '* OK [UIDNEXT 4392] Predicted next UID',
  '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
  '* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited',
  '* OK [HIGHESTMODSEQ 715194045007] Highest',
].join('\r\n');

describe('SELECT / EXAMINE (RFC 9051 §6.3.2)', () => {
  it('types what the server reported and moves to the selected state', async () => {
    server = await fakeImap({
      handler: (cmd, io) => io.write(`${SELECT_REPLY}\r\n${cmd.tag} OK [READ-WRITE] SELECT completed\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.select('INBOX', { condstore: true });
    expect(server.received[0]!.line).toBe('A1 SELECT "INBOX" (CONDSTORE)');
    expect(r.mailbox).toEqual({
      exists: 172,
      recent: 1,
      firstUnseen: 12,
      uidValidity: 3857529045,
      uidNext: 4392,
      flags: ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'],
      permanentFlags: ['\\Deleted', '\\Seen', '\\*'],
      highestModseq: 715194045007n,
      noModseq: false,
      readWrite: true,
    });
    expect(c.state).toBe('selected');
    await c.close();
  });

  it('EXAMINE reports read-only; a failed SELECT leaves no mailbox selected', async () => {
    server = await fakeImap({
      handler: (cmd, io) => {
        if (cmd.name === 'EXAMINE') io.write(`* 0 EXISTS\r\n${cmd.tag} OK [READ-ONLY] EXAMINE completed\r\n`);
        else io.write(`${cmd.tag} NO [NONEXISTENT] Mailbox doesn't exist\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const ro = await c.examine('Archive');
    expect(ro.mailbox).toMatchObject({ exists: 0, readWrite: false });
    expect(c.state).toBe('selected');
    const no = await c.select('Missing');
    expect(no.status).toBe('NO');
    expect(c.state).toBe('authenticated');
    await c.close();
  });
});
