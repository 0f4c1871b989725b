import { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Transport } from '../../drivers/transport.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { singleVersionOptions } from '../../drivers/tls/tls-options.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';
import { brokenLeaves, createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';

let server: ScriptServer | undefined;
let pki: LabPki;
beforeAll(() => {
  pki = createLabPki();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function tlsServer(cert: { keyPem: string; chainPem: string }, extra: Record<string, unknown> = {}): Promise<ScriptServer> {
  return scriptServer((s, ctx) => {
    const tls = ctx.startTls(s, { key: cert.keyPem, cert: cert.chainPem, ...extra });
    tls.write('220 hi\r\n');
  });
}

describe('Transport TLS facts', () => {
  it('records what verification would have said even with insecure', async () => {
    const leaves = brokenLeaves(pki);
    server = await tlsServer(leaves.expired!);
    const t = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem, insecure: true },
    });
    expect(t.tls?.verified).toBe(false);
    expect(t.tls?.chainError).toBe('CERT_HAS_EXPIRED');
    expect(t.tls?.insecure).toBe(true);
    expect(new Date(t.tls!.chain[0]!.notAfter).getTime()).toBeLessThan(Date.now());
    t.destroy();
  });

  it('fails verification of a self-signed certificate with ETLS_VERIFY', async () => {
    server = await tlsServer(brokenLeaves(pki).selfSigned!);
    const err = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
    }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_VERIFY')).toBe(true);
    expect((err as { context: { tls?: { chainError: string | null } } }).context.tls?.chainError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('shows a chain missing its intermediate as a chain that stops at a non-self-signed cert', async () => {
    server = await tlsServer(brokenLeaves(pki).missingIntermediate!);
    const t = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem, insecure: true },
    });
    expect(t.tls?.chain.length).toBe(1);
    expect(t.tls?.chain[0]?.selfSigned).toBe(false);
    expect(t.tls?.chainError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    t.destroy();
  });

  it('reports key size and signature algorithm', async () => {
    // OpenSSL 3 refuses SHA-1 certificates at security level 1; a legacy server runs at 0.
    server = await tlsServer(brokenLeaves(pki).sha1!, { ciphers: 'DEFAULT@SECLEVEL=0' });
    const t = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem, insecure: true },
    });
    expect(t.tls?.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'sha1WithRSAEncryption' });
    expect(t.tls?.chain[1]).toMatchObject({ signatureAlgorithm: 'sha256WithRSAEncryption', isCA: true });
    // OpenSSL's own verdict on a SHA-1 leaf is a vague code (UNSPECIFIED); the algorithm is the evidence.
    expect(t.tls?.verified).toBe(false);
    t.destroy();
  });

  it('describes the chain on first use from what the handshake saw, also once the connection is closed', async () => {
    server = await tlsServer({ keyPem: pki.leaf.keyPem, chainPem: pki.chainPem });
    // No transcript: nothing reads the chain while the connection is open (a bench's case).
    const t = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
      transcript: false,
    });
    expect(t.tls?.verified).toBe(true);
    t.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const facts = t.tls!;
    expect(facts.chain.length).toBeGreaterThanOrEqual(2);
    expect(facts.chain[0]).toMatchObject({ commonName: LAB_SERVERNAME, selfSigned: false });
    expect(facts.chain.at(-1)).toMatchObject({ isCA: true });
    // Reports and worker messages see a plain array, the same one every time.
    expect(facts.chain).toBe(facts.chain);
    const json = JSON.parse(JSON.stringify(facts)) as { chain: { commonName?: string }[] };
    expect(json.chain.map((c) => c.commonName)).toEqual(facts.chain.map((c) => c.commonName));
    expect(structuredClone(facts).chain).toEqual(facts.chain);
  });

  it("builds Node's detailed peer certificate once per handshake, verified or not", async () => {
    // Node builds it for checkServerIdentity when OpenSSL found no fault; the facts take that
    // one (PeerCapture) instead of a second, and build it themselves only when Node did not.
    const detailed = vi.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    try {
      for (const [cert, insecure] of [[{ keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }, false], [brokenLeaves(pki).expired!, true]] as const) {
        server = await tlsServer(cert);
        detailed.mockClear();
        const t = await Transport.connect({ host: server.host, port: server.port, implicitTls: true, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem, insecure } });
        expect(detailed.mock.calls.filter(([d]) => d === true)).toHaveLength(1);
        expect(t.tls?.verified).toBe(!insecure);
        expect(t.tls?.chain[0]?.commonName).toBe(LAB_SERVERNAME);
        t.destroy();
        await server.close();
        server = undefined;
      }
    } finally {
      detailed.mockRestore();
    }
  });

  it('can attempt TLS 1.0 against a legacy-only server; the default client refuses it', async () => {
    server = await tlsServer(
      { keyPem: pki.leaf.keyPem, chainPem: pki.chainPem },
      { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
    );
    const legacy = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem, ...singleVersionOptions('TLSv1') },
    });
    expect(legacy.tls?.protocol).toBe('TLSv1');
    legacy.destroy();
    const err = await Transport.connect({
      host: server.host,
      port: server.port,
      implicitTls: true,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
    }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_HANDSHAKE')).toBe(true);
  });

  it('a TLS handshake that stalls hits the tls deadline', async () => {
    server = await scriptServer(() => {});
    const t0 = Date.now();
    const err = await Transport.connect({ host: server.host, port: server.port, implicitTls: true, timeouts: { tlsMs: 200 } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect((err as { context: { phase: string } }).context.phase).toBe('tls');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('plaintext answer to a ClientHello is a handshake error naming the cause', async () => {
    server = await scriptServer((s) => {
      s.write('220 plaintext smtp here\r\n');
    });
    const err = await Transport.connect({ host: server.host, port: server.port, implicitTls: true, tls: { insecure: true } }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_HANDSHAKE')).toBe(true);
    expect(String((err as Error).message)).toMatch(/wrong version number|packet length|unexpected/i);
  });
});
