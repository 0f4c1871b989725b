/**
 * A small stub resolver over UDP (TCP when the answer is truncated, RFC 7766) that asks a
 * recursive resolver — `--resolver HOST:PORT`, or the system's (`dns.getServers()`) — for any
 * record type, TLSA included (Node 20's Resolver has no TLSA), and reports the AD bit. Every
 * query has a deadline; retries go round the servers within it. It does not validate DNSSEC:
 * `authenticated` is the resolver's AD bit, true only when every message of the answer had it.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import { connect as netConnect, isIP } from 'node:net';
import { abortError, withDeadline } from '../../drivers/deadline.js';
import { MailprobeError } from '../../drivers/errors.js';
import { formatAddress } from '../../drivers/transport.js';
import { decodeMessage, encodeQuery, normalizeName, RCODE_NAMES, RRTYPE, WireError, type DnsMessage, type MxData, type RrTypeName, type SrvData, type TlsaData } from './dns-wire.js';

export interface DnsServer {
  readonly address: string;
  readonly port: number;
}

export interface RecordTypes {
  A: string;
  AAAA: string;
  CNAME: string;
  MX: MxData;
  TXT: readonly string[];
  SRV: SrvData;
  TLSA: TlsaData;
}

export interface Lookup<T> {
  readonly name: string;
  readonly type: RrTypeName;
  /**
   * `ok`: the name exists (no records of the type is NODATA: `records` is empty); `nxdomain`:
   * it does not; `error`: no usable answer (timeout, SERVFAIL, REFUSED, a malformed reply).
   */
  readonly status: 'ok' | 'nxdomain' | 'error';
  readonly records: readonly T[];
  /** The resolver set AD on every message of this answer (it validated it with DNSSEC). */
  readonly authenticated: boolean;
  /** Why there is no answer (status `error`). */
  readonly error?: string;
  /** The CNAMEs followed from `name`, in order. */
  readonly aliases: readonly string[];
}

export interface DnsClient {
  lookup<K extends RrTypeName>(name: string, type: K): Promise<Lookup<RecordTypes[K]>>;
  /** The servers asked, as `HOST:PORT` text. */
  readonly servers: readonly string[];
}

