/**
 * Properties of the parsers of domain mode (engine/domain), for a short run in the unit suite
 * (test/fuzz/properties.test.ts) and a long run in `npm run fuzz`. Their input comes from
 * servers or the command line:
 *
 * - dns.wire: any bytes, and valid responses (every record type, compressed names) with bytes
 *   replaced, inserted, deleted, turned into compression pointers or cut: decodeMessage returns
 *   a message or throws WireError, nothing else, quickly;
 * - dns.roundTrip: a response written by the independent encoder below decodes to its records;
 * - mta-sts.record, mta-sts.policy, tls-rpt.record: any text (mutated valid ones, token soup,
 *   64 KiB runs of one character) gives a result or the reasons it is invalid, never a throw,
 *   in linear time; the judges in rules.ts turn them into findings without a throw;
 * - cli.connectTo, cli.resolver: any `--connect-to` / `--resolver` value gives a value or
 *   MailprobeError ECONFIG.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { isMailprobeError } from '../../drivers/errors.js';
import { splitList } from '../../bin/args.js';
import { describeOverride, parseConnectTo } from '../../engine/domain/connect-to.js';
import { parseDnsServer, type Lookup } from '../../engine/domain/dns-client.js';
import { decodeMessage, WireError, type DnsMessage, type RecordData } from '../../engine/domain/dns-wire.js';
import { isStsRecord, judgeStsRecords, MAX_AGE_LIMIT, parseStsPolicy, parseStsRecord } from '../../engine/domain/mta-sts-policy.js';
import { judgeMtaSts, judgeTlsRpt } from '../../engine/domain/rules.js';
import { judgeTlsRptRecords, parseTlsRptRecord } from '../../engine/domain/tls-rpt.js';

/** How long one case may take: every input here is at most about 64 KiB, read in linear time. */
export const DOMAIN_CASE_MS = 500;

function timed<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  const ms = performance.now() - t0;
  if (ms > DOMAIN_CASE_MS) throw new Error(`${what} took ${Math.round(ms)} ms (more than ${DOMAIN_CASE_MS} ms)`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// DNS messages: an encoder written from RFC 1035 §4.1, with name compression (§4.1.4).

type Rec = { readonly name: string; readonly klass: number; readonly ttl: number } & (
  | { readonly type: 'A'; readonly bytes: readonly number[] }
  | { readonly type: 'AAAA'; readonly bytes: readonly number[] }
  | { readonly type: 'CNAME'; readonly target: string }
  | { readonly type: 'MX'; readonly preference: number; readonly exchange: string }
  | { readonly type: 'TXT'; readonly strings: readonly string[] }
  | { readonly type: 'SRV'; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  | { readonly type: 'TLSA'; readonly usage: number; readonly selector: number; readonly matchingType: number; readonly data: readonly number[] }
  | { readonly type: 'other'; readonly code: number; readonly rdata: readonly number[] }
);

interface Msg {
  readonly id: number;
  readonly flags: number;
  readonly question: { readonly name: string; readonly type: number } | undefined;
  readonly answers: readonly Rec[];
  readonly compress: boolean;
}

const CODE = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28, SRV: 33, TLSA: 52 } as const;

class Writer {
  readonly bytes: number[] = [];
  private readonly names = new Map<string, number>();
  constructor(private readonly compress: boolean) {}
  u8(...b: number[]): void {
    this.bytes.push(...b);
  }
  u16(n: number): void {
    this.bytes.push((n >> 8) & 0xff, n & 0xff);
  }
  u32(n: number): void {
    this.u16(Math.floor(n / 0x10000));
    this.u16(n & 0xffff);
  }
  name(name: string): void {
    const labels = name.split('.').filter((l) => l.length > 0);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (this.compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.bytes.length < 0x3fff) this.names.set(suffix, this.bytes.length);
      this.u8(labels[i]!.length, ...Buffer.from(labels[i]!, 'latin1'));
    }
    this.u8(0);
  }
}

