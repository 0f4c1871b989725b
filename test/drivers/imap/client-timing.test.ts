import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import type { Exchange } from '../../../drivers/exchange.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('per-command timing and the onExchange hook', () => {
  it('measures first byte and total from the write, and counts bytes both ways', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        await io.ctx.sleep(40);
        io.write('* 1 EXISTS\r\n');
        await io.ctx.sleep(40);
        io.write(`${cmd.tag} OK done\r\n`);
      },
    });
    const exchanges: Exchange[] = [];
    const c = await ImapClient.connect({ host: server.host, port: server.port, onExchange: (e) => exchanges.push(e) });
    const r = await c.noop();
    expect(r.timing.bytesOut).toBe('A1 NOOP\r\n'.length);
    expect(r.timing.bytesIn).toBe('* 1 EXISTS\r\nA1 OK done\r\n'.length);
    expect(r.timing.firstByteMs).toBeGreaterThanOrEqual(30);
    expect(r.timing.totalMs).toBeGreaterThanOrEqual(r.timing.firstByteMs + 30);
    expect(r.timing.startedAt).toBeGreaterThan(0);
    expect(exchanges.map((e) => `${e.name} ${e.command} ${e.ok}`)).toEqual(['imap.greeting (greeting) true', 'imap.noop NOOP true']);
    expect(exchanges[1]).toMatchObject(r.timing);
    await c.close();
  });

  it('uses the injected clock', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} OK done\r\n`) });
    let ms = 1000;
    const c = await ImapClient.connect({ host: server.host, port: server.port, now: () => (ms += 5) });
    const r = await c.noop();
    expect(r.timing.startedAt).toBeGreaterThan(1000);
    expect(r.timing.totalMs % 5).toBe(0);
    expect(r.timing.totalMs).toBeGreaterThan(0);
    await c.close();
  });
});
