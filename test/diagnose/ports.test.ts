import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import type { ScriptServer } from '../helpers/script-server.js';
import { faultServer, labCert } from './fault-server.js';
import { expectOnly, runDiagnose } from './run-diagnose.js';

let pki: LabPki;
let server: ScriptServer | undefined;
beforeAll(() => {
  pki = createLabPki();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const trust = (): string[] => ['--servername', LAB_SERVERNAME, '--ca', caFile];
let caFile = '';
beforeAll(async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'mailprobe-diag-'));
  caFile = join(dir, 'root.pem');
  await writeFile(caFile, pki.root.certPem);
});

describe('diagnose: what a port speaks', () => {
  it('names plaintext on an implicit-TLS port', async () => {
    server = await faultServer({ caps: ['PIPELINING'] });
    const r = await runDiagnose([`smtps://127.0.0.1:${server.port}`, ...trust()]);
    expectOnly(r, 'port.plaintext-on-implicit-tls-port');
    expect(r.report.ports?.[0]).toMatchObject({ expected: 'smtps', observed: 'smtp-plaintext' });
    expect(r.code).toBe(1);
  });

  it('names TLS on a STARTTLS port', async () => {
    server = await faultServer({ implicit: labCert(pki), caps: ['AUTH PLAIN'] });
    const r = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust(), '--timeout', '500ms']);
    expectOnly(r, 'port.tls-on-plaintext-port');
    expect(r.report.ports?.[0]).toMatchObject({ expected: 'submission', observed: 'tls' });
  });

  it('calls a port that accepts and never speaks silent', async () => {
    server = await faultServer({ greeting: null });
    const r = await runDiagnose([`smtp://127.0.0.1:${server.port}`, '--timeout', '300ms']);
    expectOnly(r, 'port.silent');
    expect(r.report.ports?.[0]).toMatchObject({ observed: 'silent' });
  });

  it('reports a refused port as closed and exits 4: nothing reachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const r = await runDiagnose([`submission://127.0.0.1:${port}`]);
    expectOnly(r, 'port.closed', 'high');
    expect(r.code).toBe(4);
  });

  it('names another protocol on the port', async () => {
    server = await faultServer({ protocol: 'imap', caps: ['STARTTLS', 'LOGINDISABLED'], starttls: labCert(pki) });
    const r = await runDiagnose([`smtp://127.0.0.1:${server.port}`, ...trust()]);
    expectOnly(r, 'port.wrong-protocol');
  });

  it('calls a greeting that starts like SMTP and then is not SMTP the wrong protocol', async () => {
    server = await faultServer({ greeting: '220-fault.test\r\nthis is not an SMTP line' });
    const f = expectOnly(await runDiagnose([`smtp://127.0.0.1:${server.port}`]), 'port.wrong-protocol');
    expect(f.detail).toMatch(/not valid SMTP/);
  });

  it('treats a 421 "too many connections" greeting as rate limiting, not a failure', async () => {
    server = await faultServer({ greeting: '421 4.7.0 fault.test Error: too many connections from 127.0.0.1' });
    const r = await runDiagnose([`smtp://127.0.0.1:${server.port}`]);
    const f = expectOnly(r, 'port.rate-limited', 'info');
    expect(f.evidence.join('\n')).toContain('421 4.7.0');
    expect(r.code).toBe(0);
  });

  it('does not blame the server for refusing the prober\'s EHLO name (inconclusive)', async () => {
    server = await faultServer({ starttls: labCert(pki), rejectEhlo: '550 5.7.1 <mailprobe.invalid>: Helo command rejected: Host not found' });
    const f = expectOnly(await runDiagnose([`submission://127.0.0.1:${server.port}`]), 'port.rate-limited', 'info');
    expect(f.detail).toContain('Helo command rejected');
  });

  it('reports a 554 greeting as service unavailable', async () => {
    server = await faultServer({ greeting: '554 5.3.2 no SMTP service here' });
    expectOnly(await runDiagnose([`smtp://127.0.0.1:${server.port}`]), 'port.service-unavailable');
  });

  it('tells a close right after the greeting from one on the first command', async () => {
    server = await faultServer({ closeAfterGreeting: true });
    expectOnly(await runDiagnose([`smtp://127.0.0.1:${server.port}`]), 'port.closed-after-greeting');
    await server.close();
    server = await faultServer({ closeOn: 'EHLO' });
    expectOnly(await runDiagnose([`smtp://127.0.0.1:${server.port}`]), 'port.closed-after-command');
  });

  it('waits out a postscreen-style greeting delay, and calls one past its budget inconclusive', async () => {
    server = await faultServer({ greetingDelay: { first: '220-fault.test ESMTP (postscreen)', ms: 450 }, starttls: labCert(pki) });
    const slow = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust(), '--timeout', '300ms']);
    expect(slow.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(slow.report.ports?.[0]).toMatchObject({ observed: 'smtp-starttls' });
    await server.close();
    server = await faultServer({ greetingDelay: { first: '220-fault.test ESMTP (tarpit)', ms: 60_000 } });
    const cut = await runDiagnose([`submission://127.0.0.1:${server.port}`, '--timeout', '300ms']);
    const f = expectOnly(cut, 'port.rate-limited', 'info');
    expect(f.detail).toMatch(/did not finish/);
  });
});