function encodeMessage(m: Msg): Buffer {
  const w = new Writer(m.compress);
  w.u16(m.id);
  w.u16(m.flags);
  w.u16(m.question ? 1 : 0);
  w.u16(m.answers.length);
  w.u16(0);
  w.u16(0);
  if (m.question) {
    w.name(m.question.name);
    w.u16(m.question.type);
    w.u16(1);
  }
  for (const r of m.answers) {
    w.name(r.name);
    w.u16(r.type === 'other' ? r.code : CODE[r.type]);
    w.u16(r.klass);
    w.u32(r.ttl);
    const lengthAt = w.bytes.length;
    w.u16(0);
    switch (r.type) {
      case 'A':
      case 'AAAA':
        w.u8(...r.bytes);
        break;
      case 'CNAME':
        w.name(r.target);
        break;
      case 'MX':
        w.u16(r.preference);
        w.name(r.exchange);
        break;
      case 'TXT':
        for (const s of r.strings) {
          const b = Buffer.from(s, 'utf8');
          w.u8(b.length, ...b);
        }
        break;
      case 'SRV':
        w.u16(r.priority);
        w.u16(r.weight);
        w.u16(r.port);
        w.name(r.target);
        break;
      case 'TLSA':
        w.u8(r.usage, r.selector, r.matchingType, ...r.data);
        break;
      case 'other':
        w.u8(...r.rdata);
        break;
    }
    const length = w.bytes.length - lengthAt - 2;
    w.bytes[lengthAt] = length >> 8;
    w.bytes[lengthAt + 1] = length & 0xff;
  }
  return Buffer.from(w.bytes);
}

