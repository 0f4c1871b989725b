import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run, usage } from '../../bin/commands/diagnose.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { diagnose, endpointsFor } from '../../engine/diagnose/index.js';
import { fakeIo } from '../helpers/cli.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import type { ScriptServer } from '../helpers/script-server.js';
import { faultServer, labCert } from './fault-server.js';
import { runDiagnose } from './run-diagnose.js';

let pki: LabPki;
let dir = '';
let server: ScriptServer | undefined;
beforeAll(async () => {
  pki = createLabPki();
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-diag-'));
  await writeFile(join(dir, 'root.pem'), pki.root.certPem);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function usageError(args: string[]): Promise<string> {
  const err = await run(args, fakeIo()).catch((e: unknown) => e);
  expect(isMailprobeError(err, 'ECONFIG') || (err instanceof Error && /ERR_PARSE_ARGS/.test(String((err as { code?: string }).code)))).toBe(true);
  return (err as Error).message;
}

describe('mailprobe diagnose (command)', () => {
  it('prints its usage', async () => {
    const io = fakeIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out()).toBe(usage);
    expect(usage).toMatch(/--ports/);
  });

  it('refuses bad usage (exit 2 through main): no target, --starttls, bad --fail-on, unknown flags', async () => {
    expect(await usageError([])).toMatch(/needs a HOST or URLs/);
    expect(await usageError(['mx.example', '--starttls', 'required'])).toMatch(/does not apply/);
    expect(await usageError(['mx.example', '--fail-on', 'severe'])).toMatch(/--fail-on/);
    expect(await usageError(['mx.example', '--bogus'])).toMatch(/bogus/);
    expect(await usageError(['mx.example', '--json', join(dir, 'nope', 'r.json')])).toMatch(/does not exist/);
  });

  it('exits 1 at or above --fail-on and 0 below it', async () => {
    server = await faultServer({ caps: ['PIPELINING'] });
    const url = `smtp://127.0.0.1:${server.port}`;
    expect((await runDiagnose([url])).code).toBe(0); // starttls.not-offered is medium on an MX
    expect((await runDiagnose([url, '--fail-on', 'medium'])).code).toBe(1);
  });

  it('writes JUnit and Markdown reports and a console report with the findings', async () => {
    server = await faultServer({ starttls: labCert(pki), caps: ['STARTTLS', 'AUTH PLAIN'] });
    const io = fakeIo();
    const junit = join(dir, 'r.xml');
    const md = join(dir, 'r.md');
    const page = join(dir, 'r.html');
    const code = await run([`submission://127.0.0.1:${server.port}`, '--ca', join(dir, 'root.pem'), '--servername', LAB_SERVERNAME, '--junit', junit, '--md', md, '--html', page], io);
    expect(code).toBe(1);
    expect(io.out()).toContain('auth.plaintext-before-tls');
    expect(io.out()).toContain('smtpd_tls_auth_only');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuite name="findings"');
    expect(xml).toMatch(/<failure message="Password login offered before TLS"/);
    expect(await readFile(md, 'utf8')).toContain('auth.plaintext-before-tls');
    const htmlText = await readFile(page, 'utf8');
    expect(htmlText).toContain('auth.plaintext-before-tls');
    expect(htmlText).toMatch(/Content-Security-Policy/);
    expect(htmlText).toContain(`submission://127.0.0.1:${server.port}`);
  });

  it('exits 4 when a name does not resolve', async () => {
    const io = fakeIo();
    expect(await run(['no-such-host.invalid', '--ports', '25', '--timeout', '2s'], io)).toBe(4);
    expect(io.err()).toMatch(/cannot resolve no-such-host.invalid/);
  });

  it('exits 130 with a partial report when interrupted', async () => {
    server = await faultServer({ greeting: null });
    const ac = new AbortController();
    const io = fakeIo({}, ac.signal);
    setTimeout(() => ac.abort(new Error('SIGINT')), 200);
    const t0 = performance.now();
    const code = await run([`smtp://127.0.0.1:${server.port}`, '--json', '-'], io);
    expect(code).toBe(130);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(JSON.parse(io.out())).toMatchObject({ command: 'diagnose', partial: true });
  });
});

describe('diagnose (engine)', () => {
  it('calls a port whose TCP connect gets no answer filtered (port.timeout)', async () => {
    // A socket that never connects stands in for a firewall that drops SYNs.
    const result = await diagnose({
      endpoints: endpointsFor(['192.0.2.1'], [{ port: 587, expected: 'submission' }]),
      settings: { tls: {}, timeoutMs: 200, timeouts: {}, credentials: undefined, signal: undefined, now: () => new Date(), clientName: 'x.invalid', connect: () => new Socket() },
    });
    expect(result.ports).toEqual([{ port: 587, host: '192.0.2.1', expected: 'submission', observed: 'timeout' }]);
    expect(result.findings.map((f) => [f.id, f.severity])).toEqual([['port.timeout', 'high']]);
    expect(result.reachable).toBe(false);
  });
});
