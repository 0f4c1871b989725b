import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('mechanism, not policy', () => {
  it('sends STAT before login and returns the -ERR as data', async () => {
    server = await fakePop3(() => '-ERR unknown command in AUTHORIZATION state\r\n');
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect(await pop.stat()).toMatchObject({ ok: false, drop: undefined });
    expect(server.received).toEqual(['STAT']);
    pop.destroy();
  });

  it('sendRaw writes exact bytes; readStatus and readMultiline read the answers', async () => {
    server = await fakePop3((line) => (line === 'CAPA' ? '+OK\r\nUSER\r\n.\r\n' : '-ERR\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    await pop.sendRaw('CAPA\n');
    const status = await pop.readStatus();
    expect(status.ok).toBe(true);
    const body = await pop.readMultiline();
    expect(body.lines.map(String)).toEqual(['USER\r\n']);
    expect(server.received).toEqual(['CAPA']);
    expect(pop.transcript().some((e) => e.dir === 'C' && e.text === 'CAPA\\n')).toBe(true);
    pop.destroy();
  });

  it('QUIT moves transaction to update and the client closes', async () => {
    server = await fakePop3((line) => (line === 'QUIT' ? '+OK bye\r\n' : '+OK\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    await pop.user('a');
    await pop.pass('b');
    expect(pop.state).toBe('transaction');
    const states: string[] = [];
    const reply = await pop.command('QUIT');
    states.push(pop.state);
    expect(reply.ok).toBe(true);
    await pop.close();
    states.push(pop.state);
    expect(states).toEqual(['update', 'closed']);
  });
});