/** RFC 5952 text of 16 bytes, by the WHATWG URL serialiser (not the decoder's own formatIpv6). */
function ipv6Text(bytes: readonly number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** What decodeMessage should make of a record (undefined: skipped, not class IN). */
function expectedRecord(r: Rec): (RecordData & { name: string; ttl: number }) | undefined {
  if (r.klass !== 1) return undefined;
  const base = { name: r.name.toLowerCase(), ttl: r.ttl };
  switch (r.type) {
    case 'A':
      return { ...base, type: 'A', value: r.bytes.join('.') };
    case 'AAAA':
      return { ...base, type: 'AAAA', value: ipv6Text(r.bytes) };
    case 'CNAME':
      return { ...base, type: 'CNAME', value: r.target.toLowerCase() };
    case 'MX':
      return { ...base, type: 'MX', value: { preference: r.preference, exchange: r.exchange.toLowerCase() } };
    case 'TXT':
      return { ...base, type: 'TXT', value: [...r.strings] };
    case 'SRV':
      return { ...base, type: 'SRV', value: { priority: r.priority, weight: r.weight, port: r.port, target: r.target.toLowerCase() } };
    case 'TLSA':
      return { ...base, type: 'TLSA', value: { usage: r.usage, selector: r.selector, matchingType: r.matchingType, data: Buffer.from(r.data).toString('hex') } };
    case 'other':
      return { ...base, type: 'other', value: r.code };
  }
}

const label = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('example', 'test', 'mail', 'MX1', '_mta-sts', '_tcp', '_smtp', 'a', 'org') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,63}$/) },
);
const dnsName = fc.array(label, { maxLength: 4 }).map((ls) => ls.join('.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 255 });
const bytesOf = (n: number): fc.Arbitrary<number[]> => fc.array(u8, { minLength: n, maxLength: n });
const txtString = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('v=STSv1; id=1;', 'v=TLSRPTv1; rua=mailto:r@example.test', 'v=spf1 -all', '', 'x'.repeat(255)));

const record: fc.Arbitrary<Rec> = fc
  .record({
    name: dnsName,
    klass: fc.oneof({ weight: 9, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: u16 }),
    ttl: fc.integer({ min: 0, max: 0xffffffff }),
  })
  .chain((base) =>
    fc.oneof(
      bytesOf(4).map((bytes): Rec => ({ ...base, type: 'A', bytes })),
      bytesOf(16).map((bytes): Rec => ({ ...base, type: 'AAAA', bytes })),
      dnsName.map((target): Rec => ({ ...base, type: 'CNAME', target })),
      fc.tuple(u16, dnsName).map(([preference, exchange]): Rec => ({ ...base, type: 'MX', preference, exchange })),
      fc.array(txtString, { maxLength: 3 }).map((strings): Rec => ({ ...base, type: 'TXT', strings })),
      fc.tuple(u16, u16, u16, dnsName).map(([priority, weight, port, target]): Rec => ({ ...base, type: 'SRV', priority, weight, port, target })),
      fc.tuple(u8, u8, u8, fc.array(u8, { maxLength: 64 })).map(([usage, selector, matchingType, data]): Rec => ({ ...base, type: 'TLSA', usage, selector, matchingType, data })),
      fc.tuple(fc.constantFrom(2, 6, 12, 41, 46, 99, 255, 65535), fc.array(u8, { maxLength: 20 })).map(([code, rdata]): Rec => ({ ...base, type: 'other', code, rdata })),
    ),
  );

const message: fc.Arbitrary<Msg> = fc.record({
  id: u16,
  flags: u16,
  question: fc.option(fc.record({ name: dnsName, type: fc.constantFrom(1, 5, 15, 16, 28, 33, 52) }), { nil: undefined }),
  answers: fc.array(record, { maxLength: 6 }),
  compress: fc.boolean(),
});

type ByteEdit = { op: 'replace' | 'insert' | 'delete' | 'pointer' | 'loop' | 'count'; at: number; value: number };
const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({
  op: fc.constantFrom('replace', 'insert', 'delete', 'pointer', 'loop', 'count'),
  at: fc.nat(),
  value: fc.oneof(fc.constantFrom(0, 1, 0x3f, 0x40, 0x80, 0xc0, 0xff, 12), u16),
});

function applyByteEdits(seed: Buffer, edits: readonly ByteEdit[], cut: number | undefined): Buffer {
  const b = [...seed];
  for (const e of edits) {
    const i = b.length === 0 ? 0 : e.at % (b.length + 1);
    switch (e.op) {
      case 'replace':
        if (i < b.length) b[i] = e.value & 0xff;
        break;
      case 'insert':
        b.splice(i, 0, e.value & 0xff);
        break;
      case 'delete':
        b.splice(i, 1);
        break;
      case 'pointer': {
        // A compression pointer inside the message (itself, a loop, a label's middle), or anywhere.
        const to = e.value & 1 ? e.value % (b.length + 2) : e.value;
        b.splice(i, 2, 0xc0 | ((to >> 8) & 0x3f), to & 0xff);
        break;
      }
      case 'loop': // the first name points at a pointer that points back (or at itself)
        if (b.length >= 14) {
          const j = i >= 14 && i < 0x3fff ? i : 12;
          b.splice(j, 2, 0xc0, 12);
          b.splice(12, 2, 0xc0 | (j >> 8), j & 0xff);
        }
        break;
      case 'count': // a section count that lies
        if (b.length >= 12) {
          const at = 4 + 2 * (e.at % 4);
          b[at] = (e.value >> 8) & 0xff;
          b[at + 1] = e.value & 0xff;
        }
        break;
    }
  }
  return Buffer.from(cut === undefined ? b : b.slice(0, cut % (b.length + 1)));
}

/** What the decoder gets: mutated valid responses, a header over random bytes, random bytes. */
export const dnsBytes: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(message, fc.array(byteEdit, { maxLength: 4 }), fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat() }))
      .map(([m, edits, cut]) => applyByteEdits(encodeMessage(m), edits, cut)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(u16, u16, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 600 }), fc.uint8Array({ maxLength: 300 }))
      .map(([id, flags, qd, an, body]) => Buffer.concat([Buffer.from([id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, an >> 8, an & 0xff, 0, 0, 0, 0]), body])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)) },
);

