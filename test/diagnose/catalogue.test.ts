import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, FINDING_IDS } from '../../engine/diagnose/index.js';

describe('finding catalogue', () => {
  it('keeps the stable ids users filter by (DESIGN.md "Diagnose: finding ids")', () => {
    expect([...FINDING_IDS].sort()).toEqual(
      [
        'port.closed',
        'port.timeout',
        'port.silent',
        'port.closed-after-greeting',
        'port.closed-after-command',
        'port.service-unavailable',
        'port.wrong-protocol',
        'port.plaintext-on-implicit-tls-port',
        'port.tls-on-plaintext-port',
        'port.rate-limited',
        'starttls.not-offered',
        'starttls.failed',
        'starttls.readvertised-after-tls',
        'starttls.command-injection',
        'tls.cert.expired',
        'tls.cert.not-yet-valid',
        'tls.cert.expiring-soon',
        'tls.cert.hostname-mismatch',
        'tls.cert.self-signed',
        'tls.cert.untrusted',
        'tls.chain.incomplete',
        'tls.cert.weak-key',
        'tls.cert.weak-signature',
        'tls.version.legacy',
        'tls.version.no-tls12',
        'auth.plaintext-before-tls',
        'auth.plaintext-accepted',
        'auth.not-offered',
        'auth.preauth-greeting',
        'tls.cert.differs-between-ports',
        // Not in DESIGN.md yet: a TLS port on which no handshake completes; a reply that broke
        // the grammar or a size limit, on which mailprobe hung up.
        'tls.handshake-failed',
        'port.malformed-reply',
        // Domain mode (DESIGN.md "domain level").
        'dns.no-mx',
        'dns.address-unreachable',
        'mta-sts.record-missing',
        'mta-sts.record-invalid',
        'mta-sts.policy-fetch-error',
        'mta-sts.policy-invalid',
        'mta-sts.mx-mismatch',
        'mta-sts.cert-invalid',
        'tls-rpt.record-missing',
        'tls-rpt.record-invalid',
        'dane.tlsa-mismatch',
        // Domain mode, not in DESIGN.md yet: an MX without addresses, a lookup without an
        // answer, TLSA records no SMTP client can use.
        'dns.mx-no-address',
        'dns.lookup-failed',
        'dane.tlsa-unusable',
      ].sort(),
    );
  });

  it('gives each id a title, why and a fix naming server settings', () => {
    for (const id of FINDING_IDS) {
      const e = CATALOGUE[id];
      expect(e.title.length, id).toBeGreaterThan(5);
      expect(e.why, id).toMatch(/\.$/);
      expect(e.fix.length, id).toBeGreaterThan(40);
    }
    // MTA-STS and TLS-RPT records are fixed in DNS and on a web server, not in the mail server:
    // their fixes name the records and web server settings instead.
    const serverLevel = FINDING_IDS.filter((id) => !/^(mta-sts|tls-rpt)\./.test(id));
    const withServerSettings = serverLevel.filter((id) => /Postfix|Dovecot|Exim/.test(CATALOGUE[id].fix));
    expect(withServerSettings.length).toBeGreaterThanOrEqual(serverLevel.length - 3);
  });

  it('is documented in docs/diagnose.md, id by id, with its default severity', async () => {
    const doc = await readFile(new URL('../../docs/diagnose.md', import.meta.url), 'utf8');
    for (const id of FINDING_IDS) {
      const section = new RegExp(`#### \`${id.replace(/\./g, '\\.')}\`\\nSeverity: ([a-z]+)`).exec(doc);
      expect(section, `docs/diagnose.md lacks a section for ${id}`).not.toBeNull();
      expect(section![1], id).toBe(CATALOGUE[id].severity);
    }
  });
});
