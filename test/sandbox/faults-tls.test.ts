/**
 * Certificate and TLS-version faults, as mailprobe's drivers see them: with `insecure` the
 * connection goes ahead and TlsFacts carry OpenSSL's verdict; without it, ETLS_VERIFY.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectImap, connectPop3, connectSmtp } from '../../drivers/connect.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { singleVersionOptions } from '../../drivers/tls/tls-options.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { tlsOf, TIMEOUTS } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

/** TlsFacts of the IMAPS, POP3S and submissions ports (and submission after STARTTLS). */
async function facts(fault: string): Promise<TlsFacts[]> {
  sb = await startSandbox({ faults: [fault], seed: false });
  const tls = { ...tlsOf(sb), insecure: true };
  const imap = await connectImap(sb.urls.imaps, { tls, timeouts: TIMEOUTS });
  const pop = await connectPop3(sb.urls.pop3s, { tls, timeouts: TIMEOUTS });
  const smtps = await connectSmtp(sb.urls.submissions, { tls, timeouts: TIMEOUTS });
  const smtp = await connectSmtp(sb.urls.submission, { tls, timeouts: TIMEOUTS });
  await smtp.ehlo('client.test');
  const upgraded = await smtp.starttls();
  const out = [imap.tls!, pop.tls!, smtps.tls!, upgraded.tls!];
  for (const c of [imap, pop, smtps, smtp]) c.destroy();
  return out;
}

describe('certificate faults', () => {
  it.each([
    ['cert-expired', 'CERT_HAS_EXPIRED'],
    ['cert-not-yet-valid', 'CERT_NOT_YET_VALID'],
    ['cert-self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['chain-missing-intermediate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ])('%s → chainError %s on every TLS port', async (fault, code) => {
    for (const f of await facts(fault)) {
      expect(f.chainError).toBe(code);
      expect(f.verified).toBe(false);
      expect(f.insecure).toBe(true);
    }
  });

  it('cert-expired without --insecure fails with ETLS_VERIFY', async () => {
    sb = await startSandbox({ faults: ['cert-expired'], seed: false });
    const err = await connectImap(sb.urls.imaps, { tls: tlsOf(sb), timeouts: TIMEOUTS }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETLS_VERIFY')).toBe(true);
  });

  it('cert-wrong-host → a trusted chain whose name does not match', async () => {
    for (const f of await facts('cert-wrong-host')) {
      expect(f.chainTrusted).toBe(true);
      expect(f.hostnameMatches).toBe(false);
      expect(f.chain[0]?.san).toEqual(['wrong-host.mailprobe.invalid']);
    }
  });

  it('chain-missing-intermediate → only the leaf is sent', async () => {
    const [f] = await facts('chain-missing-intermediate');
    expect(f!.chain).toHaveLength(1);
    expect(f!.chain[0]?.selfSigned).toBe(false);
  });

  it('cert-expiring-soon → verified, expiring within a week', async () => {
    for (const f of await facts('cert-expiring-soon')) {
      expect(f.verified).toBe(true);
      expect(Date.parse(f.chain[0]!.notAfter) - Date.now()).toBeLessThan(7 * 86_400_000);
    }
  });

  it('cert-weak-key → a 1024-bit RSA leaf; cert-sha1 → a SHA-1 signature', async () => {
    for (const f of await facts('cert-weak-key')) expect(f.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 1024 });
    for (const f of await facts('cert-sha1')) expect(f.chain[0]?.signatureAlgorithm).toBe('ecdsaWithSHA1');
  });
});

describe('tls-legacy-only', () => {
  it('refuses TLS 1.2+ clients and accepts TLS 1.0 and 1.1 at security level 0', async () => {
    sb = await startSandbox({ faults: ['tls-legacy-only'], seed: false });
    const modern = await connectImap(sb.urls.imaps, { tls: tlsOf(sb), timeouts: TIMEOUTS }).catch((e: unknown) => e);
    expect(isMailprobeError(modern, 'ETLS_HANDSHAKE')).toBe(true);
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      const c = await connectImap(sb.urls.imaps, { tls: { ...tlsOf(sb), ...singleVersionOptions(version) }, timeouts: TIMEOUTS });
      expect(c.tls?.protocol).toBe(version);
      expect(c.tls?.verified).toBe(true);
      c.destroy();
    }
  });

  it('without the fault, TLS 1.1 is refused and TLS 1.3 is used', async () => {
    sb = await startSandbox({ seed: false });
    const old = await connectPop3(sb.urls.pop3s, { tls: { ...tlsOf(sb), ...singleVersionOptions('TLSv1.1') }, timeouts: TIMEOUTS }).catch((e: unknown) => e);
    expect(isMailprobeError(old, 'ETLS_HANDSHAKE')).toBe(true);
    const c = await connectPop3(sb.urls.pop3s, { tls: tlsOf(sb), timeouts: TIMEOUTS });
    expect(c.tls?.protocol).toBe('TLSv1.3');
    c.destroy();
  });
});
