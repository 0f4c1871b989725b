/**
 * A DNS server for tests, on 127.0.0.1 (UDP and TCP on one port chosen by the system), answering
 * from a table: A, AAAA, CNAME, MX, TXT, SRV and TLSA. It plays a recursive resolver: RA set,
 * CNAMEs chased inside the table, NXDOMAIN for unknown names, NODATA for known names without the
 * type, and the AD bit for the names listed as signed. Faults per name: SERVFAIL, silence (the
 * client's deadline), and truncation over UDP (the client must retry over TCP).
 *
 * Written independently of engine/domain/dns-wire.ts (no shared encoder), so a bug there cannot
 * hide behind the same bug here. No name compression in answers: every name is written whole.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';

export interface ZoneEntry {
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
  /** [preference, exchange]; exchange `.` is a null MX (RFC 7505). */
  MX?: [number, string][];
  /** One string per record, or the record's character-strings when it is split. */
  TXT?: (string | string[])[];
  /** [priority, weight, port, target] */
  SRV?: [number, number, number, string][];
  /** [usage, selector, matching type, hex data] */
  TLSA?: [number, number, number, string][];
}

export type Zone = Record<string, ZoneEntry>;

export interface DnsFaults {
  /** Names answered with SERVFAIL. */
  servfail?: readonly string[];
  /** Names never answered (the client times out). */
  silent?: readonly string[];
  /** Names whose answers over UDP are truncated (TC, no records). */
  truncate?: readonly string[];
  /** Names answered with the AD bit (as if DNSSEC-validated); `*` for all. */
  signed?: readonly string[];
}

export interface TestDnsServer {
  readonly port: number;
  /** `127.0.0.1:PORT`, for --resolver. */
  readonly address: string;
  readonly zone: Zone;
  readonly faults: DnsFaults;
  /** Questions seen, as `name TYPE` (`TCP name TYPE` over TCP). */
  readonly log: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, keyof ZoneEntry> = { 1: 'A', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 52: 'TLSA' };
const CODES: Record<keyof ZoneEntry, number> = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28, SRV: 33, TLSA: 52 };

export async function startDnsServer(zone: Zone, faults: DnsFaults = {}): Promise<TestDnsServer> {
  const table: Zone = {};
  for (const [name, entry] of Object.entries(zone)) table[canon(name)] = entry;
  const log: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve());
    });
    const port = udp.address().port;
    const sockets = new Set<Socket>();
    const tcp = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      serveTcp(socket, table, faults, log);
    });
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) {
      udp.close();
      if (attempt > 20) throw new Error('no port free for both UDP and TCP');
      continue;
    }
    udp.on('message', (msg, rinfo) => {
      const reply = answer(msg, table, faults, log, 'udp');
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    });
    return { port, address: `127.0.0.1:${port}`, zone: table, faults, log, close: () => closeBoth(udp, tcp, sockets) };
  }
}

async function closeBoth(udp: UdpSocket, tcp: Server, sockets: Set<Socket>): Promise<void> {
  udp.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
}

function serveTcp(socket: Socket, zone: Zone, faults: DnsFaults, log: string[]): void {
  let buf = Buffer.alloc(0);
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      buf = buf.subarray(2 + msg.length);
      const reply = answer(msg, zone, faults, log, 'tcp');
      if (reply) socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
    }
  });
}

function canon(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function answer(msg: Buffer, zone: Zone, faults: DnsFaults, log: string[], via: 'udp' | 'tcp'): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  // The question: labels without compression, then type and class.
  const labels: string[] = [];
  let o = 12;
  while (o < msg.length && msg[o]! !== 0) {
    labels.push(msg.toString('latin1', o + 1, o + 1 + msg[o]!));
    o += 1 + msg[o]!;
  }
  const questionEnd = o + 5;
  if (questionEnd > msg.length) return undefined;
  const qtype = msg.readUInt16BE(o + 1);
  const qname = canon(labels.join('.'));
  const typeName = TYPES[qtype];
  log.push(`${via === 'tcp' ? 'TCP ' : ''}${qname} ${typeName ?? qtype}`);
  if (faults.silent?.includes(qname)) return undefined;
  const question = msg.subarray(12, questionEnd);
  const header = (rcode: number, ancount: number, tc = false, ad = false): Buffer => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(id, 0);
    h.writeUInt16BE(0x8000 | (flags & 0x0100) | 0x0080 | (tc ? 0x0200 : 0) | (ad ? 0x0020 : 0) | rcode, 2);
    h.writeUInt16BE(1, 4);
    h.writeUInt16BE(ancount, 6);
    return h;
  };
  if (faults.servfail?.includes(qname)) return Buffer.concat([header(2, 0), question]);
  if (via === 'udp' && faults.truncate?.includes(qname)) return Buffer.concat([header(0, 0, true), question]);
  const records: Buffer[] = [];
  let name = qname;
  for (let hops = 0; hops < 10; hops++) {
    const entry = zone[name];
    if (entry === undefined) {
      return Buffer.concat([header(records.length > 0 ? 0 : 3, records.length), question, ...records]);
    }
    if (entry.CNAME !== undefined && typeName !== 'CNAME') {
      records.push(rr(name, CODES.CNAME, encodeName(entry.CNAME)));
      name = canon(entry.CNAME);
      continue;
    }
    if (typeName !== undefined) for (const data of rdata(typeName, entry)) records.push(rr(name, qtype, data));
    break;
  }
  const signed = faults.signed?.includes('*') === true || faults.signed?.includes(qname) === true;
  return Buffer.concat([header(0, records.length, false, signed), question, ...records]);
}

function rdata(type: keyof ZoneEntry, entry: ZoneEntry): Buffer[] {
  switch (type) {
    case 'A':
      return (entry.A ?? []).map((a) => Buffer.from(a.split('.').map(Number)));
    case 'AAAA':
      return (entry.AAAA ?? []).map(ipv6Bytes);
    case 'CNAME':
      return entry.CNAME === undefined ? [] : [encodeName(entry.CNAME)];
    case 'MX':
      return (entry.MX ?? []).map(([pref, host]) => Buffer.concat([u16(pref), encodeName(host)]));
    case 'TXT':
      return (entry.TXT ?? []).map((t) => Buffer.concat((Array.isArray(t) ? t : chunks(t)).map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]))));
    case 'SRV':
      return (entry.SRV ?? []).map(([prio, weight, port, target]) => Buffer.concat([u16(prio), u16(weight), u16(port), encodeName(target)]));
    case 'TLSA':
      return (entry.TLSA ?? []).map(([usage, selector, mtype, hex]) => Buffer.concat([Buffer.from([usage, selector, mtype]), Buffer.from(hex, 'hex')]));
  }
}

/** A long TXT record as 255-byte character-strings (RFC 1035 §3.3.14). */
function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out.length > 0 ? out : [''];
}

function rr(name: string, type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(300, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(name), fixed, data]);
}

function encodeName(name: string): Buffer {
  const parts = canon(name)
    .split('.')
    .filter((l) => l.length > 0)
    .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function ipv6Bytes(text: string): Buffer {
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}
