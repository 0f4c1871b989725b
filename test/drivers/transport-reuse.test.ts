/**
 * Sockets the transport opens itself are reused for later connections once they closed
 * cleanly (drivers/socket-inbox.ts). A transport that is done must never reach the socket
 * again, a reused socket carries nothing of its last connection, and a socket that failed or
 * was paused is not reused.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../drivers/errors.js';
import { idleSockets } from '../../drivers/socket-inbox.js';
import { Transport } from '../../drivers/transport.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';

const servers: ScriptServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A server that greets each connection with its number, then echoes lines as `echo:<line>`. */
async function numbered(): Promise<ScriptServer> {
  let n = 0;
  const server = await scriptServer((s) => {
    n++;
    s.write(`hello ${n}\r\nmore ${n}\r\n`);
    let pending = '';
    s.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
        s.write(`echo:${pending.slice(0, i + 1)}`);
        pending = pending.slice(i + 1);
      }
    });
  });
  servers.push(server);
  return server;
}

/** Wait (bounded) until the idle list has `n` sockets; the close that returns one comes a loop turn later. */
async function idleReaches(n: number): Promise<void> {
  for (let i = 0; i < 200 && idleSockets() !== n; i++) await new Promise((r) => setTimeout(r, 5));
  expect(idleSockets()).toBe(n);
}

/** Sockets destroyed by an earlier test return to the idle list a loop turn later: let them. */
async function closesLanded(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
}

const read = { timeoutMs: 2000 };

describe('Transport reuses the sockets it opened', () => {
  it('reuses a cleanly closed socket, and the transport that closed it cannot reach it any more', async () => {
    const server = await numbered();
    const before = idleSockets();
    const t1 = await Transport.connect({ host: server.host, port: server.port });
    expect((await t1.readLine(read)).toString()).toBe(`hello ${server.accepted}\r\n`);
    t1.destroy();
    await idleReaches(before + 1);

    const t2 = await Transport.connect({ host: server.host, port: server.port });
    expect(idleSockets()).toBe(before);
    // The old transport is closed: destroying or closing it again must leave the socket alone.
    t1.destroy();
    await t1.close();
    // Only this connection's bytes: nothing of the line t1 left unread.
    expect((await t2.readLine(read)).toString()).toBe(`hello ${server.accepted}\r\n`);
    await t2.write('ping\r\n');
    expect((await t2.readLine(read)).toString()).toBe(`more ${server.accepted}\r\n`);
    expect((await t2.readLine(read)).toString()).toBe('echo:ping\r\n');
    t2.destroy();
  });

  it('does not reuse a socket the server reset, and a reused one that cannot connect fails with ECONNECT', async () => {
    const reset = await scriptServer((s, ctx) => {
      s.write('hi\r\n');
      ctx.setTimeout(() => s.resetAndDestroy(), 20);
    });
    servers.push(reset);
    const server = await numbered();
    // A connect takes an idle socket when there is one; a socket that failed does not come back.
    await closesLanded();
    const before = idleSockets();
    const t = await Transport.connect({ host: reset.host, port: reset.port });
    expect((await t.readLine(read)).toString()).toBe('hi\r\n');
    const err = await t.readLine(read).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECLOSED')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(idleSockets()).toBe(Math.max(0, before - 1));

    // One more idle socket, then a connect on it to a port nothing listens on.
    const ok = await Transport.connect({ host: server.host, port: server.port });
    const idleNow = idleSockets();
    ok.destroy();
    await idleReaches(idleNow + 1);
    const closedPort = await freePort();
    const refused = await Transport.connect({ host: '127.0.0.1', port: closedPort }).catch((e: unknown) => e);
    expect(isMailprobeError(refused, 'ECONNECT')).toBe(true);
    expect((refused as { context: { phase: string } }).context.phase).toBe('connect');
    await new Promise((r) => setTimeout(r, 50));
    expect(idleSockets()).toBe(idleNow);
  });

  it('does not reuse a socket paused for backpressure (it would not read on its next connect)', async () => {
    const flood = await scriptServer((s) => {
      s.write(Buffer.alloc(256 * 1024, 0x61));
    });
    servers.push(flood);
    const server = await numbered();
    await closesLanded();
    const before = idleSockets();
    const t = await Transport.connect({ host: flood.host, port: flood.port, limits: { maxBufferedBytes: 4096 } });
    // Nobody reads: past maxBufferedBytes the transport pauses the socket.
    for (let i = 0; i < 100 && t.buffered <= 4096; i++) await new Promise((r) => setTimeout(r, 5));
    expect(t.buffered).toBeGreaterThan(4096);
    t.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(idleSockets()).toBe(Math.max(0, before - 1));
    // The next connection reads as usual.
    const next = await Transport.connect({ host: server.host, port: server.port });
    expect((await next.readLine(read)).toString()).toBe(`hello ${server.accepted}\r\n`);
    next.destroy();
  });
});

async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
