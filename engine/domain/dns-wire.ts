/**
 * DNS messages on the wire (RFC 1035 §4): a query with EDNS0 (RFC 6891) asking for the AD bit
 * (RFC 6840 §5.7), and the parts of a response domain mode reads: header flags, RCODE, and the
 * A, AAAA, CNAME, MX, TXT, SRV (RFC 2782) and TLSA (RFC 6698 §2) records of the answer section.
 * Pure functions, bounded by the input: a malformed message yields a WireError, never a hang.
 */

export const RRTYPE = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, TLSA: 52 } as const;
export type RrTypeName = Exclude<keyof typeof RRTYPE, 'OPT'>;

export const RCODE_NAMES: Readonly<Record<number, string>> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export interface MxData {
  readonly preference: number;
  readonly exchange: string;
}
export interface SrvData {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}
export interface TlsaData {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  /** Certificate association data, lower-case hex. */
  readonly data: string;
}

export type RecordData =
  | { readonly type: 'A' | 'AAAA' | 'CNAME'; readonly value: string }
  | { readonly type: 'MX'; readonly value: MxData }
  | { readonly type: 'TXT'; readonly value: readonly string[] }
  | { readonly type: 'SRV'; readonly value: SrvData }
  | { readonly type: 'TLSA'; readonly value: TlsaData }
  | { readonly type: 'other'; readonly value: number };

export type ResourceRecord = RecordData & { readonly name: string; readonly ttl: number };

export interface DnsMessage {
  readonly id: number;
  readonly response: boolean;
  readonly opcode: number;
  /** Truncated (TC): retry over TCP. */
  readonly truncated: boolean;
  /** Authenticated data (AD): the resolver validated the answer with DNSSEC. */
  readonly authenticated: boolean;
  readonly rcode: number;
  readonly question: { readonly name: string; readonly type: number } | undefined;
  readonly answers: readonly ResourceRecord[];
}

export class WireError extends Error {}

/** At most this many records per section are read: a hostile answer cannot make us allocate more. */
const MAX_RECORDS = 512;
/** Compression pointers followed per name (RFC 1035 §4.1.4); a loop stops here. */
const MAX_POINTERS = 32;
const EDNS_UDP_SIZE = 1232;

/** `example.org.` → `example.org`, lower case; the root is ``. */
export function normalizeName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** A query: RD and AD set, one question, an EDNS0 OPT record with DO (so AD can come back). */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const labels = normalizeName(name).split('.').filter((l) => l.length > 0);
  const qname: number[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new WireError(`"${name}": a label must be 1 to 63 bytes`);
    qname.push(bytes.length, ...bytes);
  }
  qname.push(0);
  if (qname.length > 255) throw new WireError(`"${name}" is longer than 255 bytes`);
  const out = Buffer.alloc(12 + qname.length + 4 + 11);
  out.writeUInt16BE(id & 0xffff, 0);
  out.writeUInt16BE(0x0120, 2); // RD, AD
  out.writeUInt16BE(1, 4); // QDCOUNT
  out.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  Buffer.from(qname).copy(out, 12);
  let o = 12 + qname.length;
  out.writeUInt16BE(type, o);
  out.writeUInt16BE(1, o + 2); // IN
  o += 4;
  out[o] = 0; // root owner
  out.writeUInt16BE(RRTYPE.OPT, o + 1);
  out.writeUInt16BE(EDNS_UDP_SIZE, o + 3);
  out.writeUInt32BE(0x00008000, o + 5); // extended RCODE 0, version 0, DO
  out.writeUInt16BE(0, o + 9);
  return out;
}

/** Parse a response. Throws WireError when it is not a well-formed DNS message. */
export function decodeMessage(buf: Uint8Array): DnsMessage {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12) throw new WireError('shorter than a DNS header');
  const flags = b.readUInt16BE(2);
  const counts = [b.readUInt16BE(4), b.readUInt16BE(6)] as const;
  let offset = 12;
  let question: DnsMessage['question'];
  for (let i = 0; i < counts[0]; i++) {
    const n = readName(b, offset);
    if (n.end + 4 > b.length) throw new WireError('question runs past the end');
    if (i === 0) question = { name: n.name, type: b.readUInt16BE(n.end) };
    offset = n.end + 4;
  }
  const answers: ResourceRecord[] = [];
  for (let i = 0; i < Math.min(counts[1], MAX_RECORDS); i++) {
    const r = readRecord(b, offset);
    offset = r.end;
    if (r.record) answers.push(r.record);
  }
  return {
    id: b.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    truncated: (flags & 0x0200) !== 0,
    authenticated: (flags & 0x0020) !== 0,
    rcode: flags & 0xf,
    question,
    answers,
  };
}

