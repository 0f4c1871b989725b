/**
 * The sandbox's own X.509 writer: certificates that OpenSSL parses and verifies, that Node's TLS
 * accepts against the generated root (by name and by IP address), and fault variants that are
 * broken exactly as named.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../drivers/tls/certificate.js';
import { CLIENT_CIPHERS } from '../../drivers/tls/tls-options.js';
import { createSandboxPki, type SandboxPki } from '../../sandbox/pki/chain.js';
import { oid, namedBits, time, unsignedInteger } from '../../sandbox/pki/der.js';

const NAME = 'sandbox.mailprobe.test';
const ALT = ['localhost', '127.0.0.1', '::1'];
const dir = mkdtempSync(join(tmpdir(), 'mailprobe-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function files(pki: SandboxPki, name: string): { root: string; inter: string; leaf: string } {
  const paths = { root: join(dir, `${name}-root.pem`), inter: join(dir, `${name}-inter.pem`), leaf: join(dir, `${name}-leaf.pem`) };
  writeFileSync(paths.root, pki.caPem);
  writeFileSync(paths.inter, pki.intermediatePem);
  writeFileSync(paths.leaf, pki.leafPem);
  return paths;
}

/** A TLS server with the PKI's credentials; the client verifies for `servername` (or by IP). */
async function handshake(pki: SandboxPki, servername: string | undefined): Promise<{ authorized: boolean; error: string | null }> {
  const ctx = createSecureContext({ key: pki.server.keyPem, cert: pki.server.chainPem, ...(pki.server.needsLegacyCrypto ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}) });
  const server = createServer((socket) => {
    const s = new TLSSocket(socket, { isServer: true, secureContext: ctx });
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise((resolve, reject) => {
      const c = tlsConnect({ host: '127.0.0.1', port, ca: pki.caPem, ciphers: CLIENT_CIPHERS, ...(servername ? { servername } : {}), rejectUnauthorized: false });
      c.once('secureConnect', () => {
        const error = c.authorizationError === null ? null : String((c.authorizationError as Error & { code?: string }).code ?? c.authorizationError);
        resolve({ authorized: c.authorized, error });
        c.destroy();
      });
      c.once('error', reject);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('DER primitives', () => {
  it('encodes INTEGER, OID, named bits and times as X.690 says', () => {
    expect(unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(unsignedInteger(Buffer.from([0, 0, 1])).toString('hex')).toBe('020101');
    expect(oid('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    // keyCertSign (5) + cRLSign (6): one octet 0x06, one unused bit
    expect(namedBits([5, 6]).toString('hex')).toBe('03020106');
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1').slice(2)).toBe('20500101000000Z');
  });
});

describe('sandbox PKI', () => {
  it('root → intermediate → leaf verifies with node:crypto and openssl', async () => {
    const pki = await createSandboxPki({ servername: NAME, altNames: ALT });
    const root = new X509Certificate(pki.caPem);
    const inter = new X509Certificate(pki.intermediatePem);
    const leaf = new X509Certificate(pki.leafPem);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(inter.checkIssued(root) && inter.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(inter) && leaf.verify(inter.publicKey)).toBe(true);
    expect(root.ca && inter.ca && !leaf.ca).toBe(true);
    expect(leaf.checkHost(NAME)).toBe(NAME);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    const p = files(pki, 'good');
    expect(openssl(['verify', '-CAfile', p.root, '-untrusted', p.inter, p.leaf])).toContain('OK');
    const text = openssl(['x509', '-noout', '-text', '-in', p.leaf]);
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toMatch(/DNS:sandbox\.mailprobe\.test, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    expect(openssl(['x509', '-noout', '-text', '-in', p.inter])).toMatch(/CA:TRUE, pathlen:0/);
  });

  it('serves a chain Node verifies by name and by address', async () => {
    const pki = await createSandboxPki({ servername: NAME, altNames: ALT, keyKind: 'rsa-2048' });
    expect(await handshake(pki, NAME)).toEqual({ authorized: true, error: null });
    expect(await handshake(pki, undefined)).toEqual({ authorized: true, error: null });
    expect(describeCertificate(new X509Certificate(pki.leafPem))).toMatchObject({ keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption' });
  });

  it.each([
    ['expired', 'CERT_HAS_EXPIRED'],
    ['not-yet-valid', 'CERT_NOT_YET_VALID'],
    ['self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['missing-intermediate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const)('the %s fault fails verification with %s', async (fault, code) => {
    const pki = await createSandboxPki({ servername: NAME, altNames: ALT, fault });
    expect(await handshake(pki, NAME)).toEqual({ authorized: false, error: code });
  });

  it('the wrong-host fault verifies as a chain but names another host', async () => {
    const pki = await createSandboxPki({ servername: NAME, altNames: ALT, fault: 'wrong-host' });
    const leaf = new X509Certificate(pki.leafPem);
    expect(leaf.checkHost(NAME)).toBeUndefined();
    expect(leaf.checkIP('127.0.0.1')).toBeUndefined();
    expect(openssl(['verify', '-CAfile', files(pki, 'wrong').root, '-untrusted', files(pki, 'wrong').inter, files(pki, 'wrong').leaf])).toContain('OK');
    expect(await handshake(pki, NAME)).toEqual({ authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('the weak-key and SHA-1 faults have a 1024-bit RSA key and a SHA-1 signature', async () => {
    const weak = await createSandboxPki({ servername: NAME, altNames: ALT, fault: 'weak-key' });
    expect(describeCertificate(new X509Certificate(weak.leafPem))).toMatchObject({ keyType: 'rsa', keyBits: 1024 });
    const sha1 = await createSandboxPki({ servername: NAME, altNames: ALT, fault: 'sha1-signature' });
    expect(describeCertificate(new X509Certificate(sha1.leafPem)).signatureAlgorithm).toBe('ecdsaWithSHA1');
    expect(openssl(['x509', '-noout', '-text', '-in', files(sha1, 'sha1').leaf])).toContain('ecdsa-with-SHA1');
    // Both still load and serve (at security level 0). A 1024-bit key passes OpenSSL's level 1 (the
    // level mailprobe verifies at, drivers/tls/tls-options.ts CLIENT_CIPHERS);
    // a SHA-1 signature does not, and Node has no name for that error (X509_V_ERR_CA_MD_TOO_WEAK).
    expect((await handshake(weak, NAME)).error).toBeNull();
    expect((await handshake(sha1, NAME)).authorized).toBe(false);
  });

  it('the expiring-soon fault expires within a week', async () => {
    const pki = await createSandboxPki({ servername: NAME, altNames: ALT, fault: 'expiring-soon' });
    const days = (Date.parse(new X509Certificate(pki.leafPem).validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(4);
    expect(days).toBeLessThan(6);
  });
});