export interface DnsClientOptions {
  /** Default: the system's resolvers (`dns.getServers()`, i.e. /etc/resolv.conf). */
  readonly servers?: readonly DnsServer[];
  /** Deadline of one lookup, retries included. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** CNAMEs followed per lookup (RFC 1034 §3.6.2 chains are short; a loop stops here). */
const MAX_ALIASES = 8;
/** Each server is tried this many times per lookup, round robin. */
const ROUNDS = 2;
/** A DNS message over TCP is at most 65535 bytes (RFC 1035 §4.2.2). */
const MAX_TCP_MESSAGE = 65_535;

/** `HOST:PORT`, `[v6]:PORT`, or an address alone (port 53). */
export function parseDnsServer(text: string): DnsServer {
  const t = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(t);
  const address = bracketed?.[1] ?? (isIP(t) === 6 ? t : plain?.[1]);
  const portText = bracketed ? bracketed[2] : isIP(t) === 6 ? undefined : plain?.[2];
  const port = portText === undefined ? 53 : Number(portText);
  if (address === undefined || isIP(address) === 0) throw new MailprobeError('ECONFIG', `--resolver "${text}": give an IP address and optional port, e.g. 127.0.0.1:5353 or [::1]:53`);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new MailprobeError('ECONFIG', `--resolver "${text}": port must be 1 to 65535`);
  return { address, port };
}

export function systemDnsServers(): DnsServer[] {
  return getServers().map((s) => parseDnsServer(s));
}

export function createDnsClient(options: DnsClientOptions): DnsClient {
  const servers = options.servers && options.servers.length > 0 ? options.servers : systemDnsServers();
  return {
    servers: servers.map((s) => formatAddress(s.address, s.port)),
    lookup: (name, type) => lookup(servers, options, name, type),
  };
}

async function lookup<K extends RrTypeName>(servers: readonly DnsServer[], options: DnsClientOptions, name: string, type: K): Promise<Lookup<RecordTypes[K]>> {
  const qname = normalizeName(name);
  const aliases: string[] = [];
  let authenticated = true;
  let current = qname;
  const deadline = Date.now() + options.timeoutMs;
  const base = { name: qname, type };
  for (let hop = 0; hop <= MAX_ALIASES; hop++) {
    let message: DnsMessage;
    try {
      message = await query(servers, options, current, RRTYPE[type], deadline);
    } catch (err) {
      if (err instanceof MailprobeError && err.code === 'EABORTED') throw err;
      return { ...base, status: 'error', records: [], authenticated: false, error: err instanceof Error ? err.message : String(err), aliases };
    }
    authenticated &&= message.authenticated;
    if (message.rcode === 3) return { ...base, status: 'nxdomain', records: [], authenticated, aliases };
    if (message.rcode !== 0) {
      return { ...base, status: 'error', records: [], authenticated: false, error: `${RCODE_NAMES[message.rcode] ?? `RCODE ${message.rcode}`} from the resolver`, aliases };
    }
    // Follow the CNAME chain inside the answer, then take the records at its end.
    let end = current;
    while (type !== 'CNAME' && aliases.length <= MAX_ALIASES) {
      const alias = message.answers.find((r) => r.type === 'CNAME' && r.name === end);
      if (!alias || alias.type !== 'CNAME') break;
      end = alias.value;
      aliases.push(end);
    }
    if (aliases.length > MAX_ALIASES) break;
    const records = message.answers.filter((r) => r.type === type && r.name === end).map((r) => r.value as RecordTypes[K]);
    // An alias without its target's records (a resolver that did not chase it): ask for the target.
    if (records.length === 0 && end !== current) {
      current = end;
      continue;
    }
    return { ...base, status: 'ok', records, authenticated, aliases };
  }
  return { ...base, status: 'error', records: [], authenticated: false, error: `a CNAME loop or a chain of more than ${MAX_ALIASES} CNAMEs`, aliases };
}

/** One question, asked of the servers in turn until one gives a usable answer or time runs out. */
async function query(servers: readonly DnsServer[], options: DnsClientOptions, name: string, type: number, deadline: number): Promise<DnsMessage> {
  const attempts = servers.length * ROUNDS;
  let last: Error = new Error('no DNS server');
  for (let i = 0; i < attempts; i++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const server = servers[i % servers.length]!;
    const where = formatAddress(server.address, server.port);
    const slice = Math.max(1, Math.floor(left / (attempts - i)));
    try {
      let message = await exchangeUdp(server, name, type, slice, options.signal);
      if (message.truncated) message = await exchangeTcp(server, name, type, Math.max(1, deadline - Date.now()), options.signal);
      // SERVFAIL and REFUSED may be one server's trouble: ask the next.
      if ((message.rcode === 2 || message.rcode === 5) && i < attempts - 1) {
        last = new Error(`${RCODE_NAMES[message.rcode]} from ${where}`);
        continue;
      }
      return message;
    } catch (err) {
      if (err instanceof MailprobeError && err.code === 'EABORTED') throw err;
      last = err instanceof MailprobeError && err.code === 'ETIMEDOUT' ? new Error(`no answer from ${where} within ${slice} ms`) : err instanceof Error ? new Error(`${where}: ${err.message}`) : new Error(String(err));
    }
  }
  throw new Error(`${name} ${typeName(type)}: ${last.message}`);
}

function typeName(type: number): string {
  return Object.entries(RRTYPE).find(([, v]) => v === type)?.[0] ?? String(type);
}

/** The reply must answer our question: same id, a response, the same name and type. */
function matches(message: DnsMessage, id: number, name: string, type: number): boolean {
  return message.id === id && message.response && message.opcode === 0 && message.question !== undefined && message.question.name === name && message.question.type === type;
}

function exchangeUdp(server: DnsServer, name: string, type: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<DnsMessage> {
  const id = randomInt(0, 0x10000);
  const packet = encodeQuery(id, name, type);
  let socket: UdpSocket | undefined;
  return exchange(
    timeoutMs,
    signal,
    (resolve, reject) => {
      const s = createSocket(isIP(server.address) === 6 ? 'udp6' : 'udp4');
      socket = s;
      s.on('error', reject);
      s.on('message', (msg, rinfo) => {
        if (rinfo.port !== server.port) return;
        let message: DnsMessage;
        try {
          message = decodeMessage(msg);
        } catch {
          return; // not a DNS message for us: keep waiting (spoofing or noise)
        }
        if (matches(message, id, name, type)) resolve(message);
      });
      s.send(packet, server.port, server.address, (err) => {
        if (err) reject(err);
      });
    },
    () => {
      try {
        socket?.close();
      } catch {
        // already closed
      }
    },
  );
}

function exchangeTcp(server: DnsServer, name: string, type: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<DnsMessage> {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, type);
  const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
  const socket = netConnect({ host: server.address, port: server.port });
  if (signal?.aborted) {
    socket.destroy();
    return Promise.reject(abortError('dns', signal));
  }
  return exchange(
    timeoutMs,
    signal,
    (resolve, reject) => {
      let buf = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('connection closed before the answer')));
      socket.on('connect', () => socket.write(framed));
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length > 2 + MAX_TCP_MESSAGE) return reject(new Error('answer longer than a DNS message can be'));
        if (buf.length < 2) return;
        const length = buf.readUInt16BE(0);
        if (buf.length < 2 + length) return;
        try {
          const message = decodeMessage(buf.subarray(2, 2 + length));
          if (!matches(message, id, name, type)) return reject(new WireError('the answer is for another question'));
          resolve(message);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    },
    () => socket.destroy(),
  );
}

/**
 * One question and its answer on one socket: `start` sends it and settles with the reply, the
 * deadline (and the caller's signal) bound the wait, and `release` closes the socket however
 * it ends.
 */
function exchange(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  start: (resolve: (message: DnsMessage) => void, reject: (err: unknown) => void) => void,
  release: () => void,
): Promise<DnsMessage> {
  return withDeadline('dns', timeoutMs, signal, () => new Promise<DnsMessage>(start), () => {}).finally(release);
}
