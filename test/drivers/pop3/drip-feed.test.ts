import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import type { ScriptContext } from '../../helpers/script-server.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Write one byte every `ms` until done or the socket is gone. */
async function drip(socket: Socket, ctx: ScriptContext, bytes: string, ms: number): Promise<void> {
  for (const ch of bytes) {
    if (socket.destroyed) return;
    socket.write(ch);
    await ctx.sleep(ms);
  }
}

describe('drip-feed', () => {
  it('a status line at 1 byte per 100 ms misses a short deadline: ETIMEDOUT', async () => {
    server = await fakePop3((_line, { socket, ctx }) => {
      void drip(socket, ctx, '+OK 1 120\r\n', 100);
      return undefined;
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, timeouts: { commandMs: 300 } });
    const started = Date.now();
    const err = await pop.stat().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', context: { phase: 'command', command: 'STAT' } });
    expect(Date.now() - started).toBeLessThan(2000);
    pop.destroy();
  });

  it('one budget covers the whole body: lines that each arrive in time still time out together', async () => {
    server = await fakePop3((_line, { socket, ctx }) => {
      socket.write('+OK\r\n');
      // Each line takes 3 × 50 ms, well inside 400 ms; twenty of them do not fit.
      void drip(socket, ctx, 'a\r\n'.repeat(20), 50);
      return undefined;
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, timeouts: { dataMs: 400 } });
    const started = Date.now();
    const err = await pop.retr(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', context: { command: 'RETR 1' } });
    expect((err as Error).message).toMatch(/within 400 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    pop.destroy();
  });
});
