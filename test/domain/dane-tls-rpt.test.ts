/**
 * DANE (RFC 7672) and TLS-RPT (RFC 8460) end to end. The TLSA records at _25._tcp.mail.test
 * change per case (this file's DNS server is its own, and its cases run one after another);
 * their data is computed from the chain the lab's Postfix presents.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { runDiagnose } from '../diagnose/run-diagnose.js';
import type { DnsFaults, ZoneEntry } from './dns-server.js';
import { findingOf, serious, startWorld, type World } from './world.js';

const lab = inject('lab');
let world: World;
const TLSA_NAME = '_25._tcp.mail.test';

beforeAll(async () => {
  world = await startWorld(lab);
});
afterAll(async () => world?.close());
beforeEach(() => {
  delete world.dns.zone[TLSA_NAME];
  (world.dns.faults as DnsFaults & { signed?: string[] }).signed = [];
});

const publish = (records: NonNullable<ZoneEntry['TLSA']>): void => {
  world.dns.zone[TLSA_NAME] = { TLSA: records };
};

describe('DANE TLSA records at _25._tcp.MX', () => {
  it('3 1 1 (DANE-EE, SPKI, SHA-256 of the leaf key) matches: nothing to report', async () => {
    publish([[3, 1, 1, world.leafSpkiSha256]]);
    const r = await runDiagnose(world.args('good.test'));
    expect(serious(r.report)).toEqual([]);
    expect(r.console).toContain('DANE mail.test: 1 TLSA record (no AD bit: DNSSEC not verified)');
  });

  it('2 0 1 (DANE-TA, whole intermediate certificate, SHA-256) matches', async () => {
    publish([[2, 0, 1, world.intermediateSha256]]);
    expect(serious((await runDiagnose(world.args('good.test'))).report)).toEqual([]);
  });

  it('2 1 2 (DANE-TA, intermediate key, SHA-512) matches; a stale record beside it does no harm', async () => {
    publish([
      [3, 1, 1, '00'.repeat(32)],
      [2, 1, 2, world.intermediateSpkiSha512],
    ]);
    expect(serious((await runDiagnose(world.args('good.test'))).report)).toEqual([]);
  });

  it('records that match nothing are dane.tlsa-mismatch on every address, high without the AD bit', async () => {
    publish([[3, 1, 1, 'ab'.repeat(32)]]);
    const r = await runDiagnose(world.args('good.test'));
    expect(serious(r.report)).toEqual(['dane.tlsa-mismatch high']);
    const f = findingOf(r.report, 'dane.tlsa-mismatch');
    expect(f.target).toBe('mail.test:25');
    expect(f.detail).toContain('127.0.0.1:25: no usable TLSA record at _25._tcp.mail.test matches the leaf or a CA certificate of the chain mail.test presents');
    expect(f.detail).toContain('[::1]:25:');
    expect(f.detail).toContain('did not set the AD bit');
    expect(f.evidence.some((e) => e.startsWith('I: chain[0] CN=mail.test') && e.includes(world.leafSpkiSha256))).toBe(true);
    expect(r.code).toBe(1);
  });

  it('with the AD bit (a validating resolver vouches for the records) a mismatch is critical', async () => {
    publish([[3, 1, 1, 'ab'.repeat(32)]]);
    (world.dns.faults as DnsFaults & { signed?: string[] }).signed = [TLSA_NAME];
    const r = await runDiagnose(world.args('good.test'));
    expect(serious(r.report)).toEqual(['dane.tlsa-mismatch critical']);
    expect(findingOf(r.report, 'dane.tlsa-mismatch').detail).toContain('The resolver set the AD bit');
  });

  it('PKIX usages (0, 1) are dane.tlsa-unusable (low): SMTP clients ignore them', async () => {
    publish([[1, 1, 1, world.leafSpkiSha256]]);
    const r = await runDiagnose(world.args('good.test'));
    expect(serious(r.report)).toEqual(['dane.tlsa-unusable low']);
  });
});

describe('TLS-RPT record at _smtp._tls', () => {
  it('missing while MTA-STS is deployed: tls-rpt.record-missing (low)', async () => {
    const r = await runDiagnose(world.args('rpt-missing.test'));
    expect(serious(r.report)).toEqual(['tls-rpt.record-missing low']);
    expect(findingOf(r.report, 'tls-rpt.record-missing').detail).toContain('although the domain uses MTA-STS');
  });

  it('a rua that is neither mailto: nor https: is tls-rpt.record-invalid', async () => {
    const r = await runDiagnose(world.args('rpt-bad.test'));
    expect(serious(r.report)).toEqual(['tls-rpt.record-invalid medium']);
    expect(findingOf(r.report, 'tls-rpt.record-invalid').detail).toContain('rua "ftp://reports.example.test/" is neither mailto: nor https:');
  });

  it('two v=TLSRPTv1 records are tls-rpt.record-invalid', async () => {
    const r = await runDiagnose(world.args('rpt-dup.test'));
    expect(serious(r.report)).toEqual(['tls-rpt.record-invalid medium']);
  });
});
