/**
 * MTA-STS end to end: the test DNS publishes `_mta-sts` records, the HTTPS policy server serves
 * (or fails to serve) policies, the lab's Postfix is the MX. Each case breaks one thing and
 * expects exactly its finding — and nothing else above info.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDiagnose } from '../diagnose/run-diagnose.js';
import { findingOf, serious, startWorld, type World } from './world.js';

const lab = inject('lab');
let world: World;

beforeAll(async () => {
  world = await startWorld(lab);
});
afterAll(async () => world?.close());

describe('MTA-STS record (RFC 8461 §3.1)', () => {
  it('a correct domain yields nothing above info, exit 0, and fetches the policy once', async () => {
    const r = await runDiagnose(world.args('good.test'));
    expect(serious(r.report)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.ports?.map((p) => [p.host, p.port, p.observed])).toEqual([
      ['127.0.0.1', 25, 'smtp-starttls'],
      ['::1', 25, 'smtp-starttls'],
    ]);
    expect(r.report.targets).toEqual(['good.test', 'smtp://mail.test:25']);
    expect(world.policy.log).toContain('mta-sts.good.test /.well-known/mta-sts.txt');
    expect(r.console).toContain('MTA-STS policy: mode enforce, max_age 604800, mx mail.test');
  });

  it('a missing record is mta-sts.record-missing (low), and the policy is not fetched', async () => {
    const r = await runDiagnose(world.args('nosts.test'));
    expect(serious(r.report)).toEqual(['mta-sts.record-missing low']);
    expect(world.policy.log.some((l) => l.startsWith('mta-sts.nosts.test'))).toBe(false);
    expect(r.code).toBe(0);
  });

  it('two v=STSv1 records are mta-sts.record-invalid', async () => {
    const r = await runDiagnose(world.args('sts-dup.test'));
    expect(serious(r.report)).toEqual(['mta-sts.record-invalid high']);
    expect(findingOf(r.report, 'mta-sts.record-invalid').detail).toContain('2 records begin with "v=STSv1"');
    expect(r.code).toBe(1);
  });

  it('a malformed id is mta-sts.record-invalid naming it', async () => {
    const r = await runDiagnose(world.args('sts-bad.test'));
    expect(serious(r.report)).toEqual(['mta-sts.record-invalid high']);
    expect(findingOf(r.report, 'mta-sts.record-invalid').detail).toContain('id "not-alphanumeric!" is not 1 to 32 letters and digits');
  });

  it('TXT records that are not v=STSv1 are mta-sts.record-invalid, not missing', async () => {
    const r = await runDiagnose(world.args('sts-other.test'));
    expect(serious(r.report)).toEqual(['mta-sts.record-invalid high']);
    expect(findingOf(r.report, 'mta-sts.record-invalid').evidence).toEqual(['I: TXT "v=spf1 -all"', 'I: TXT "v=STSv2; id=1"']);
  });
});

describe('MTA-STS policy fetch (RFC 8461 §3.3)', () => {
  const fetchError = async (domain: string, ...extra: string[]): Promise<string> => {
    const r = await runDiagnose(world.args(domain, ...extra));
    expect(serious(r.report)).toEqual(['mta-sts.policy-fetch-error high']);
    expect(r.code).toBe(1);
    return findingOf(r.report, 'mta-sts.policy-fetch-error').detail;
  };

  it('404', async () => {
    expect(await fetchError('sts-404.test')).toContain('HTTP 404');
  });

  it('a redirect is not followed', async () => {
    const detail = await fetchError('sts-redirect.test');
    expect(detail).toContain('HTTP 301 redirect to https://www.sts-redirect.test/.well-known/mta-sts.txt');
    expect(world.policy.log.filter((l) => l.startsWith('www.'))).toEqual([]);
  });

  it('a content type other than text/plain', async () => {
    expect(await fetchError('sts-ctype.test')).toContain('served as "text/html; charset=utf-8", not text/plain');
  });

  it('a policy over 64 KiB, with Content-Length and chunked', async () => {
    expect(await fetchError('sts-big.test')).toMatch(/policy is \d+ bytes, more than the 65536 bytes/);
    expect(await fetchError('sts-bigchunked.test')).toContain('more than 65536 bytes');
  });

  it('a certificate for another name (TLS name mismatch)', async () => {
    expect(await fetchError('sts-name.test')).toMatch(/certificate of mta-sts\.sts-name\.test is not valid for it: it does not name mta-sts\.sts-name\.test/);
  });

  it('a policy host without an address', async () => {
    expect(await fetchError('sts-nohost.test')).toContain('mta-sts.sts-nohost.test has no A or AAAA record (NXDOMAIN)');
  });

  it('a server that never answers: the deadline, well within the run', async () => {
    const t0 = performance.now();
    const detail = await fetchError('sts-slow.test', '--timeout', '700ms');
    expect(detail).toContain('no complete answer from mta-sts.sts-slow.test within 700 ms');
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('MTA-STS policy and MX hosts (RFC 8461 §3.2, §4)', () => {
  it('an invalid policy names every problem', async () => {
    const r = await runDiagnose(world.args('sts-invalid.test'));
    expect(serious(r.report)).toEqual(['mta-sts.policy-invalid high']);
    const detail = findingOf(r.report, 'mta-sts.policy-invalid').detail;
    expect(detail).toContain('mode is "enforcing", not enforce, testing or none');
    expect(detail).toContain('max_age 99999999 is above the limit of 31557600 seconds');
  });

  it('an MX no pattern covers is mta-sts.mx-mismatch naming the MX (*.mail.test does not cover mail.test)', async () => {
    const r = await runDiagnose(world.args('sts-mx.test'));
    expect(serious(r.report)).toEqual(['mta-sts.mx-mismatch critical']);
    const f = findingOf(r.report, 'mta-sts.mx-mismatch');
    expect(f.target).toBe('mail.test:25');
    expect(f.detail).toContain('The MX host mail.test matches none of the policy\'s mx patterns (other.example.test, *.mail.test)');
  });

  it('a wildcard covering the MX is fine', async () => {
    const r = await runDiagnose(world.args('sts-wild.test'));
    expect(serious(r.report)).toEqual([]);
  });

  it('an MX whose certificate does not name it, in enforce mode, is mta-sts.cert-invalid (critical)', async () => {
    const r = await runDiagnose(world.args('sts-cert.test'));
    // The host-level certificate finding is real too (medium on an MX).
    expect(serious(r.report)).toEqual(['mta-sts.cert-invalid critical', 'tls.cert.hostname-mismatch medium']);
    const f = findingOf(r.report, 'mta-sts.cert-invalid');
    expect(f.target).toBe('mx.sts-cert.test:25');
    expect(f.detail).toContain('the certificate does not name mx.sts-cert.test');
    expect(r.code).toBe(1);
  });

  it('the same in testing mode is medium: senders still deliver', async () => {
    const r = await runDiagnose(world.args('sts-testing.test'));
    expect(serious(r.report)).toEqual(['mta-sts.cert-invalid medium', 'tls.cert.hostname-mismatch medium']);
    expect(r.code).toBe(0);
  });

  it('--insecure turns the certificate verdict into info', async () => {
    const r = await runDiagnose(world.args('sts-cert.test', '--insecure'));
    expect(findingOf(r.report, 'mta-sts.cert-invalid').severity).toBe('info');
  });
});