function readRecord(b: Buffer, offset: number): { record: ResourceRecord | undefined; end: number } {
  const owner = readName(b, offset);
  let o = owner.end;
  if (o + 10 > b.length) throw new WireError('record header runs past the end');
  const type = b.readUInt16BE(o);
  const klass = b.readUInt16BE(o + 2);
  const ttl = b.readUInt32BE(o + 4);
  const length = b.readUInt16BE(o + 8);
  o += 10;
  const end = o + length;
  if (end > b.length) throw new WireError('record data runs past the end');
  if (klass !== 1) return { record: undefined, end };
  const base = { name: owner.name, ttl };
  const data = decodeData(b, type, o, end);
  return { record: { ...base, ...data } as ResourceRecord, end };
}

function decodeData(b: Buffer, type: number, start: number, end: number): RecordData {
  const length = end - start;
  switch (type) {
    case RRTYPE.A:
      if (length !== 4) throw new WireError('A record is not 4 bytes');
      return { type: 'A', value: [...b.subarray(start, end)].join('.') };
    case RRTYPE.AAAA:
      if (length !== 16) throw new WireError('AAAA record is not 16 bytes');
      return { type: 'AAAA', value: formatIpv6(b.subarray(start, end)) };
    case RRTYPE.CNAME:
      return { type: 'CNAME', value: readName(b, start, end).name };
    case RRTYPE.MX:
      if (length < 3) throw new WireError('MX record too short');
      return { type: 'MX', value: { preference: b.readUInt16BE(start), exchange: readName(b, start + 2, end).name } };
    case RRTYPE.TXT: {
      const strings: string[] = [];
      for (let o = start; o < end; ) {
        const n = b[o]!;
        if (o + 1 + n > end) throw new WireError('TXT string runs past its record');
        strings.push(b.toString('utf8', o + 1, o + 1 + n));
        o += 1 + n;
      }
      return { type: 'TXT', value: strings };
    }
    case RRTYPE.SRV:
      if (length < 7) throw new WireError('SRV record too short');
      return { type: 'SRV', value: { priority: b.readUInt16BE(start), weight: b.readUInt16BE(start + 2), port: b.readUInt16BE(start + 4), target: readName(b, start + 6, end).name } };
    case RRTYPE.TLSA:
      if (length < 3) throw new WireError('TLSA record too short');
      return { type: 'TLSA', value: { usage: b[start]!, selector: b[start + 1]!, matchingType: b[start + 2]!, data: b.toString('hex', start + 3, end) } };
    default:
      return { type: 'other', value: type };
  }
}

/** A possibly compressed name at `offset`; `end` is where the name's own bytes stop. */
export function readName(b: Buffer, offset: number, limit = b.length): { name: string; end: number } {
  const labels: string[] = [];
  let o = offset;
  let end: number | undefined;
  let jumps = 0;
  let total = 0;
  for (;;) {
    if (o >= (end === undefined ? limit : b.length)) throw new WireError('name runs past the end');
    const len = b[o]!;
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= b.length) throw new WireError('compression pointer runs past the end');
      if (++jumps > MAX_POINTERS) throw new WireError('compression pointer loop');
      end ??= o + 2;
      o = ((len & 0x3f) << 8) | b[o + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new WireError('unknown label type');
    if (len === 0) {
      end ??= o + 1;
      break;
    }
    if (o + 1 + len > (end === undefined ? limit : b.length)) throw new WireError('label runs past the end');
    total += len + 1;
    if (total > 255) throw new WireError('name longer than 255 bytes');
    labels.push(b.toString('latin1', o + 1, o + 1 + len));
    o += 1 + len;
  }
  if (end > limit) throw new WireError('name runs past its record');
  return { name: labels.join('.').toLowerCase(), end };
}

/** RFC 5952 text form: lower case, the longest run of two or more zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
