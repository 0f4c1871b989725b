/**
 * Fetch an MTA-STS policy the way RFC 8461 §3.3 tells senders to: HTTPS GET
 * `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`, the certificate valid for that name (Web PKI
 * plus `--ca`), no redirects followed, `200` with `text/plain`, a size limit and a deadline.
 * The host is resolved with domain mode's DNS client and reached through `--connect-to`; the TLS
 * connection is node:tls (so its verification error is ours to name), HTTP on it is undici.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Client } from 'undici';
import { withDeadline } from '../../drivers/deadline.js';
import { isMailprobeError, MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import { secureContextFor, type TlsClientOptions } from '../../drivers/tls/tls-options.js';
import { formatAddress } from '../../drivers/transport.js';
import { overrideFor, type ConnectOverride } from './connect-to.js';
import type { DnsClient } from './dns-client.js';

/** RFC 8461 §3.3: senders may limit the policy to 64 KiB; so does this check. */
export const MAX_POLICY_BYTES = 64 * 1024;
export const POLICY_PATH = '/.well-known/mta-sts.txt';
/** Addresses of the policy host tried at most, one after another, until one accepts. */
const MAX_ATTEMPTS = 3;

export type FetchFailure = 'dns' | 'connect' | 'tls' | 'timeout' | 'redirect' | 'http-status' | 'content-type' | 'too-large' | 'http';

export type PolicyFetch =
  | { readonly ok: true; readonly url: string; readonly text: string; readonly evidence: readonly string[] }
  | { readonly ok: false; readonly url: string; readonly failure: FetchFailure; readonly reason: string; readonly evidence: readonly string[] };

export interface FetchInput {
  readonly domain: string;
  readonly dns: DnsClient;
  readonly overrides: readonly ConnectOverride[];
  /** Trust: `ca` adds anchors to the bundled roots; verification is never turned off here. */
  readonly tls: Pick<TlsClientOptions, 'ca'>;
  /** Deadline of each step: connect, handshake, response headers, body. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

class FetchError extends Error {
  constructor(
    readonly failure: FetchFailure,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchPolicy(input: FetchInput): Promise<PolicyFetch> {
  const host = `mta-sts.${input.domain}`;
  const url = `https://${host}${POLICY_PATH}`;
  const evidence: string[] = [];
  try {
    const addresses = await resolve(input, host);
    evidence.push(`I: ${host} has address${addresses.length === 1 ? '' : 'es'} ${addresses.join(', ')}`);
    const socket = await openTls(input, host, addresses, evidence);
    const text = await get(input, host, socket, evidence);
    return { ok: true, url, text, evidence };
  } catch (err) {
    if (isMailprobeError(err, 'EABORTED')) throw err;
    const failure = err instanceof FetchError ? err.failure : 'http';
    const reason = err instanceof Error ? err.message : String(err);
    evidence.push(`I: ${reason}`);
    return { ok: false, url, failure, reason, evidence };
  }
}

async function resolve(input: FetchInput, host: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([input.dns.lookup(host, 'A'), input.dns.lookup(host, 'AAAA')]);
  const addresses = [...a.records, ...aaaa.records];
  if (addresses.length > 0) return addresses;
  const failed = [a, aaaa].find((l) => l.status === 'error');
  if (failed) throw new FetchError('dns', `the address of ${host} could not be looked up: ${failed.error ?? 'no answer'}`);
  throw new FetchError('dns', `${host} has no A or AAAA record${a.status === 'nxdomain' ? ' (NXDOMAIN)' : ''}`);
}

/** TCP to the first address that answers (through --connect-to), then TLS verified for `host`. */
async function openTls(input: FetchInput, host: string, addresses: readonly string[], evidence: string[]): Promise<TLSSocket> {
  let tcp: Socket | undefined;
  let lastError = '';
  for (const address of addresses.slice(0, MAX_ATTEMPTS)) {
    const to = overrideFor(input.overrides, [host, address], 443) ?? { host: address, port: 443 };
    const where = formatAddress(to.host, to.port);
    try {
      tcp = await connectTcp(to.host, to.port, input);
      evidence.push(`I: connected to ${where}${to.host !== address || to.port !== 443 ? ` (--connect-to for ${formatAddress(address, 443)})` : ''}`);
      break;
    } catch (err) {
      if (isMailprobeError(err, 'EABORTED')) throw err;
      lastError = `${where}: ${isMailprobeError(err, 'ETIMEDOUT') ? `no answer within ${input.timeoutMs} ms` : (nodeErrorCode(err) ?? String(err))}`;
      evidence.push(`I: connect ${lastError}`);
    }
  }
  if (!tcp) throw new FetchError(lastError.includes('no answer') ? 'timeout' : 'connect', `cannot connect to ${host} port 443 (${lastError})`);
  const socket = tcp;
  let secured: TLSSocket | undefined;
  try {
    return await withDeadline(
      'tls',
      input.timeoutMs,
      input.signal,
      () =>
        new Promise<TLSSocket>((resolvePromise, reject) => {
          secured = tlsConnect({ socket, servername: host, secureContext: secureContextFor(input.tls), ALPNProtocols: ['http/1.1'], rejectUnauthorized: true });
          secured.once('secureConnect', () => resolvePromise(secured!));
          secured.once('error', reject);
        }),
      () => secured?.destroy(),
    );
  } catch (err) {
    socket.destroy();
    if (isMailprobeError(err, 'EABORTED')) throw err;
    if (isMailprobeError(err, 'ETIMEDOUT')) throw new FetchError('timeout', `no TLS handshake with ${host} within ${input.timeoutMs} ms`);
    throw new FetchError('tls', `the certificate of ${host} is not valid for it: ${describeTlsError(err, host)}`);
  }
}

function connectTcp(host: string, port: number, input: FetchInput): Promise<Socket> {
  let socket: Socket | undefined;
  return withDeadline(
    'connect',
    input.timeoutMs,
    input.signal,
    () =>
      new Promise<Socket>((resolvePromise, reject) => {
        socket = netConnect({ host, port });
        socket.once('connect', () => resolvePromise(socket!));
        socket.once('error', reject);
      }),
    () => socket?.destroy(),
  );
}

function describeTlsError(err: unknown, host: string): string {
  const code = nodeErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `it does not name ${host} (${message})`;
    case 'CERT_HAS_EXPIRED':
      return 'it has expired (CERT_HAS_EXPIRED)';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet (CERT_NOT_YET_VALID)';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `it is self-signed or under an unknown root (${code})`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `its chain does not lead to a trusted root (${code}); serve the intermediates, or pass a private root with --ca`;
    default:
      return code ? `${code}: ${message}` : message;
  }
}

