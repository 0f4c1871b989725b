import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { onAbort } from '../../drivers/abort-hooks.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { Transport, writtenAtOnce } from '../../drivers/transport.js';
import { createLabPki, LAB_SERVERNAME } from '../helpers/certs.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers every line with one line, stays silent on `quiet` and answers `later` after 250 ms. */
async function echoServer(): Promise<ScriptServer> {
  return scriptServer((s) => {
    let pending = '';
    s.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i).trim();
        pending = pending.slice(i + 1);
        if (line === 'later') setTimeout(() => s.writable && s.write('late\r\n'), 250);
        else if (line !== 'quiet') s.write(`ok ${line}\r\n`);
      }
    });
  });
}

describe('Transport read deadlines (one lazily armed timer per connection)', () => {
  it('times a read out at its own deadline when an earlier read armed a longer one', async () => {
    server = await echoServer();
    const t = await Transport.connect({ host: server.host, port: server.port });
    // The first read waits under 10 s: the timer is armed for 10 s and stays armed after it.
    await t.write('a\r\n', { display: false });
    expect((await t.readLine({ timeoutMs: 10_000 })).toString()).toBe('ok a\r\n');
    await t.write('quiet\r\n', { display: false });
    const started = performance.now();
    const err = await t.readLine({ timeoutMs: 200, phase: 'data' }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect((err as { context: { phase: string; elapsedMs: number } }).context).toMatchObject({ phase: 'data', elapsedMs: 200 });
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(2000);
    // The connection survives a read timeout (only the read failed).
    await t.write('b\r\n', { display: false });
    expect((await t.readLine({ timeoutMs: 1000 })).toString()).toBe('ok b\r\n');
    t.destroy();
  });

  it('does not time out a read early when the timer was armed by a shorter, finished read', async () => {
    server = await echoServer();
    const t = await Transport.connect({ host: server.host, port: server.port });
    await t.write('a\r\n', { display: false });
    await t.readLine({ timeoutMs: 100 });
    // The timer armed for the first read fires while this one waits (its deadline is later).
    await t.write('later\r\n', { display: false });
    const got = await t.readLine({ timeoutMs: 600 }).catch((e: unknown) => e);
    expect((got as Buffer).toString()).toBe('late\r\n');
    t.destroy();
  });

  it('leaves no timer behind once closed', async () => {
    server = await echoServer();
    const t = await Transport.connect({ host: server.host, port: server.port });
    await t.write('a\r\n', { display: false });
    await t.readLine({ timeoutMs: 30_000 });
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.destroy();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBe(before - 1);
  });
});

describe('Transport writes the kernel cannot take at once', () => {
  for (const tls of [false, true]) {
    it(`resolve once a slow reader took every byte${tls ? ' (implicit TLS)' : ''}`, async () => {
      const pki = createLabPki();
      const size = 8 * 1024 * 1024;
      let received = 0;
      let allIn: () => void = () => {};
      const done = new Promise<void>((resolve) => (allIn = resolve));
      server = await scriptServer((s, ctx) => {
        const stream = tls ? ctx.startTls(s, { key: pki.leaf.keyPem, cert: pki.chainPem }) : s;
        stream.pause();
        setTimeout(() => stream.resume(), 300);
        stream.on('data', (d: Buffer) => {
          received += d.length;
          if (received >= size) allIn();
        });
      });
      const t = await Transport.connect({ host: server.host, port: server.port, implicitTls: tls, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem } });
      const started = performance.now();
      await t.write(Buffer.alloc(size), { timeoutMs: 10_000, display: false });
      // Resolved only after the server started reading, and with (nearly) every byte gone.
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      await done;
      expect(received).toBe(size);
      t.destroy();
    });
  }

  it('takes small writes over TLS at once (TLS completes every write later) and delivers them in order', async () => {
    const pki = createLabPki();
    let text = '';
    let allIn: () => void = () => {};
    const done = new Promise<void>((resolve) => (allIn = resolve));
    server = await scriptServer((s, ctx) => {
      const stream = ctx.startTls(s, { key: pki.leaf.keyPem, cert: pki.chainPem });
      stream.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.endsWith('line 99\r\n')) allIn();
      });
    });
    const t = await Transport.connect({ host: server.host, port: server.port, implicitTls: true, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem } });
    const writes = Array.from({ length: 100 }, (_, i) => t.write(`line ${i}\r\n`, { display: false }));
    // Neither a promise nor a timer per write: below the high-water mark nothing is waited for.
    expect(writes.every((w) => writtenAtOnce(w))).toBe(true);
    await done;
    expect(text).toBe(Array.from({ length: 100 }, (_, i) => `line ${i}\r\n`).join(''));
    t.destroy();
  });
});

describe('Transport connect deadline', () => {
  /** A socket that stays "connecting" for ever (no packet leaves the machine). */
  const neverConnects = (): Socket => {
    const socket = new Socket();
    Object.defineProperty(socket, 'connecting', { value: true });
    return socket;
  };

  it('fails with ETIMEDOUT in the connect phase and destroys the socket', async () => {
    let made: Socket | undefined;
    const started = performance.now();
    const err = await Transport.connect({ host: '127.0.0.1', port: 9, timeouts: { connectMs: 150 }, connector: () => (made = neverConnects()) }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('connect');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(made?.destroyed).toBe(true);
  });

  it('fails with EABORTED when the run is cancelled while connecting', async () => {
    const ac = new AbortController();
    let made: Socket | undefined;
    const pending = Transport.connect({ host: '127.0.0.1', port: 9, signal: ac.signal, connector: () => (made = neverConnects()) }).catch((e: unknown) => e);
    ac.abort(new Error('stop'));
    const err = await pending;
    expect(isMailprobeError(err, 'EABORTED')).toBe(true);
    expect(made?.destroyed).toBe(true);
  });
});

describe('onAbort', () => {
  it('calls each registered callback once, not the unregistered ones, with one listener on the signal', () => {
    const ac = new AbortController();
    const calls: string[] = [];
    const offA = onAbort(ac.signal, () => calls.push('a'));
    const offB = onAbort(ac.signal, () => calls.push('b'));
    onAbort(ac.signal, () => {
      calls.push('c');
      offA();
    });
    offB();
    offB();
    ac.abort();
    ac.abort();
    expect(calls).toEqual(['a', 'c']);
  });

  it('aborts a pending read of every connection sharing the signal', async () => {
    server = await echoServer();
    const ac = new AbortController();
    const a = await Transport.connect({ host: server.host, port: server.port, signal: ac.signal });
    const b = await Transport.connect({ host: server.host, port: server.port, signal: ac.signal });
    const reads = [a.readLine({ timeoutMs: 5000 }), b.readLine({ timeoutMs: 5000 })].map((p) => p.catch((e: unknown) => e));
    ac.abort(new Error('stop'));
    for (const err of await Promise.all(reads)) expect(isMailprobeError(err, 'EABORTED')).toBe(true);
    expect(a.closed && b.closed).toBe(true);
  });
});
