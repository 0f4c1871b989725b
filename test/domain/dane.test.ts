/**
 * DANE matching without sockets (RFC 7672 §3.1, RFC 6698 §2.1): every selector and matching
 * type against a chain minted here, with the digests computed independently of the code under
 * test (node:crypto's SPKI export rather than the DER walker in drivers/tls/der.ts).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeCertificate } from '../../drivers/tls/certificate.js';
import { subjectPublicKeyInfo } from '../../drivers/tls/der.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import { judgeTlsa, matchesCertificate, unusableReason } from '../../engine/domain/dane.js';
import type { TlsaData } from '../../engine/domain/dns-wire.js';
import { createLabPki } from '../helpers/certs.js';

const pki = createLabPki(['mx.example.test']);
const x509 = { leaf: new X509Certificate(pki.leaf.certPem), intermediate: new X509Certificate(pki.intermediate.certPem) };
const spki = (c: X509Certificate): Buffer => c.publicKey.export({ type: 'spki', format: 'der' });
const hash = (alg: string, data: Uint8Array): string => createHash(alg).update(data).digest('hex');

function facts(hostnameMatches = true): TlsFacts {
  return {
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    servername: 'mx.example.test',
    chain: [describeCertificate(x509.leaf), describeCertificate(x509.intermediate)],
    chainTrusted: true,
    chainError: null,
    hostnameMatches,
    hostnameError: hostnameMatches ? null : "Host: mx.example.test. is not in the cert's altnames",
    verified: hostnameMatches,
    insecure: true,
  };
}

const tlsa = (usage: number, selector: number, matchingType: number, data: string): TlsaData => ({ usage, selector, matchingType, data });

describe('DANE matching', () => {
  it('reads the SubjectPublicKeyInfo exactly as node:crypto exports it', () => {
    expect(Buffer.from(subjectPublicKeyInfo(x509.leaf.raw)!)).toEqual(spki(x509.leaf));
    expect(subjectPublicKeyInfo(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toBeUndefined();
  });

  it('matches every selector and matching type', () => {
    const leaf = describeCertificate(x509.leaf);
    const cases: [number, number, string][] = [
      [0, 0, x509.leaf.raw.toString('hex')],
      [0, 1, hash('sha256', x509.leaf.raw)],
      [0, 2, hash('sha512', x509.leaf.raw)],
      [1, 0, spki(x509.leaf).toString('hex')],
      [1, 1, hash('sha256', spki(x509.leaf))],
      [1, 2, hash('sha512', spki(x509.leaf))],
    ];
    for (const [selector, mtype, data] of cases) {
      expect(matchesCertificate(tlsa(3, selector, mtype, data), leaf), `3 ${selector} ${mtype}`).toBe(true);
      expect(matchesCertificate(tlsa(3, selector, mtype, data.toUpperCase()), leaf), `upper-case hex ${selector} ${mtype}`).toBe(true);
      expect(matchesCertificate(tlsa(3, selector, mtype, `${data.slice(0, -2)}00`), leaf), `altered ${selector} ${mtype}`).toBe(false);
    }
  });

  it('DANE-EE (3) matches the leaf, DANE-TA (2) a CA certificate of the chain', () => {
    expect(judgeTlsa([tlsa(3, 1, 1, hash('sha256', spki(x509.leaf)))], facts(), 'mx.example.test')).toMatchObject({ kind: 'match' });
    expect(judgeTlsa([tlsa(2, 0, 1, hash('sha256', x509.intermediate.raw))], facts(), 'mx.example.test')).toMatchObject({ kind: 'match', certificate: expect.stringContaining('intermediate') });
    // DANE-EE names the leaf: the intermediate's key under usage 3 does not match.
    expect(judgeTlsa([tlsa(3, 1, 1, hash('sha256', spki(x509.intermediate)))], facts(), 'mx.example.test')).toMatchObject({ kind: 'mismatch' });
    // DANE-TA names a CA: the leaf's own key under usage 2 does not match.
    expect(judgeTlsa([tlsa(2, 1, 1, hash('sha256', spki(x509.leaf)))], facts(), 'mx.example.test')).toMatchObject({ kind: 'mismatch' });
  });

  it('DANE-EE ignores the names; DANE-TA needs the leaf to name the MX (RFC 7672 §3.2.2)', () => {
    expect(judgeTlsa([tlsa(3, 1, 1, hash('sha256', spki(x509.leaf)))], facts(false), 'mx.example.test').kind).toBe('match');
    const ta = judgeTlsa([tlsa(2, 0, 1, hash('sha256', x509.intermediate.raw))], facts(false), 'mx.example.test');
    expect(ta).toMatchObject({ kind: 'mismatch', reason: expect.stringContaining('does not name mx.example.test') });
  });

  it('without TLS there is nothing to match; PKIX usages and bad lengths are unusable', () => {
    expect(judgeTlsa([tlsa(3, 1, 1, 'ab'.repeat(32))], undefined, 'mx.example.test')).toMatchObject({ kind: 'mismatch', reason: expect.stringContaining('no TLS handshake') });
    expect(unusableReason(tlsa(1, 1, 1, 'ab'.repeat(32)))).toMatch(/not used for SMTP/);
    expect(unusableReason(tlsa(3, 1, 1, 'ab'.repeat(31)))).toMatch(/31 bytes, not 32/);
    expect(unusableReason(tlsa(3, 1, 2, 'ab'.repeat(32)))).toMatch(/32 bytes, not 64/);
    expect(unusableReason(tlsa(3, 2, 1, 'ab'.repeat(32)))).toMatch(/selector 2/);
    expect(unusableReason(tlsa(3, 1, 3, 'ab'))).toMatch(/matching type 3/);
    expect(judgeTlsa([tlsa(0, 0, 1, 'ab'.repeat(32))], facts(), 'mx.example.test').kind).toBe('unusable');
    // One usable record among unusable ones is enough to judge by.
    expect(judgeTlsa([tlsa(1, 1, 1, 'ab'.repeat(32)), tlsa(3, 1, 1, hash('sha256', spki(x509.leaf)))], facts(), 'mx.example.test').kind).toBe('match');
  });
});
