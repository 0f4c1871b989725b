/**
 * The DNS wire format and the stub resolver: messages built by hand (name compression, hostile
 * pointers, truncated data), then the client against the test DNS server (every record type,
 * CNAME chains, NXDOMAIN vs NODATA, SERVFAIL failover, a silent server's deadline, truncation
 * and the retry over TCP, the AD bit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsClient, parseDnsServer, type DnsClient } from '../../engine/domain/dns-client.js';
import { decodeMessage, encodeQuery, formatIpv6, RRTYPE, WireError } from '../../engine/domain/dns-wire.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

/** A response to `example.test MX` with two MX records whose names use compression pointers. */
function mxResponse(): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x81, 0xa0, 0, 1, 0, 2, 0, 0, 0, 0]); // QR RD RA AD
  const question = Buffer.from([7, ...Buffer.from('example'), 4, ...Buffer.from('test'), 0, 0, 15, 0, 1]);
  // Answer 1: owner = pointer to 12; MX 10 mail.<pointer to 12>
  const rdata1 = Buffer.from([0, 10, 4, ...Buffer.from('mail'), 0xc0, 12]);
  const rr1 = Buffer.concat([Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, rdata1.length]), rdata1]);
  // Answer 2: MX 20 pointing at the exchange of answer 1 ("mail.example.test").
  const exchangeOffset = 12 + question.length + 12 + 2;
  const rdata2 = Buffer.from([0, 20, 0xc0, exchangeOffset]);
  const rr2 = Buffer.concat([Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, rdata2.length]), rdata2]);
  return Buffer.concat([header, question, rr1, rr2]);
}