/** GET the policy on the open TLS connection with undici: no redirects, 200, text/plain, ≤ 64 KiB. */
async function get(input: FetchInput, host: string, socket: TLSSocket, evidence: string[]): Promise<string> {
  let handed = false;
  const client = new Client(`https://${host}`, {
    // Hand over the verified connection; undici expects the callback later, not within the call.
    connect: (_options, callback) => {
      const first = !handed;
      handed = true;
      setImmediate(() => (first ? callback(null, socket) : callback(new Error('one connection per policy fetch'), null)));
    },
    headersTimeout: input.timeoutMs,
    bodyTimeout: input.timeoutMs,
    pipelining: 1,
  });
  const overall = AbortSignal.timeout(3 * input.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, overall]) : overall;
  try {
    const res = await client.request({ path: POLICY_PATH, method: 'GET', headers: { accept: 'text/plain', 'user-agent': 'mailprobe (MTA-STS check)' }, signal });
    const header = (name: string): string | undefined => {
      const v = res.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    const contentType = header('content-type');
    evidence.push(`S: HTTP ${res.statusCode}${contentType ? `, Content-Type: ${contentType}` : ''}`);
    if (res.statusCode >= 300 && res.statusCode < 400) {
      await res.body.dump();
      const location = header('location');
      throw new FetchError('redirect', `HTTP ${res.statusCode} redirect${location ? ` to ${location}` : ''}: RFC 8461 §3.3 forbids following redirects, so senders get no policy`);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new FetchError('http-status', `HTTP ${res.statusCode} for ${POLICY_PATH} (senders need 200)`);
    }
    const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'text/plain') {
      await res.body.dump();
      throw new FetchError('content-type', `the policy is served as "${contentType ?? '(no Content-Type)'}", not text/plain (RFC 8461 §3.3)`);
    }
    const declared = Number(header('content-length') ?? NaN);
    if (declared > MAX_POLICY_BYTES) {
      res.body.destroy();
      throw new FetchError('too-large', `the policy is ${declared} bytes, more than the ${MAX_POLICY_BYTES} bytes senders read (RFC 8461 §3.3)`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_POLICY_BYTES) {
        res.body.destroy();
        throw new FetchError('too-large', `the policy is more than ${MAX_POLICY_BYTES} bytes, the limit senders read (RFC 8461 §3.3)`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (input.signal?.aborted) throw new MailprobeError('EABORTED', 'cancelled during the MTA-STS policy fetch', { phase: 'data' });
    const code = (err as { code?: string }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || overall.aborted) {
      throw new FetchError('timeout', `no complete answer from ${host} within ${input.timeoutMs} ms (${code ?? 'deadline'})`);
    }
    throw new FetchError('http', `HTTP request to ${host} failed: ${code ?? (err instanceof Error ? err.message : String(err))}`);
  } finally {
    await client.destroy().catch(() => {});
    socket.destroy();
  }
}
