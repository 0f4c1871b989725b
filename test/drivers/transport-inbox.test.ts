/**
 * The transport reads sockets it opened itself through one landing buffer shared by every
 * socket of the thread (drivers/socket-inbox.ts): what a read returned must stay as it was
 * while other connections read, and the connect wait shares the transport's listeners.
 */
import { Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../drivers/errors.js';
import { SocketInbox } from '../../drivers/socket-inbox.js';
import { Transport } from '../../drivers/transport.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';

let pki: LabPki;
beforeAll(() => {
  pki = createLabPki();
});

const servers: ScriptServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A server that sends `text`, then one line per line it reads (`<name>:<line>`); over TLS when asked. */
async function talker(name: string, text: string, tls: boolean): Promise<ScriptServer> {
  const server = await scriptServer((raw, ctx) => {
    const s = tls ? ctx.startTls(raw, { key: pki.leaf.keyPem, cert: pki.chainPem }) : raw;
    s.write(text);
    let pending = '';
    s.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
        s.write(`${name}:${pending.slice(0, i + 1)}`);
        pending = pending.slice(i + 1);
      }
    });
  });
  servers.push(server);
  return server;
}

describe('Transport reads through the shared landing buffer', () => {
  for (const tls of [false, true]) {
  it(`keeps what a read returned while other connections read into the same buffer${tls ? ' (implicit TLS)' : ''}`, async () => {
    const [a, b] = [await talker('a', 'A'.repeat(300) + '\r\n', tls), await talker('b', 'B'.repeat(300) + '\r\n', tls)];
    const trust = { implicitTls: tls, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem } };
    const ta = await Transport.connect({ host: a.host, port: a.port, ...trust });
    const tb = await Transport.connect({ host: b.host, port: b.port, ...trust });
    expect(ta.tls?.verified ?? false).toBe(tls);
    expect(ta.connectTiming.tlsMs !== undefined).toBe(tls);
    const first = await ta.readLine();
    const firstText = first.toString('latin1');
    expect(firstText).toBe('A'.repeat(300) + '\r\n');
    // Many more reads land in the shared buffer on both connections; `first` must not change.
    const kept: Buffer[] = [first];
    for (let i = 0; i < 50; i++) {
      void tb.write(`ping ${i}\r\n`);
      void ta.write(`pong ${i}\r\n`);
      if (i === 0) kept.push(await tb.readLine());
      expect((await tb.readLine()).toString('latin1')).toBe(`b:ping ${i}\r\n`);
      kept.push(await ta.readLine());
    }
    expect(kept[0]!.toString('latin1')).toBe(firstText);
    expect(kept[1]!.toString('latin1')).toBe('B'.repeat(300) + '\r\n');
    expect(kept.slice(2).map((k) => k.toString('latin1'))).toEqual(Array.from({ length: 50 }, (_, i) => `a:pong ${i}\r\n`));
    ta.destroy();
    tb.destroy();
  });
  }

  it('joins a line that arrives over several reads', async () => {
    const server = await scriptServer(async (s, ctx) => {
      s.write('250-first');
      await ctx.sleep(30);
      s.write(' half\r\n250 ');
      await ctx.sleep(30);
      s.write('end\r\n');
    });
    servers.push(server);
    const t = await Transport.connect({ host: server.host, port: server.port });
    expect((await t.readLine()).toString()).toBe('250-first half\r\n');
    expect((await t.readLine()).toString()).toBe('250 end\r\n');
    t.destroy();
  });
});

describe('SocketInbox before anyone listens', () => {
  it('keeps reads in order, pauses the socket past a landing buffer of them, and hands them all over on open()', async () => {
    const total = 1024 * 1024;
    const server = await scriptServer((s) => {
      s.end(Buffer.alloc(total, 0x61));
    });
    servers.push(server);
    const inbox = SocketInbox.connect({ host: server.host, port: server.port });
    await new Promise((r) => setTimeout(r, 300));
    // Far less than the megabyte sent was taken in: the socket was paused at ~64 KiB.
    expect(inbox.socket.isPaused()).toBe(true);
    let got = 0;
    let wrong = 0;
    const done = new Promise<void>((resolve) => inbox.socket.once('close', () => resolve()));
    const ignore = (): void => {};
    inbox.open({
      data: (chunk) => {
        got += chunk.length;
        for (const byte of chunk) if (byte !== 0x61) wrong++;
      },
      connect: ignore,
      end: ignore,
      close: ignore,
      error: ignore,
    });
    await done;
    expect(got).toBe(total);
    expect(wrong).toBe(0);
  });
});

describe('Transport connect', () => {
  it('reports TLS options that cannot be built (a cipher list that matches nothing) as ETLS_HANDSHAKE, not a crash', async () => {
    const server = await talker('a', '220 hi\r\n', true);
    const err = await Transport.connect({ host: server.host, port: server.port, implicitTls: true, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem, ciphers: 'NO-SUCH-CIPHER' } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_HANDSHAKE')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('tls');
  });

  it('fails an unusable CA on a socket of its own in the tls phase with a classified error (ETLS_VERIFY)', async () => {
    const server = await talker('a', '220 hi\r\n', true);
    const err = await Transport.connect({ host: server.host, port: server.port, implicitTls: true, tls: { servername: LAB_SERVERNAME, ca: 'not a certificate' } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_VERIFY')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('tls');
  });

  it('fails with ECONNECT in the connect phase when the socket closes before it connects', async () => {
    let made: Socket | undefined;
    const connector = (): Socket => {
      const socket = new Socket();
      Object.defineProperty(socket, 'connecting', { value: true });
      made = socket;
      // Closed by someone else before a connection was ever established.
      setTimeout(() => socket.destroy(), 20);
      return socket;
    };
    const err = await Transport.connect({ host: '127.0.0.1', port: 9, timeouts: { connectMs: 5000 }, connector }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECONNECT')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('connect');
    expect((err as Error).message).toContain('127.0.0.1:9');
    expect(made?.destroyed).toBe(true);
  });

  it('records how long the TCP connect took and reads after it on the same deadline timer', async () => {
    const server = await scriptServer((s) => {
      s.write('220 ready\r\n');
    });
    servers.push(server);
    const t = await Transport.connect({ host: server.host, port: server.port, timeouts: { connectMs: 5000 } });
    expect(t.connectTiming.connectMs).toBeGreaterThanOrEqual(0);
    expect(t.connectTiming.tlsMs).toBeUndefined();
    // The connect armed the deadline timer with 5 s; a shorter read deadline must still hold.
    expect((await t.readLine()).toString()).toBe('220 ready\r\n');
    const started = performance.now();
    const err = await t.readLine({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    t.destroy();
  });
});
