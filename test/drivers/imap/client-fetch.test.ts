import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Lines starting with "." (nothing is dot-stuffed in IMAP), 8-bit bytes, a NUL-free binary
// tail, a line that looks like a response, and no final CRLF.
const BODY = Buffer.concat([
  Buffer.from('Subject: dots\r\n\r\n.\r\n..leading dots\r\n.\r\n* 2 EXISTS\r\nA1 OK not really\r\n', 'latin1'),
  Buffer.from('Grüße aus Köln\r\n', 'utf8'),
  Buffer.from([0xe9, 0xff, 0x80, 0x0d, 0x0a, 0x7b, 0x33, 0x7d]),
]);

describe('FETCH', () => {
  it('returns BODY[] bytes exactly as the server sent them in the literal', async () => {
    server = await fakeImap({
      handler: (cmd, io) => {
        io.write(Buffer.concat([Buffer.from(`* 1 FETCH (UID 42 FLAGS (\\Seen) BODY[] {${BODY.length}}\r\n`), BODY, Buffer.from(')\r\n')]));
        io.write(`${cmd.tag} OK Fetch completed\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.fetch('1', '(UID FLAGS BODY.PEEK[])');
    expect(server.received[0]!.line).toBe('A1 FETCH 1 (UID FLAGS BODY.PEEK[])');
    expect(r.status).toBe('OK');
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0]!;
    expect(m.seq).toBe(1);
    expect(m.attributes.uid).toBe(42);
    expect(m.attributes.flags).toEqual(['\\Seen']);
    expect(m.attributes.bodies.get('BODY[]')?.bytes?.equals(BODY)).toBe(true);
    await c.close();
  });

  it('returns the same bytes when the server drips the literal one byte at a time', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        const all = Buffer.concat([Buffer.from(`* 1 FETCH (BODY[] {${BODY.length}}\r\n`), BODY, Buffer.from(`)\r\n${cmd.tag} OK done\r\n`)]);
        for (let i = 0; i < all.length; i += 7) {
          io.write(all.subarray(i, i + 7));
          await io.ctx.sleep(1);
        }
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.fetch('1', 'BODY[]', { uid: true });
    expect(server.received[0]!.line).toBe('A1 UID FETCH 1 BODY[]');
    expect(r.messages[0]!.attributes.bodies.get('BODY[]')?.bytes?.equals(BODY)).toBe(true);
    await c.close();
  });

  it('collects every FETCH of a range, unsolicited ones included', async () => {
    server = await fakeImap({
      handler: (cmd, io) => {
        io.write('* 1 FETCH (FLAGS (\\Seen) UID 10)\r\n* 2 FETCH (FLAGS () UID 11)\r\n* 3 EXISTS\r\n');
        io.write(`${cmd.tag} OK done\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.fetch('1:2', '(UID FLAGS)', { changedSince: 5n });
    expect(server.received[0]!.line).toBe('A1 FETCH 1:2 (UID FLAGS) (CHANGEDSINCE 5)');
    expect(r.messages.map((m) => m.attributes.uid)).toEqual([10, 11]);
    expect(r.untagged.map((u) => u.kind)).toEqual(['fetch', 'fetch', 'exists']);
    await c.close();
  });
});
