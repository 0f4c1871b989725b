import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { scriptServer } from '../../helpers/script-server.js';
import { fakeImap, transcriptText, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const MESSAGE = Buffer.from('From: a@example.org\r\nSubject: t\r\n\r\n.body with 8-bit: é\r\n', 'utf8');

describe('APPEND and literals (RFC 9051 §4.3, §6.3.12; RFC 7888)', () => {
  it('waits for "+" before sending a synchronising literal, and returns APPENDUID', async () => {
    server = await fakeImap({
      greeting: '* OK [CAPABILITY IMAP4rev1 UIDPLUS] no literal+',
      handler: (cmd, io) => io.write(`${cmd.tag} OK [APPENDUID 38505 3955] APPEND completed\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.append('INBOX', MESSAGE, { flags: ['\\Seen'] });
    expect(r.status).toBe('OK');
    expect(r.appendUid).toEqual({ uidValidity: 38505, uid: 3955 });
    expect(r.continuations.map((x) => x.text)).toEqual(['go ahead']);
    expect(server.received[0]!.line).toBe(`A1 APPEND "INBOX" (\\Seen) {${MESSAGE.length}}\r\n`);
    expect(server.received[0]!.literals[0]!.equals(MESSAGE)).toBe(true);
    const text = transcriptText(c.transport.snapshot());
    expect(text).toContain(`C: A1 APPEND "INBOX" (\\Seen) {${MESSAGE.length}}\nS: + go ahead\nC: (${MESSAGE.length} bytes of literal data)`);
    expect(r.timing.bytesOut).toBe(`A1 APPEND "INBOX" (\\Seen) {${MESSAGE.length}}\r\n`.length + MESSAGE.length + 2);
    await c.close();
  });

  it('sends {n+} without waiting when LITERAL+ is advertised', async () => {
    server = await fakeImap({
      literalContinuation: '+ should not be asked',
      handler: (cmd, io) => io.write(`${cmd.tag} OK done\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.append('INBOX', MESSAGE);
    expect(r.continuations).toEqual([]);
    expect(server.received[0]!.line).toContain(`{${MESSAGE.length}+}`);
    await c.close();
  });

  it('returns a refusal of the literal (NO instead of "+") as data', async () => {
    const refusing = await scriptServer(async (s, ctx) => {
      s.write('* OK [CAPABILITY IMAP4rev1] ready\r\n');
      const tag = (await ctx.readLine(s)).split(' ')[0];
      s.write(`${tag} NO [TOOBIG] Message too large\r\n`);
    });
    try {
      const c = await ImapClient.connect({ host: refusing.host, port: refusing.port });
      const r = await c.append('INBOX', MESSAGE);
      expect(r).toMatchObject({ status: 'NO', code: { name: 'TOOBIG' }, continuations: [] });
      expect(r.timing.bytesOut).toBe(`A1 APPEND "INBOX" {${MESSAGE.length}}\r\n`.length);
      await c.close();
    } finally {
      await refusing.close();
    }
  });

  it('forces a synchronising literal when asked, even with LITERAL+', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} OK done\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.append('INBOX', 'x', { literalMode: 'sync' });
    expect(r.continuations).toHaveLength(1);
    expect(server.received[0]!.line).toContain('{1}\r\n');
    await c.close();
  });
});
