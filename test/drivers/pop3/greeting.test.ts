import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import type { Exchange } from '../../../drivers/exchange.js';
import { fakePop3, transcriptText, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('greeting and APOP', () => {
  it('returns the greeting with its APOP timestamp and times it', async () => {
    server = await fakePop3(() => undefined);
    const exchanges: Exchange[] = [];
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, onExchange: (e) => exchanges.push(e) });
    expect(pop.greeting).toMatchObject({ ok: true, status: 'ok', timestamp: '<1896.697170952@dbc.mtview.ca.us>' });
    expect(pop.state).toBe('authorization');
    expect(exchanges.map((e) => e.name)).toEqual(['pop3.greeting']);
    expect(pop.greeting.timing.bytesIn).toBe(Buffer.byteLength(pop.greeting.raw));
    pop.destroy();
    expect(pop.state).toBe('closed');
  });

  it('sends APOP with the RFC 1939 §7 digest and shows it redacted', async () => {
    server = await fakePop3((line) => (line.startsWith('APOP') ? '+OK maildrop has 1 message (369 octets)\r\n' : '-ERR\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.apop('mrose', 'tanstaaf');
    expect(reply.ok).toBe(true);
    expect(server.received).toEqual(['APOP mrose c4c9334bac560ecc979e58001b3e22fb']);
    expect(pop.state).toBe('transaction');
    const text = transcriptText(pop.transcript());
    expect(text).toContain('C: APOP mrose ***');
    expect(text).not.toContain('c4c9334b');
    pop.destroy();
  });

  it('refuses APOP without a timestamp before sending anything', async () => {
    server = await fakePop3(() => '+OK\r\n', '+OK ready\r\n');
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect(pop.greeting.timestamp).toBeUndefined();
    await expect(pop.apop('u', 'p')).rejects.toMatchObject({ code: 'ECONFIG' });
    expect(server.received).toEqual([]);
    pop.destroy();
  });

  it('returns an -ERR greeting as data, with its response code', async () => {
    server = await fakePop3(() => undefined, '-ERR [SYS/TEMP] too many connections\r\n');
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect(pop.greeting).toMatchObject({ ok: false, status: 'err', code: 'SYS/TEMP', timestamp: undefined });
    pop.destroy();
  });
});
