import { afterEach, describe, expect, it } from 'vitest';
import { Transport } from '../../drivers/transport.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';
import { createLabPki, LAB_SERVERNAME } from '../helpers/certs.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Transport', () => {
  it('reads lines with their terminators and exact bytes', async () => {
    server = await scriptServer((s) => {
      s.write('hello\r\nbare\nrest');
      s.write('12345');
    });
    const t = await Transport.connect({ host: server.host, port: server.port });
    expect((await t.readLine()).toString()).toBe('hello\r\n');
    expect((await t.readLine()).toString()).toBe('bare\n');
    expect((await t.readBytes(9)).toString()).toBe('rest12345');
    await t.close();
  });

  it('skips buffered bytes without reading them: as many as are there, recorded when asked', async () => {
    server = await scriptServer((s) => {
      s.write('ab');
      // The rest only once the client has skipped what it had (it says so with a write).
      s.once('data', () => s.write('cdef\r\nnext\r\n'));
    });
    const t = await Transport.connect({ host: server.host, port: server.port });
    expect((await t.readBytes(1)).toString()).toBe('a');
    // 'b' came with 'a' (one write); nothing more until the client writes.
    expect(t.skipBytes(5, { record: false })).toBe(1);
    expect(t.skipBytes(5)).toBe(0);
    await t.write('go\r\n');
    await t.readBytes(1, { record: false }).then((b) => expect(b.toString()).toBe('c'));
    expect(t.skipBytes(3)).toBe(3);
    expect(t.skipBytes(0)).toBe(0);
    expect((await t.readLine()).toString()).toBe('\r\n');
    expect(t.skipBytes(100)).toBe(6);
    expect(t.skipBytes(1)).toBe(0);
    expect(t.snapshot().some((e) => e.text.startsWith('(3 bytes) def'))).toBe(true);
    expect(t.snapshot().some((e) => e.text.startsWith('(1 bytes) b'))).toBe(false);
    const pending = t.readLine({ timeoutMs: 50 }).catch(() => undefined);
    expect(() => t.skipBytes(1)).toThrow(/already pending/);
    await pending;
    t.destroy();
  });

  it('times out a silent server with ETIMEDOUT in the greeting phase', async () => {
    server = await scriptServer(() => {});
    const t = await Transport.connect({ host: server.host, port: server.port });
    const started = Date.now();
    const err = await t.readLine({ timeoutMs: 150, phase: 'greeting' }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('greeting');
    expect(Date.now() - started).toBeLessThan(1000);
    t.destroy();
  });

  it('fails with ECONNECT when nothing listens', async () => {
    server = await scriptServer(() => {});
    const port = server.port;
    await server.close();
    server = undefined;
    const err = await Transport.connect({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECONNECT')).toBe(true);
  });

  it('verifies a chain against an extra CA and records the hostname failure otherwise', async () => {
    const pki = createLabPki();
    server = await scriptServer(async (s, ctx) => {
      const tls = ctx.startTls(s, { key: pki.leaf.keyPem, cert: pki.chainPem });
      tls.write('* OK hi\r\n');
    });
    const t = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
    });
    expect(t.tls?.verified).toBe(true);
    expect(t.tls?.chain.length).toBe(3);
    expect((await t.readLine()).toString()).toBe('* OK hi\r\n');
    await t.close();
    const err = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: 'wrong.test', ca: pki.root.certPem },
    }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_VERIFY')).toBe(true);
    expect((err as { context: { tls?: { hostnameError: string | null } } }).context.tls?.hostnameError).toMatch(/wrong\.test/);
  });
});

describe('Transport limits and cancellation', () => {
  it('aborting the run rejects the pending read with EABORTED and closes the socket', async () => {
    server = await scriptServer(() => {});
    const ac = new AbortController();
    const t = await Transport.connect({ host: server.host, port: server.port, signal: ac.signal });
    const pending = t.readLine({ timeoutMs: 5000 }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(new Error('SIGINT')), 20);
    const err = await pending;
    expect(isMailprobeError(err, 'EABORTED')).toBe(true);
    expect(t.closed).toBe(true);
  });

  it('refuses a literal larger than the limit before reading it', async () => {
    server = await scriptServer(() => {});
    const t = await Transport.connect({ host: server.host, port: server.port, limits: { maxLiteralBytes: 1000 } });
    const err = await t.readBytes(2 ** 31).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    t.destroy();
  });

  it('serves buffered lines after the server closed, then ECLOSED', async () => {
    server = await scriptServer((s) => {
      s.end('one\r\ntwo\r\npartial');
    });
    const t = await Transport.connect({ host: server.host, port: server.port });
    expect((await t.readLine()).toString()).toBe('one\r\n');
    expect((await t.readLine()).toString()).toBe('two\r\n');
    const err = await t.readLine().catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECLOSED')).toBe(true);
    expect((err as { context: { response?: string } }).context.response).toBe('partial');
  });

  it('pauses a flooding server instead of buffering without bound', async () => {
    server = await scriptServer(async (s, ctx) => {
      const line = Buffer.from(`${'x'.repeat(1022)}\r\n`);
      for (let i = 0; i < 20_000 && !s.destroyed; i++) {
        if (!s.write(line)) await ctx.sleep(1);
      }
    });
    const t = await Transport.connect({ host: server.host, port: server.port, limits: { maxBufferedBytes: 256 * 1024 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(t.buffered).toBeLessThan(2 * 1024 * 1024);
    expect((await t.readLine({ record: false })).length).toBe(1024);
    t.destroy();
  });

  it('a peer that never reads makes a large write hit its deadline', async () => {
    server = await scriptServer((s) => {
      s.pause();
    });
    const t = await Transport.connect({ host: server.host, port: server.port });
    const err = await t.write(Buffer.alloc(64 * 1024 * 1024), { timeoutMs: 300, display: false }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
  });
});
