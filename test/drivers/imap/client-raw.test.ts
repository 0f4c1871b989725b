import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { scriptServer, type ScriptServer } from '../../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('sendRaw and readResponse for probes', () => {
  it('sends odd bytes exactly (bare LF, NUL) and reads the answers one by one', async () => {
    const got: Buffer[] = [];
    server = await scriptServer((s) => {
      s.write('* OK ready\r\n');
      s.on('data', (d: Buffer) => {
        got.push(d);
        if (Buffer.concat(got).includes(0x0a)) s.write('* BAD [CLIENTBUG] bare LF\r\nx1 BAD what\r\n');
      });
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const tag = c.nextTag();
    expect(tag).toBe('A1');
    await c.sendRaw(Buffer.from(`x1 NOOP\0\n`, 'latin1'));
    expect(await c.readResponse()).toMatchObject({ kind: 'condition', status: 'BAD', code: { name: 'CLIENTBUG' } });
    expect(await c.readResponse()).toMatchObject({ kind: 'tagged', tag: 'x1', status: 'BAD' });
    expect(Buffer.concat(got).toString('latin1')).toBe('x1 NOOP\0\n');
    expect(c.transport.snapshot().some((e) => e.dir === 'C' && e.text === 'x1 NOOP\\x00\\n')).toBe(true);
    // Tags keep counting after raw use.
    expect(c.nextTag()).toBe('A2');
    await c.close();
  });

  it('hides raw bytes behind a display text when asked', async () => {
    server = await scriptServer((s) => {
      s.write('* OK ready\r\n');
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    await c.sendRaw('a1 LOGIN bob secret\r\n', { display: 'a1 LOGIN bob ***' });
    expect(JSON.stringify(c.transport.snapshot())).not.toContain('secret');
    // The script never reads, so a polite close would wait closeMs for the server's FIN.
    c.destroy();
  });
});
