/**
 * The text formats of domain mode, without sockets: MTA-STS records and policies (RFC 8461
 * §3.1, §3.2), MX pattern matching (§4.1), TLS-RPT records (RFC 8460 §3), --connect-to.
 */
import { describe, expect, it } from 'vitest';
import { overrideFor, parseConnectTo } from '../../engine/domain/connect-to.js';
import { judgeStsRecords, mxMatches, parseStsPolicy, parseStsRecord } from '../../engine/domain/mta-sts-policy.js';
import { judgeTlsRptRecords, parseTlsRptRecord } from '../../engine/domain/tls-rpt.js';

describe('MTA-STS TXT record', () => {
  it('accepts the forms senders accept', () => {
    expect(parseStsRecord('v=STSv1; id=20160831085700Z;')).toEqual({ id: '20160831085700Z' });
    expect(parseStsRecord('v=STSv1;id=abc')).toEqual({ id: 'abc' });
    expect(parseStsRecord('v=STSv1 ; id=1 ; ext_1=some-value')).toEqual({ id: '1' });
  });

  it('names what is malformed', () => {
    expect(parseStsRecord('v=STSv1')).toMatch(/no id field/);
    expect(parseStsRecord('v=STSv1; id=')).toMatch(/id "" is not/);
    expect(parseStsRecord(`v=STSv1; id=${'a'.repeat(33)}`)).toMatch(/1 to 32/);
    expect(parseStsRecord('v=STSv1; id=1; id=2')).toMatch(/more than one id/);
    expect(parseStsRecord('v=STSv1; id=1; bad field')).toMatch(/is not a field/);
  });

  it('judges the record set as senders do: exactly one v=STSv1 record', () => {
    expect(judgeStsRecords([])).toEqual({ kind: 'missing' });
    expect(judgeStsRecords(['v=spf1 -all', 'v=STSv1; id=1'])).toMatchObject({ kind: 'ok', record: { id: '1' } });
    expect(judgeStsRecords(['v=STSv1; id=1', 'v=STSv1; id=2'])).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('2 records') });
    expect(judgeStsRecords(['v=STSv10; id=1'])).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('no TXT record at _mta-sts begins with') });
  });
});

describe('MTA-STS policy', () => {
  it('parses a policy, CRLF or LF, unknown fields ignored', () => {
    expect(parseStsPolicy('version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n')).toEqual({
      policy: { mode: 'enforce', maxAge: 604800, mx: ['mail.example.com', '*.example.net'] },
    });
    expect(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 0\nfuture_field: x\n')).toEqual({ policy: { mode: 'none', maxAge: 0, mx: [] } });
  });

  it('lists every reason a policy is invalid', () => {
    const bad = (text: string): string[] => {
      const r = parseStsPolicy(text);
      return 'errors' in r ? r.errors : [];
    };
    expect(bad('mode: enforce\nmx: a.test\nmax_age: 1\n')).toEqual(['no version field (version: STSv1)']);
    expect(bad('version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n')).toEqual(['version is "STSv2", not STSv1']);
    expect(bad('version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n')).toEqual(['mode is "strict", not enforce, testing or none']);
    expect(bad('version: STSv1\nmode: enforce\nmax_age: 1\n')).toEqual(['mode enforce without any mx field']);
    expect(bad('version: STSv1\nmode: testing\nmx: a.test\nmax_age: 31557601\n')).toEqual(['max_age 31557601 is above the limit of 31557600 seconds']);
    expect(bad('version: STSv1\nmode: testing\nmx: a.test\nmax_age: -1\n')).toEqual(['max_age "-1" is not a number of seconds']);
    expect(bad('version: STSv1\nmode: testing\nmode: enforce\nmx: a.test\nmax_age: 1\n')).toEqual(['mode appears more than once']);
    expect(bad('version: STSv1\nmode: testing\nmx: bad host!\nmax_age: 1\n')).toEqual(['mx "bad host!" is not a host name or *.domain pattern']);
    expect(bad('<html>policy</html>\n')[0]).toMatch(/line 1 is not "name: value"/);
  });

  it('matches MX hosts: exact, or *. covering exactly the left-most label', () => {
    expect(mxMatches('mail.example.com', 'MAIL.example.com.')).toBe(true);
    expect(mxMatches('*.example.net', 'mx1.example.net')).toBe(true);
    expect(mxMatches('*.example.net', 'example.net')).toBe(false);
    expect(mxMatches('*.example.net', 'a.b.example.net')).toBe(false);
    expect(mxMatches('*.example.net', 'mx1.example.org')).toBe(false);
    expect(mxMatches('mail.example.com', 'mail2.example.com')).toBe(false);
  });
});

describe('TLS-RPT record', () => {
  it('accepts mailto: and https: destinations, several of them', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:reports@example.com')).toEqual({ rua: ['mailto:reports@example.com'] });
    expect(parseTlsRptRecord('v=TLSRPTv1;rua=mailto:a@example.com,https://reports.example.com/v1')).toEqual({ rua: ['mailto:a@example.com', 'https://reports.example.com/v1'] });
  });

  it('names what is malformed', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1')).toMatch(/no rua field/);
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:not-an-address')).toMatch(/not mailto: followed by an address/);
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=http://example.com/')).toMatch(/neither mailto: nor https:/);
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com')).toMatch(/more than one rua/);
  });

  it('judges the record set: exactly one v=TLSRPTv1 record', () => {
    expect(judgeTlsRptRecords([])).toEqual({ kind: 'missing' });
    expect(judgeTlsRptRecords(['v=TLSRPTv1; rua=mailto:a@example.com', 'v=TLSRPTv1; rua=mailto:b@example.com'])).toMatchObject({ kind: 'invalid' });
    expect(judgeTlsRptRecords(['v=spf1 -all'])).toMatchObject({ kind: 'invalid' });
  });
});

