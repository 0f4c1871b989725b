import { afterEach, describe, expect, it } from 'vitest';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';
import { faultServer, labCert } from './fault-server.js';
import { expectOnly, labTrust, runDiagnose } from './run-diagnose.js';

const lab = labTrust();
let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const trust = lab.args;
/** OpenSSL 3 speaks TLS 1.0/1.1 only at security level 0, on both sides (LAB.md). */
const LEGACY_SERVER = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;

describe('diagnose: TLS versions', () => {
  it('finds TLS 1.0 and 1.1 accepted next to 1.2 and 1.3 (low on submission)', async () => {
    server = await faultServer({ implicit: labCert(lab.pki, LEGACY_SERVER) });
    const r = await runDiagnose([`smtps://127.0.0.1:${server.port}`, ...trust()]);
    expectOnly(r, 'tls.version.legacy', 'low');
    expect(r.report.ports?.[0]?.tls?.versions).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
  });

  it('keeps legacy versions on an MX (opportunistic STARTTLS) at info', async () => {
    server = await faultServer({ starttls: labCert(lab.pki, LEGACY_SERVER) });
    const r = await runDiagnose([`smtp://127.0.0.1:${server.port}`, ...trust()]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([['tls.version.legacy', 'info']]);
  });

  it('finds a server that speaks nothing newer than TLS 1.1, over STARTTLS too', async () => {
    server = await faultServer({ starttls: labCert(lab.pki, { ...LEGACY_SERVER, maxVersion: 'TLSv1.1' }) });
    const r = await runDiagnose([`submission://127.0.0.1:${server.port}`, ...trust()]);
    expect(r.report.findings.map((f) => [f.id, f.severity])).toEqual([
      ['tls.version.legacy', 'low'],
      ['tls.version.no-tls12', 'high'],
    ]);
    expect(r.report.ports?.[0]?.tls).toMatchObject({ version: 'TLSv1.1', versions: ['TLSv1', 'TLSv1.1'] });
  });

  it('finds a TLS 1.3-only server (low: only clients stuck on 1.2 suffer)', async () => {
    server = await faultServer({ implicit: labCert(lab.pki, { minVersion: 'TLSv1.3' }) });
    expectOnly(await runDiagnose([`smtps://127.0.0.1:${server.port}`, ...trust()]), 'tls.version.no-tls12', 'low');
  });

  it('reports a TLS port where no handshake completes', async () => {
    // Answers every ClientHello with a fatal handshake_failure alert (RFC 8446 §6.2), as a
    // server with no usable certificate or cipher does.
    server = await scriptServer((socket) => {
      socket.once('data', () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])));
    });
    const r = await runDiagnose([`smtps://127.0.0.1:${server.port}`, ...trust()]);
    expectOnly(r, 'tls.handshake-failed');
    expect(r.report.ports?.[0]).toMatchObject({ observed: 'tls' });
  });
});
