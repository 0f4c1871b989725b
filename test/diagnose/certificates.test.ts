import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokenLeaves, createLabPki, issue, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import type { ScriptServer } from '../helpers/script-server.js';
import { faultServer } from './fault-server.js';
import { expectOnly, runDiagnose, serious } from './run-diagnose.js';

let pki: LabPki;
let leaves: ReturnType<typeof brokenLeaves>;
let dir = '';
let server: ScriptServer | undefined;
beforeAll(async () => {
  pki = createLabPki();
  leaves = brokenLeaves(pki);
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-diag-'));
  await writeFile(join(dir, 'root.pem'), pki.root.certPem);
  await writeFile(join(dir, 'root+intermediate.pem'), pki.root.certPem + pki.intermediate.certPem);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An implicit-TLS submission server presenting `cert`, diagnosed with the lab root trusted. */
async function diagnoseCert(cert: { keyPem: string; chainPem: string }, extra: { ca?: string; server?: Record<string, unknown> } = {}) {
  server = await faultServer({ implicit: { key: cert.keyPem, cert: cert.chainPem, ...extra.server } });
  const ca = extra.ca === undefined ? ['--ca', join(dir, 'root.pem')] : extra.ca === '' ? [] : ['--ca', join(dir, extra.ca)];
  return runDiagnose([`smtps://127.0.0.1:${server.port}`, '--servername', LAB_SERVERNAME, ...ca]);
}

describe('diagnose: certificates', () => {
  it('trusts a private CA named with --ca', async () => {
    const r = await diagnoseCert({ keyPem: pki.leaf.keyPem, chainPem: pki.chainPem });
    expect(serious(r.report)).toEqual([]);
  });

  it('calls the same chain untrusted without --ca', async () => {
    const f = expectOnly(await diagnoseCert({ keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }, { ca: '' }), 'tls.cert.untrusted');
    expect(f.detail).toContain('mailprobe test intermediate');
  });

  it('finds an expired certificate', async () => {
    expectOnly(await diagnoseCert(leaves.expired!), 'tls.cert.expired', 'critical');
  });

  it('finds a certificate that is not valid yet', async () => {
    expectOnly(await diagnoseCert(leaves.notYetValid!), 'tls.cert.not-yet-valid');
  });

  it('warns of a certificate that expires within days', async () => {
    const f = expectOnly(await diagnoseCert(leaves.expiringSoon!), 'tls.cert.expiring-soon', 'high');
    expect(f.detail).toMatch(/in [45] days/);
  });

  it('finds a host name mismatch', async () => {
    const f = expectOnly(await diagnoseCert(leaves.wrongHost!), 'tls.cert.hostname-mismatch');
    expect(f.detail).toContain('other.test');
  });

  it('only notes a name mismatch when probing by address without --servername', async () => {
    server = await faultServer({ implicit: { key: leaves.wrongHost!.keyPem, cert: leaves.wrongHost!.chainPem } });
    const r = await runDiagnose([`smtps://127.0.0.1:${server.port}`, '--ca', join(dir, 'root.pem')]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([['tls.cert.hostname-mismatch', 'info']]);
    expect(r.report.findings[0]?.detail).toMatch(/--servername/);
  });

  it('finds a self-signed certificate', async () => {
    expectOnly(await diagnoseCert(leaves.selfSigned!), 'tls.cert.self-signed');
  });

  it('finds a missing intermediate', async () => {
    const f = expectOnly(await diagnoseCert(leaves.missingIntermediate!), 'tls.chain.incomplete', 'high');
    expect(f.detail).toContain('mailprobe test intermediate');
  });

  it('finds a missing intermediate even when the local trust store holds it', async () => {
    const f = expectOnly(await diagnoseCert(leaves.missingIntermediate!, { ca: 'root+intermediate.pem' }), 'tls.chain.incomplete', 'medium');
    expect(f.detail).toMatch(/sent 1 certificate/);
  });

  it('calls a chain from an unknown root with its intermediate untrusted, not incomplete', async () => {
    const root = issue({ cn: 'unknown root', ca: true });
    const intermediate = issue({ cn: 'unknown intermediate', ca: true, issuer: root });
    const leaf = issue({ cn: LAB_SERVERNAME, issuer: intermediate });
    expectOnly(await diagnoseCert({ keyPem: leaf.keyPem, chainPem: leaf.certPem + intermediate.certPem }), 'tls.cert.untrusted');
  });

  it('finds a weak key', async () => {
    // The server needs level 0 to load a 1024-bit key on OpenSSL 3.5 (Node 24); the client verifies at level 1 on every Node.
    const f = expectOnly(await diagnoseCert(leaves.weakKey!, { server: { ciphers: 'DEFAULT@SECLEVEL=0' } }), 'tls.cert.weak-key');
    expect(f.detail).toContain('1024-bit');
  });

  it('finds a SHA-1 signature', async () => {
    // OpenSSL 3 serves a SHA-1 certificate only at security level 0.
    const f = expectOnly(await diagnoseCert(leaves.sha1!, { server: { ciphers: 'DEFAULT@SECLEVEL=0' } }), 'tls.cert.weak-signature');
    expect(f.detail).toContain('sha1WithRSAEncryption');
  });

  it('reports trust problems as info with --insecure', async () => {
    server = await faultServer({ implicit: { key: leaves.selfSigned!.keyPem, cert: leaves.selfSigned!.chainPem } });
    const r = await runDiagnose([`smtps://127.0.0.1:${server.port}`, '--servername', LAB_SERVERNAME, '--insecure']);
    expect(serious(r.report)).toEqual([]);
    expect(r.report.findings.find((f) => f.id === 'tls.cert.self-signed')?.severity).toBe('info');
    expect(r.report.insecure).toBe(true);
  });
});

describe('diagnose: certificates on an MX', () => {
  it('rates trust and name problems medium on port 25 (opportunistic senders do not verify; DANE may pin)', async () => {
    server = await faultServer({ starttls: { key: leaves.selfSigned!.keyPem, cert: leaves.selfSigned!.chainPem } });
    const r = await runDiagnose([`smtp://127.0.0.1:${server.port}`, '--servername', LAB_SERVERNAME, '--ca', join(dir, 'root.pem')]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([['tls.cert.self-signed', 'medium']]);
    expect(r.code).toBe(0);
  });
});
