/**
 * `--ntp HOST[:PORT]`: this host's clock offset from an NTP server (SNTPv4, RFC 4330), so
 * shards on several machines start the schedule at the same instant and their reports can say
 * how far each clock was off. A few exchanges; the one with the shortest round trip wins (its
 * offset error is at most half its round trip).
 *
 *   offset = ((t2 − t1) + (t3 − t4)) / 2     round trip = (t4 − t1) − (t3 − t2)
 *
 * t1 client send, t2 server receive, t3 server send, t4 client receive. A reply must echo
 * our transmit time as its origin (anything else is stale or forged), be a server reply
 * (mode 4) with a non-zero stratum (0 is a kiss-of-death) and a synchronised leap indicator.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MailprobeError } from '../../drivers/errors.js';

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
const NTP_EPOCH_OFFSET_S = 2_208_988_800;
const PACKET_BYTES = 48;

export interface ClockOffset {
  /** Reference minus local clock, ms. */
  readonly offsetMs: number;
  readonly rttMs: number;
  /** `ntp://host:port` */
  readonly source: string;
}

export interface SntpOptions {
  readonly samples?: number;
  readonly timeoutMs?: number;
  /** Local wall clock, ms (tests). */
  readonly now?: () => number;
}

/** `HOST`, `HOST:PORT`, `[v6]:PORT` or `ntp://HOST[:PORT]` → host and port (default 123). */
export function parseNtpServer(text: string): { host: string; port: number } {
  const t = text.trim().replace(/^ntp:\/\//i, '').replace(/\/$/, '');
  const m = /^(?:\[([^\]]+)\]|([^:\s/]+))(?::(\d{1,5}))?$/.exec(t);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? 123 : Number(m[3]);
  if (!m || host === undefined || port < 1 || port > 65535 || (m[1] !== undefined && isIP(m[1]) !== 6)) {
    throw new MailprobeError('ECONFIG', `--ntp "${text}" is not HOST[:PORT] (e.g. pool.ntp.org or 10.0.0.1:123)`);
  }
  return { host, port };
}

/** Measure the offset; rejects (plain Error) when no valid answer came. */
export async function measureClockOffset(host: string, port = 123, options: SntpOptions = {}): Promise<ClockOffset> {
  const samples = options.samples ?? 4;
  const timeoutMs = options.timeoutMs ?? 1000;
  // Wall time with sub-millisecond steps: anchored on Date.now() once, advanced by performance.now().
  const anchorWall = Date.now();
  const anchorPerf = performance.now();
  const now = options.now ?? (() => anchorWall + (performance.now() - anchorPerf));
  const address = isIP(host) ? host : (await lookup(host)).address;
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  const source = `ntp://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  let best: { offsetMs: number; rttMs: number } | undefined;
  let lastError = 'no answer';
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    let failures = 0;
    for (let i = 0; i < samples; i++) {
      try {
        const r = await exchange(socket, address, port, timeoutMs, now);
        if (best === undefined || r.rttMs < best.rttMs) best = r;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        // Two failures and not one answer: a server that is not there (bounded wait).
        if (++failures >= 2 && best === undefined) break;
      }
    }
  } finally {
    socket.close();
  }
  if (best === undefined) throw new Error(`${source}: ${lastError}`);
  return { offsetMs: round3(best.offsetMs), rttMs: round3(best.rttMs), source };
}

function exchange(socket: ReturnType<typeof createSocket>, address: string, port: number, timeoutMs: number, now: () => number): Promise<{ offsetMs: number; rttMs: number }> {
  const request = Buffer.alloc(PACKET_BYTES);
  request[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
  const t1 = now();
  writeTimestamp(request, 40, t1);
  const origin = request.subarray(40, 48);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (msg: Buffer): void => {
      const reply = readSntpReply(msg, origin, t1, now());
      if (reply.kind === 'ignore') return;
      if (reply.kind === 'refused') return finish(new Error(reply.reason));
      finish(undefined, { offsetMs: reply.offsetMs, rttMs: reply.rttMs });
    };
    const finish = (err: Error | undefined, value?: { offsetMs: number; rttMs: number }): void => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      if (err) reject(err);
      else resolve(value!);
    };
    socket.on('message', onMessage);
    socket.send(request, port, address, (err) => {
      if (err) finish(err);
    });
  });
}

/** What one datagram says about our request: not ours, a refusal, or a sample. */
export type SntpReply =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'sample'; readonly offsetMs: number; readonly rttMs: number };

/**
 * Read a datagram answering the request whose transmit timestamp was `origin`, sent at t1 and
 * received at t4 (epoch ms). Anything shorter than a packet or not echoing `origin` is ignored.
 */
export function readSntpReply(msg: Buffer, origin: Buffer, t1: number, t4: number): SntpReply {
  if (msg.length < PACKET_BYTES || !msg.subarray(24, 32).equals(origin)) return { kind: 'ignore' };
  const mode = msg[0]! & 7;
  const leap = msg[0]! >> 6;
  const stratum = msg[1]!;
  if (mode !== 4) return { kind: 'refused', reason: `reply of mode ${mode}, not a server reply` };
  if (stratum === 0) return { kind: 'refused', reason: `kiss-of-death "${msg.toString('latin1', 12, 16).replace(/[^\x20-\x7e]/g, '')}"` };
  if (leap === 3) return { kind: 'refused', reason: 'the server is not synchronised' };
  const t2 = readTimestamp(msg, 32);
  const t3 = readTimestamp(msg, 40);
  return { kind: 'sample', offsetMs: (t2 - t1 + (t3 - t4)) / 2, rttMs: Math.max(0, t4 - t1 - (t3 - t2)) };
}

/** Epoch ms → NTP 64-bit timestamp (seconds since 1900, 32-bit fraction). */
export function writeTimestamp(buf: Buffer, at: number, epochMs: number): void {
  const seconds = Math.floor(epochMs / 1000) + NTP_EPOCH_OFFSET_S;
  const fraction = Math.floor(((epochMs % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(seconds % 2 ** 32, at);
  buf.writeUInt32BE(Math.min(fraction, 2 ** 32 - 1) >>> 0, at + 4);
}

/** NTP timestamp → epoch ms; seconds without the top bit are era 1 (2036–2104, RFC 4330 §3). */
export function readTimestamp(buf: Buffer, at: number): number {
  const raw = buf.readUInt32BE(at);
  const seconds = raw < 0x80000000 ? raw + 2 ** 32 : raw;
  const fraction = buf.readUInt32BE(at + 4);
  return (seconds - NTP_EPOCH_OFFSET_S) * 1000 + (fraction / 2 ** 32) * 1000;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