describe('DNS wire format', () => {
  it('decodes compressed names, flags and MX records', () => {
    const m = decodeMessage(mxResponse());
    expect(m).toMatchObject({ id: 0x1234, response: true, authenticated: true, truncated: false, rcode: 0, question: { name: 'example.test', type: RRTYPE.MX } });
    expect(m.answers.map((r) => r.value)).toEqual([
      { preference: 10, exchange: 'mail.example.test' },
      { preference: 20, exchange: 'mail.example.test' },
    ]);
  });

  it('rejects every truncation of a message, and pointer loops, with WireError', () => {
    const full = mxResponse();
    for (let n = 0; n < full.length; n++) {
      const cut = full.subarray(0, n);
      let result: unknown;
      try {
        result = decodeMessage(cut);
      } catch (err) {
        result = err;
      }
      // A cut inside the answers is an error; a cut exactly between records cannot be told apart.
      if (!(result instanceof WireError)) expect((result as { answers: unknown[] }).answers.length, `cut at ${n}`).toBeLessThan(2);
    }
    const loop = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(() => decodeMessage(loop)).toThrow(/pointer loop/);
  });

  it('encodes a query with RD, AD and an EDNS0 OPT record (DO set)', () => {
    const q = encodeQuery(0xbeef, 'Mail.Example.Test.', RRTYPE.TLSA);
    expect(q.readUInt16BE(0)).toBe(0xbeef);
    expect(q.readUInt16BE(2)).toBe(0x0120);
    expect([q.readUInt16BE(4), q.readUInt16BE(10)]).toEqual([1, 1]);
    expect(q.subarray(12, 31).toString('latin1')).toBe('\x04mail\x07example\x04test\x00');
    expect(q.readUInt16BE(31)).toBe(52);
    expect(q.readUInt32BE(q.length - 6)).toBe(0x8000);
    expect(() => encodeQuery(1, `${'a'.repeat(64)}.test`, 1)).toThrow(WireError);
  });

  it('writes IPv6 addresses the RFC 5952 way', () => {
    const v6 = (hex: string): string => formatIpv6(Buffer.from(hex, 'hex'));
    expect(v6('00000000000000000000000000000001')).toBe('::1');
    expect(v6('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1');
    expect(v6('20010db8000100010001000100010001')).toBe('2001:db8:1:1:1:1:1:1');
    expect(v6('00000000000000000000000000000000')).toBe('::');
  });
});

describe('DNS client against the test server', () => {
  let server: TestDnsServer;
  let dns: DnsClient;
  beforeAll(async () => {
    server = await startDnsServer(
      {
        'example.test': { MX: [[20, 'b.example.test'], [10, 'a.example.test']], TXT: [['v=spf1 ', '-all']] },
        'a.example.test': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
        'alias.example.test': { CNAME: 'a.example.test' },
        'loop1.test': { CNAME: 'loop2.test' },
        'loop2.test': { CNAME: 'loop1.test' },
        '_25._tcp.a.example.test': { TLSA: [[3, 1, 1, 'ab'.repeat(32)]] },
        '_imaps._tcp.example.test': { SRV: [[0, 1, 993, 'imap.example.test']] },
        'big.test': { TXT: Array.from({ length: 40 }, (_, i) => `record ${i} ${'x'.repeat(60)}`) },
      },
      { servfail: ['broken.test'], silent: ['silent.test'], truncate: ['big.test'], signed: ['_25._tcp.a.example.test'] },
    );
    dns = createDnsClient({ servers: [parseDnsServer(server.address)], timeoutMs: 600 });
  });
  afterAll(async () => server?.close());

  it('reads each record type; TXT strings stay separate', async () => {
    expect((await dns.lookup('example.test', 'MX')).records).toEqual([
      { preference: 20, exchange: 'b.example.test' },
      { preference: 10, exchange: 'a.example.test' },
    ]);
    expect((await dns.lookup('example.test', 'TXT')).records).toEqual([['v=spf1 ', '-all']]);
    expect((await dns.lookup('a.example.test', 'AAAA')).records).toEqual(['2001:db8::1']);
    expect((await dns.lookup('_imaps._tcp.example.test', 'SRV')).records).toEqual([{ priority: 0, weight: 1, port: 993, target: 'imap.example.test' }]);
    const tlsa = await dns.lookup('_25._tcp.a.example.test', 'TLSA');
    expect(tlsa).toMatchObject({ status: 'ok', authenticated: true, records: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }] });
    expect((await dns.lookup('a.example.test', 'A')).authenticated).toBe(false);
  });

  it('follows CNAMEs, and stops at a loop', async () => {
    expect(await dns.lookup('alias.example.test', 'A')).toMatchObject({ status: 'ok', records: ['192.0.2.1'], aliases: ['a.example.test'] });
    expect(await dns.lookup('loop1.test', 'A')).toMatchObject({ status: 'error', error: 'a CNAME loop or a chain of more than 8 CNAMEs', records: [] });
  });

  it('tells NXDOMAIN from NODATA', async () => {
    expect((await dns.lookup('nothing.test', 'A')).status).toBe('nxdomain');
    expect(await dns.lookup('example.test', 'A')).toMatchObject({ status: 'ok', records: [] });
  });

  it('SERVFAIL is an error; another server is asked first', async () => {
    expect(await dns.lookup('broken.test', 'A')).toMatchObject({ status: 'error', error: 'SERVFAIL from the resolver' });
    const two = createDnsClient({ servers: [parseDnsServer(server.address), parseDnsServer(server.address)], timeoutMs: 600 });
    const before = server.log.length;
    await two.lookup('broken.test', 'A');
    expect(server.log.slice(before)).toEqual(['broken.test A', 'broken.test A', 'broken.test A', 'broken.test A']);
  });

  it('a silent server costs the deadline, not more', async () => {
    const t0 = performance.now();
    const r = await dns.lookup('silent.test', 'A');
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/no answer from 127\.0\.0\.1:\d+ within \d+ ms/);
    expect(performance.now() - t0).toBeLessThan(1_500);
  });

  it('a truncated answer is fetched again over TCP', async () => {
    const before = server.log.length;
    const r = await dns.lookup('big.test', 'TXT');
    expect(r.records).toHaveLength(40);
    expect(server.log.slice(before)).toEqual(['big.test TXT', 'TCP big.test TXT']);
  });

  it('parses --resolver values', () => {
    expect(parseDnsServer('127.0.0.1:5353')).toEqual({ address: '127.0.0.1', port: 5353 });
    expect(parseDnsServer('[::1]:53')).toEqual({ address: '::1', port: 53 });
    expect(parseDnsServer('::1')).toEqual({ address: '::1', port: 53 });
    expect(parseDnsServer('192.0.2.53')).toEqual({ address: '192.0.2.53', port: 53 });
    expect(() => parseDnsServer('dns.example:53')).toThrow(/IP address/);
    expect(() => parseDnsServer('127.0.0.1:70000')).toThrow(/port/);
  });
});