describe('hostile record and policy texts (found by npm run fuzz)', () => {
  /** The result, and how long it took: each text below took 3 to 9 s before the fix (backtracking). */
  const timed = <T>(fn: () => T): [T, number] => {
    const t0 = performance.now();
    const out = fn();
    return [out, performance.now() - t0];
  };
  const spaces = ' '.repeat(65_536);

  it('64 KiB runs of spaces in a record or a policy line are read in linear time, with the same verdicts', () => {
    const [sts, stsMs] = timed(() => parseStsRecord(`v=STSv1${spaces}x`));
    expect(sts).toMatch(/must begin with "v=STSv1"/);
    const [rpt, rptMs] = timed(() => parseTlsRptRecord(`v=TLSRPTv1; rua=mailto:a@example.com${spaces}x`));
    expect(rpt).toMatch(/not mailto: followed by an address/);
    const [policy, policyMs] = timed(() => parseStsPolicy(`version: STSv1\nmx:${spaces}\rx\n`));
    expect(policy).toMatchObject({ errors: expect.arrayContaining([expect.stringMatching(/^line 2 is not "name: value"/)]) });
    const [trailing, trailingMs] = timed(() => parseStsPolicy(`version:${spaces}x${spaces}\n`));
    expect(trailing).toMatchObject({ errors: expect.arrayContaining([expect.stringMatching(/^version is "x", not STSv1/)]) });
    for (const ms of [stsMs, rptMs, policyMs, trailingMs]) expect(ms).toBeLessThan(500);
  });

  it('spaces and tabs around ";" and "," are still not part of the fields', () => {
    expect(parseStsRecord('v=STSv1 \t;\t id=1 ;  ; ext=2 \t')).toMatch(/"" is not a field/);
    expect(parseStsRecord('v=STSv1 \t;\t id=1 ; ext=2')).toEqual({ id: '1' });
    expect(parseTlsRptRecord('v=TLSRPTv1 ;rua=mailto:a@example.com \t, \thttps://r.example.com/ ')).toEqual({ rua: ['mailto:a@example.com', 'https://r.example.com/ '] });
  });
});

describe('--connect-to', () => {
  it('parses names, addresses, IPv6 in brackets and * for any host', () => {
    expect(parseConnectTo('mx.example.org:25=127.0.0.1:2525')).toEqual({ fromHost: 'mx.example.org', fromPort: 25, toHost: '127.0.0.1', toPort: 2525 });
    expect(parseConnectTo('[::1]:25=[::1]:2526')).toEqual({ fromHost: '::1', fromPort: 25, toHost: '::1', toPort: 2526 });
    expect(parseConnectTo('*:443=127.0.0.1:8443')).toMatchObject({ fromHost: undefined, fromPort: 443 });
    expect(parseConnectTo(':443=127.0.0.1:8443')).toMatchObject({ fromHost: undefined });
    expect(() => parseConnectTo('mx:25')).toThrow(/FROM=TO/);
    expect(() => parseConnectTo('mx:25=127.0.0.1')).toThrow(/HOST:PORT/);
    expect(() => parseConnectTo('mx:25=*:25')).toThrow(/TO needs a host/);
    expect(() => parseConnectTo('mx:0=a:1')).toThrow(/HOST:PORT/);
  });

  it('prefers the host name, then the address, then *', () => {
    const rules = ['*:25=10.0.0.1:1', '127.0.0.1:25=10.0.0.2:2', 'mx.test:25=10.0.0.3:3'].map(parseConnectTo);
    expect(overrideFor(rules, ['mx.test', '127.0.0.1'], 25)).toEqual({ host: '10.0.0.3', port: 3 });
    expect(overrideFor(rules, ['other.test', '127.0.0.1'], 25)).toEqual({ host: '10.0.0.2', port: 2 });
    expect(overrideFor(rules, ['other.test', '192.0.2.1'], 25)).toEqual({ host: '10.0.0.1', port: 1 });
    expect(overrideFor(rules, ['mx.test'], 587)).toBeUndefined();
  });
});
