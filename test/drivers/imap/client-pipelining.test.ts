import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { astring } from '../../../drivers/imap/command-encoder.js';
import { scriptServer, type ScriptServer } from '../../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('pipelining (RFC 9051 §5.5)', () => {
  it('writes several commands in one write and collects each completion by tag', async () => {
    const chunks: string[] = [];
    server = await scriptServer((s) => {
      s.write('* OK [CAPABILITY IMAP4rev1] ready\r\n');
      let buf = '';
      s.on('data', (d: Buffer) => {
        chunks.push(d.toString('latin1'));
        buf += d.toString('latin1');
        if (buf.split('\r\n').length - 1 < 3) return;
        // Completions out of order, untagged data in between.
        s.write('* STATUS "INBOX" (MESSAGES 3)\r\nA2 OK status done\r\n* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK noop done\r\nA3 NO [NONEXISTENT] no such mailbox\r\n');
      });
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const [noop, status, select] = await c.pipeline([
      { name: 'NOOP' },
      { name: 'STATUS', args: [astring('INBOX'), '(MESSAGES)'] },
      { name: 'SELECT', args: [astring('Nope')] },
    ]);
    expect(chunks.join('')).toBe('A1 NOOP\r\nA2 STATUS "INBOX" (MESSAGES)\r\nA3 SELECT "Nope"\r\n');
    expect(chunks).toHaveLength(1);
    expect(noop).toMatchObject({ tag: 'A1', status: 'OK', text: 'noop done' });
    expect(status).toMatchObject({ tag: 'A2', status: 'OK' });
    expect(select).toMatchObject({ tag: 'A3', status: 'NO', code: { name: 'NONEXISTENT' } });
    // STATUS data goes to the STATUS command; data no command in flight asked for, to the oldest.
    expect(status!.untagged.map((u) => u.kind)).toEqual(['status']);
    expect(noop!.untagged.map((u) => u.kind)).toEqual(['capability']);
    expect(noop!.timing.bytesOut).toBe('A1 NOOP\r\n'.length);
    expect(c.hasCapability('IDLE')).toBe(true);
    await c.close();
  });
});