/** A few invariants of a decoded message, whatever the bytes were. */
function sane(m: DnsMessage): string | undefined {
  if (m.answers.length > 512) return `${m.answers.length} answers`;
  for (const r of m.answers) {
    if (r.name.length > 255) return `owner of ${r.name.length} characters`;
    if (r.type === 'A' && isIP(r.value) !== 4) return `A ${r.value}`;
    if (r.type === 'AAAA' && isIP(r.value) !== 6) return `AAAA ${r.value}`;
  }
  return undefined;
}

export const domainProperties = {
  /** Any bytes: a message or WireError, never another throw, quickly. */
  dnsWire: () =>
    fc.property(dnsBytes, (bytes) => {
      let m: DnsMessage;
      try {
        m = timed('decodeMessage', () => decodeMessage(bytes));
      } catch (err) {
        if (err instanceof WireError) return true;
        throw err;
      }
      const problem = sane(m);
      if (problem) throw new Error(`decoded message not sane: ${problem}`);
      return true;
    }),

  /** A response written by the independent encoder decodes to its header, question and records. */
  dnsRoundTrip: () =>
    fc.property(message, (m) => {
      const decoded = decodeMessage(encodeMessage(m));
      const expected = m.answers.map(expectedRecord).filter((r) => r !== undefined);
      const actual = decoded.answers.map((r) => ({ ...r }));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`answers ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
      const q = m.question ? { name: m.question.name.toLowerCase(), type: m.question.type } : undefined;
      if (JSON.stringify(decoded.question) !== JSON.stringify(q)) throw new Error(`question ${JSON.stringify(decoded.question)}`);
      return decoded.id === m.id && decoded.rcode === (m.flags & 0xf) && decoded.truncated === ((m.flags & 0x200) !== 0) && decoded.authenticated === ((m.flags & 0x20) !== 0);
    }),

  /** `_mta-sts` TXT records: a record or a reason, and the judges' findings, never a throw. */
  stsRecord: () =>
    fc.property(fc.array(stsRecordText, { maxLength: 3 }), (texts) => {
      for (const text of texts) {
        const parsed = timed('parseStsRecord', () => parseStsRecord(text));
        if (typeof parsed === 'string' ? parsed.length === 0 : !/^[A-Za-z0-9]{1,32}$/.test(parsed.id)) return false;
        if (typeof parsed !== 'string' && !isStsRecord(text)) return false;
      }
      const verdict = timed('judgeStsRecords', () => judgeStsRecords(texts));
      if (verdict.kind === 'missing' && texts.length > 0) return false;
      const judged = timed('judgeMtaSts', () => judgeMtaSts({ domain: 'example.test', record: lookup(texts), fetch: undefined, mx: [], probes: [], insecure: false }));
      return judged.findings.every((f) => typeof f.id === 'string');
    }),

  /** The policy file: a policy within the RFC's bounds, or a non-empty list of reasons; never a throw. */
  stsPolicy: () =>
    fc.property(policyText, fc.array(dnsName, { maxLength: 3 }), (text, mxNames) => {
      const parsed = timed('parseStsPolicy', () => parseStsPolicy(text));
      if ('errors' in parsed) {
        if (parsed.errors.length === 0 || parsed.errors.some((e) => typeof e !== 'string' || e.length === 0)) return false;
      } else {
        const p = parsed.policy;
        if (!['enforce', 'testing', 'none'].includes(p.mode) || !Number.isInteger(p.maxAge) || p.maxAge < 0 || p.maxAge > MAX_AGE_LIMIT) return false;
        if (p.mode !== 'none' && p.mx.length === 0) return false;
      }
      const mx = mxNames.map((name) => ({ name, preference: 10, implicit: false, addresses: [], tlsa: { ...lookup([]), type: 'TLSA' as const, records: [] } }));
      const fetch = { ok: true as const, url: 'https://mta-sts.example.test/.well-known/mta-sts.txt', text, evidence: [] };
      timed('judgeMtaSts', () => judgeMtaSts({ domain: 'example.test', record: lookup(['v=STSv1; id=1;']), fetch, mx, probes: [], insecure: false }));
      return true;
    }),

  /** `_smtp._tls` TXT records: destinations or a reason, and the judge's findings, never a throw. */
  tlsRptRecord: () =>
    fc.property(fc.array(tlsRptText, { maxLength: 3 }), (texts) => {
      for (const text of texts) {
        const parsed = timed('parseTlsRptRecord', () => parseTlsRptRecord(text));
        if (typeof parsed === 'string' ? parsed.length === 0 : parsed.rua.length === 0) return false;
      }
      const verdict = timed('judgeTlsRptRecords', () => judgeTlsRptRecords(texts));
      if (verdict.kind === 'missing' && texts.length > 0) return false;
      timed('judgeTlsRpt', () => judgeTlsRpt('example.test', lookup(texts), ['MTA-STS']));
      return true;
    }),

  /** `--connect-to`: an override with ports in range and a TO host, or ECONFIG. */
  connectTo: () =>
    fc.property(connectToText, (text) => {
      try {
        const o = timed('parseConnectTo', () => parseConnectTo(text));
        const portOk = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65_535;
        if (!portOk(o.fromPort) || !portOk(o.toPort) || o.toHost === '' || o.toHost === '*' || o.fromHost === '' || o.fromHost === '*') return false;
        return describeOverride(o).includes('→');
      } catch (err) {
        if (isMailprobeError(err, 'ECONFIG')) return true;
        throw err;
      }
    }),

  /** `--resolver` (a list, as diagnose splits it): IP addresses with ports in range, or ECONFIG. */
  resolver: () =>
    fc.property(resolverText, (text) => {
      try {
        const servers = timed('parseDnsServer', () => splitList([text]).map(parseDnsServer));
        return servers.every((s) => isIP(s.address) !== 0 && Number.isInteger(s.port) && s.port >= 1 && s.port <= 65_535);
      } catch (err) {
        if (isMailprobeError(err, 'ECONFIG')) return true;
        throw err;
      }
    }),
};

function lookup(texts: readonly string[]): Lookup<readonly string[]> {
  return { name: 'example.test', type: 'TXT', status: texts.length === 0 ? 'nxdomain' : 'ok', records: texts.map((t) => [t]), authenticated: false, aliases: [] };
}

// ---------------------------------------------------------------------------------------------
// Text: token soup, mutated valid texts, and long runs of one character (a regular expression
// that backtracks over a run is quadratic: 64 KiB of it takes seconds).

const soup = (tokens: readonly string[], max = 16): fc.Arbitrary<string> =>
  fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), { maxLength: max }).map((t) => t.join(''));

/** head + one character (or pair) repeated up to 64 KiB + tail. */
const longRun = (tokens: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(soup(tokens, 4), fc.constantFrom(' ', '\t', ' \t', ';', '=', ',', 'a', '1', '.', ':', '\r', '\n', '\r\n', '%', '@', '[', ']'), fc.integer({ min: 1, max: 65_536 }), soup(tokens, 4))
    .map(([head, unit, n, tail]) => head + unit.repeat(Math.ceil(n / unit.length)) + tail);

/** A valid text edited: fields deleted, duplicated, replaced, joined, cut. */
const edited = (seeds: readonly string[], separator: RegExp, tokens: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.constantFrom('delete', 'duplicate', 'replace', 'insert', 'cut'), fc.nat(), soup(tokens, 3)), { maxLength: 4 }))
    .map(([seed, edits]) => {
      let parts = seed.split(separator);
      for (const [op, at, text] of edits) {
        const i = parts.length === 0 ? 0 : at % parts.length;
        if (op === 'delete') parts.splice(i, 1);
        else if (op === 'duplicate') parts.splice(i, 0, parts[i] ?? '');
        else if (op === 'replace') parts[i] = text;
        else if (op === 'insert') parts.splice(i, 0, text);
        else parts = parts.slice(0, i);
      }
      return parts.join('');
    });

const STS_TOKENS = ['v=STSv1', 'v=STSv1;', 'v=STSv10', 'V=stsv1', 'id=', 'id', '20240101T000000', 'a'.repeat(33), ';', '; ', ' ', '\t', '=', 'ext_1=', 'x=y', '"', '\0', 'é'];
const STS_SEEDS = ['v=STSv1; id=20160831085700Z;', 'v=STSv1;id=abc', 'v=STSv1 ; id=1 ; ext_1=some-value', 'v=STSv1; id=1; id=2'];
const stsRecordText = fc.oneof(
  { weight: 3, arbitrary: edited(STS_SEEDS, /(;)/, STS_TOKENS) },
  { weight: 3, arbitrary: soup(STS_TOKENS) },
  { weight: 1, arbitrary: longRun(STS_TOKENS) },
);

const POLICY_TOKENS = ['version', 'mode', 'max_age', 'mx', 'mx:', ':', ': ', '\r', '\u2028', 'STSv1', 'enforce', 'testing', 'none', '604800', '31557601', '99999999999', '-1', '*.', 'mail.example.test', '*.example.net', '\n', '\r\n', ' ', '\t', 'x_ext', '..', '*', 'é'];
const POLICY_SEEDS = [
  'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n',
  'version: STSv1\nmode: none\nmax_age: 0\nfuture_field: x\n',
  'version: STSv1\nmode: testing\nmx: mx1.example.test\nmax_age: 86400',
];
const policyText = fc.oneof(
  { weight: 3, arbitrary: edited(POLICY_SEEDS, /(\r?\n)/, POLICY_TOKENS) },
  { weight: 2, arbitrary: soup(POLICY_TOKENS, 24) },
  { weight: 1, arbitrary: longRun(POLICY_TOKENS) },
);

const TLSRPT_TOKENS = ['v=TLSRPTv1', 'v=TLSRPTv1;', 'rua=', 'mailto:', 'https://', 'https:', 'http://', 'tlsrpt@example.test', '@', '%', '%zz', '%ED%A0%80', ',', ', ', ';', ' ', '\t', '?', '[', ']', ':', '/', 'x=y', 'example.test'];
const TLSRPT_SEEDS = ['v=TLSRPTv1; rua=mailto:tlsrpt@example.test', 'v=TLSRPTv1;rua=mailto:a@example.test,https://r.example.test/v1', 'v=TLSRPTv1; rua=https://reports.example.test/tlsrpt; ext=1'];
const tlsRptText = fc.oneof(
  { weight: 3, arbitrary: edited(TLSRPT_SEEDS, /([;,])/, TLSRPT_TOKENS) },
  { weight: 3, arbitrary: soup(TLSRPT_TOKENS) },
  { weight: 1, arbitrary: longRun(TLSRPT_TOKENS) },
);

const HOST_TOKENS = ['=', ':', '[', ']', '::1', '127.0.0.1', '*', 'mx.example.org', 'MX.Example.Org', '25', '443', '65535', '65536', '0', '99999', '00025', ' ', '%', 'fe80::1%eth0', '::ffff:1.2.3.4', '[::1]', ',', '2001:db8::1', '1.2.3.4.5', '-1'];
const connectToText = fc.oneof(
  { weight: 3, arbitrary: soup(HOST_TOKENS, 10) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: longRun(HOST_TOKENS) },
);
const resolverText = connectToText;
