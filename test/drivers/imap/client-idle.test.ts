import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('IDLE (RFC 2177)', () => {
  it('delivers pushed responses as they come, keeps waiting across timeouts, and ends with DONE', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        if (cmd.name !== 'IDLE') return io.write(`${cmd.tag} OK\r\n`);
        io.write('+ idling\r\n');
        await io.ctx.sleep(150);
        io.write('* 4 EXISTS\r\n');
        await io.ctx.sleep(20);
        io.write('* 1 FETCH (FLAGS (\\Seen))\r\n');
        const done = await io.readLine();
        io.write(done === 'DONE\r\n' ? `* 5 EXISTS\r\n${cmd.tag} OK Idle completed\r\n` : `${cmd.tag} BAD expected DONE\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const start = await c.idle();
    if (!start.started) throw new Error('not started');
    const idle = start.session;
    expect(idle.continuation.text).toBe('idling');
    expect(await idle.next(30)).toEqual({ kind: 'timeout' });
    const first = await idle.next(2000);
    expect(first.kind === 'untagged' && first.response).toMatchObject({ kind: 'exists', count: 4 });
    const second = await idle.next(2000);
    expect(second.kind === 'untagged' && second.response.kind).toBe('fetch');
    const result = await idle.done();
    expect(result).toMatchObject({ status: 'OK', name: 'IDLE', text: 'Idle completed' });
    expect(result.untagged.map((u) => u.kind)).toEqual(['exists', 'fetch', 'exists']);
    expect(server.received.at(-1)?.name).toBe('IDLE');
    // The connection is usable after IDLE.
    expect((await c.noop()).status).toBe('OK');
    await c.close();
  });

  it('returns a refused IDLE as data', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} BAD [CLIENTBUG] IDLE not supported\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const start = await c.idle();
    expect(start.started).toBe(false);
    expect(!start.started && start.result).toMatchObject({ status: 'BAD', code: { name: 'CLIENTBUG' } });
    await c.close();
  });

  it('reports a server that ends IDLE by itself', async () => {
    server = await fakeImap({
      handler: (cmd, io) => io.write(`+ idling\r\n* BYE going down\r\n${cmd.tag} NO shutting down\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const start = await c.idle();
    if (!start.started) throw new Error('not started');
    expect((await start.session.next(1000)).kind).toBe('untagged');
    const ended = await start.session.next(1000);
    expect(ended.kind === 'completed' && ended.result.status).toBe('NO');
    expect((await start.session.done()).status).toBe('NO');
    expect(['logout', 'closed']).toContain(c.state);
    await c.close();
  });
});
