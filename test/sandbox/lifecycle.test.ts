/**
 * Starting and stopping: stop() closes every socket and server so the process can exit (run in
 * a child process that never calls process.exit), and the CLI command runs until its signal.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../bin/commands/sandbox.js';
import { connectImap } from '../../drivers/connect.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { FAULT_IDS, startSandbox } from '../../sandbox/index.js';
import { fakeIo } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('stop()', () => {
  it('leaves no handle open: the process exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/exit-after-stop.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | 'hung'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c ?? -1);
      });
    });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/stopped in \d+ ms/);
  });

  it('is idempotent and closes the listeners', async () => {
    const sb = await startSandbox({ seed: false });
    await Promise.all([sb.stop(), sb.stop()]);
    const err = await connectImap(sb.urls.imap, { timeouts: { connectMs: 1000 } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECONNECT')).toBe(true);
  });

  it('writes the CA file when asked and removes a temporary one', async () => {
    const sb = await startSandbox({ seed: false, caFile: true });
    expect(await readFile(sb.caFile!, 'utf8')).toBe(sb.caPem);
    await sb.stop();
    await expect(readFile(sb.caFile!)).rejects.toThrow();
  });
});

describe('mailprobe sandbox (CLI command)', () => {
  it('prints URLs, users and the CA file as JSON and runs until the signal', async () => {
    const stop = new AbortController();
    const io = fakeIo({}, stop.signal);
    const running = run(['--json', '--fault', 'cert-expiring-soon', '--port', 'imap=0', '--empty'], io);
    let info: { urls: Record<string, string>; users: { address: string }[]; caFile: string; servername: string; faults: string[] } | undefined;
    for (let i = 0; i < 100 && !info; i++) {
      await new Promise((r) => setTimeout(r, 20));
      if (io.out().includes('\n')) info = JSON.parse(io.out()) as typeof info;
    }
    expect(info?.faults).toEqual(['cert-expiring-soon']);
    expect(info?.users.map((u) => u.address)).toEqual(['alice@sandbox.mailprobe.test', 'bob@sandbox.mailprobe.test']);
    const ca = await readFile(info!.caFile, 'utf8');
    const c = await connectImap(info!.urls.imaps!, { tls: { ca, servername: info!.servername } });
    expect(c.tls?.verified).toBe(true);
    c.destroy();
    stop.abort();
    expect(await running).toBe(0);
    await expect(readFile(info!.caFile)).rejects.toThrow();
  });

  it('prints a human banner, reads a users file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-users-'));
    try {
      const file = join(dir, 'users.txt');
      await writeFile(file, '# demo users\ncarol:secret one\ndave@example.net:pw\n');
      const stop = new AbortController();
      const io = fakeIo({}, stop.signal);
      const running = run(['--users', file], io);
      for (let i = 0; i < 100 && !io.out().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(io.out()).toMatch(/submission:\/\/127\.0\.0\.1:\d+ +STARTTLS, then AUTH/);
      expect(io.out()).toContain('carol@sandbox.mailprobe.test  secret one');
      expect(io.out()).toContain('dave@example.net  pw');
      expect(io.out()).toMatch(/mailprobe check submission:\/\/.* --ca \S+ca\.pem --servername sandbox\.mailprobe\.test/);
      stop.abort();
      expect(await running).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the faults and refuses bad options', async () => {
    const io = fakeIo();
    expect(await run(['--fault', 'list'], io)).toBe(0);
    for (const id of FAULT_IDS) expect(io.out()).toContain(id);
    await expect(run(['--fault', 'nope'], fakeIo())).rejects.toThrow(/unknown fault/);
    await expect(run(['--cert', 'x.pem'], fakeIo())).rejects.toThrow(/--cert and --key/);
    await expect(run(['--port', 'imap=99999'], fakeIo())).rejects.toThrow(/out of range/);
    await expect(run(['--port', 'web=80'], fakeIo())).rejects.toThrow(/NAME=PORT/);
  });
});

describe('bounds and options', () => {
  it('greets connections past the cap with a refusal and closes them', async () => {
    const sb = await startSandbox({ seed: false, limits: { maxConnectionsPerPort: 2 } });
    try {
      const { rawConnect } = await import('./helpers.js');
      const held = [await rawConnect(sb.ports.pop3), await rawConnect(sb.ports.pop3)];
      await Promise.all(held.map((c) => c.waitFor(/^\+OK/)));
      const third = await rawConnect(sb.ports.pop3);
      await third.waitFor(/^-ERR \[SYS\/TEMP\] .*too many connections/);
      expect(await third.closed()).toBe(true);
      for (const c of held) c.destroy();
    } finally {
      await sb.stop();
    }
  });

  it('drops idle connections: IMAP with BYE, POP3 with -ERR', async () => {
    const sb = await startSandbox({ seed: false, limits: { preAuthIdleMs: 300 } });
    try {
      const { rawConnect } = await import('./helpers.js');
      const imap = await rawConnect(sb.ports.imap);
      const pop = await rawConnect(sb.ports.pop3);
      await imap.waitFor(/\* BYE Autologout/, 3000);
      await pop.waitFor(/-ERR \[SYS\/TEMP\] Idle/, 3000);
      expect(await imap.closed()).toBe(true);
      expect(await pop.closed()).toBe(true);
    } finally {
      await sb.stop();
    }
  });

  it('serves your own certificate and key', async () => {
    const { createSandboxPki } = await import('../../sandbox/index.js');
    const pki = await createSandboxPki({ servername: 'mail.example.test', altNames: ['127.0.0.1'] });
    const tls = { certPem: pki.leafPem + pki.intermediatePem, keyPem: pki.server.keyPem, caPem: pki.caPem };
    const sb = await startSandbox({ seed: false, servername: 'mail.example.test', tls });
    try {
      const c = await connectImap(sb.urls.imaps, { tls: { ca: sb.caPem!, servername: 'mail.example.test' } });
      expect(c.tls?.verified).toBe(true);
      expect(c.tls?.chain[0]?.san).toContain('mail.example.test');
      c.destroy();
    } finally {
      await sb.stop();
    }
    await expect(startSandbox({ tls, faults: ['cert-expired'] })).rejects.toThrow(/certificate faults need the generated certificates/);
  });
});
