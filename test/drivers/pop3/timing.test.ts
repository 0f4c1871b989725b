import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import type { Exchange } from '../../../drivers/exchange.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('per-command timing and onExchange', () => {
  it('times each exchange and reports it under a bounded metric name, secrets redacted', async () => {
    server = await fakePop3(async (line, { ctx }) => {
      if (line === 'NOOP') await ctx.sleep(60);
      return '+OK\r\n';
    });
    const exchanges: Exchange[] = [];
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, onExchange: (e) => exchanges.push(e) });
    await pop.pass('secret-pw');
    const noop = await pop.noop();
    await pop.command('XFOO bar');
    expect(exchanges.map((e) => [e.name, e.command])).toEqual([
      ['pop3.greeting', '(greeting)'],
      ['pop3.pass', 'PASS ***'],
      ['pop3.noop', 'NOOP'],
      ['pop3.other', 'XFOO bar'],
    ]);
    expect(noop.timing.firstByteMs).toBeGreaterThanOrEqual(50);
    expect(noop.timing.totalMs).toBeGreaterThanOrEqual(noop.timing.firstByteMs);
    expect(noop.timing).toMatchObject({ bytesOut: 6, bytesIn: 5 });
    pop.destroy();
  });
});
