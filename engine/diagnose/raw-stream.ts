/**
 * The first moments of a connection, before diagnose knows what the port speaks: TCP connect,
 * an optional TLS handshake, and a look at the first line the server sends. The line is pushed
 * back into the stream (unshift), so the protocol client that takes the stream over through
 * its `connector` reads the greeting as if it had connected itself, transcript included.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { withDeadline } from '../../drivers/deadline.js';
import { isMailprobeError, MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import { collectTlsFacts, PeerCapture, type TlsFacts } from '../../drivers/tls/tls-facts.js';
import { effectiveServername, secureContextFor, type TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { TcpConnector } from './types.js';

export type TcpOutcome =
  | { readonly kind: 'open'; readonly socket: Socket }
  /** Refused or reset: nothing listens. */
  | { readonly kind: 'refused'; readonly code: string }
  /** No answer within the deadline, or the network said unreachable: filtered. */
  | { readonly kind: 'no-answer'; readonly code: string };

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT']);

/** TCP connect under the connect deadline. EABORTED (the run was cancelled) is thrown. */
export async function openTcp(
  address: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  connector: TcpConnector = netConnect,
): Promise<TcpOutcome> {
  let socket: Socket | undefined;
  try {
    const open = await withDeadline(
      'connect',
      timeoutMs,
      signal,
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connector({ host: address, port });
          socket = s;
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        }),
      () => socket?.destroy(),
    );
    open.setNoDelay(true);
    // A reset while the stream changes hands (sniff → protocol client) must not crash the run;
    // whoever reads the stream next sees the failure through its own listeners.
    open.on('error', ignore);
    return { kind: 'open', socket: open };
  } catch (err) {
    socket?.destroy();
    if (isMailprobeError(err, 'EABORTED')) throw err;
    if (isMailprobeError(err, 'ETIMEDOUT')) return { kind: 'no-answer', code: 'ETIMEDOUT' };
    const code = nodeErrorCode(err) ?? 'ECONNECT';
    return UNREACHABLE.has(code) ? { kind: 'no-answer', code } : { kind: 'refused', code };
  }
}

/**
 * How a failed handshake failed: `not-tls` (the peer sent something that is not TLS, e.g. a
 * plaintext greeting: "wrong version number"), `refused` (a TLS peer that would not agree: an
 * alert, no common version or cipher), `closed` (hung up mid-handshake), `timeout`.
 */
export type TlsFailure = 'not-tls' | 'refused' | 'closed' | 'timeout';

export function classifyTlsError(code: string | undefined, message: string): TlsFailure {
  const text = `${code ?? ''} ${message}`;
  if (/ETIMEDOUT|did not complete within/i.test(text)) return 'timeout';
  if (/WRONG_VERSION_NUMBER|wrong version number|PACKET_LENGTH_TOO_LONG|packet length too long|UNKNOWN_PROTOCOL|unknown protocol|HTTP_REQUEST|record layer failure|RECORD_LAYER_FAILURE/i.test(text)) return 'not-tls';
  if (/ECONNRESET|EPIPE|ECLOSED|socket hang up|closed during the TLS handshake|disconnected before/i.test(text)) return 'closed';
  return 'refused';
}

export type HandshakeOutcome =
  | { readonly ok: true; readonly socket: TLSSocket; readonly facts: TlsFacts }
  | { readonly ok: false; readonly failure: TlsFailure; readonly code: string | undefined; readonly message: string };

/**
 * A TLS client handshake on an open socket, never verifying (diagnose judges the facts itself),
 * under the tls deadline. The same settings as drivers/transport.ts uses.
 */
export async function tlsHandshake(
  socket: Socket,
  host: string,
  options: TlsClientOptions,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HandshakeOutcome> {
  const servername = effectiveServername(host, options);
  const capture = new PeerCapture();
  let tlsSocket: TLSSocket | undefined;
  try {
    const secured = await withDeadline(
      'tls',
      timeoutMs,
      signal,
      () =>
        new Promise<TLSSocket>((resolve, reject) => {
          const s = tlsConnect({
            socket,
            ...(servername ? { servername } : {}),
            secureContext: secureContextFor(options),
            rejectUnauthorized: false,
            checkServerIdentity: capture.check,
          });
          tlsSocket = s;
          const onClose = (): void => reject(new MailprobeError('ECLOSED', 'connection closed during the TLS handshake', { phase: 'tls' }));
          s.once('secureConnect', () => {
            s.off('error', reject);
            s.off('close', onClose);
            resolve(s);
          });
          s.once('error', reject);
          s.once('close', onClose);
        }),
      () => tlsSocket?.destroy(),
      () => `TLS handshake did not complete within ${timeoutMs} ms`,
    );
    secured.on('error', ignore);
    return { ok: true, socket: secured, facts: collectTlsFacts(secured, host, servername, options.insecure === true, capture.cert) };
  } catch (err) {
    tlsSocket?.destroy();
    socket.destroy();
    if (isMailprobeError(err, 'EABORTED')) throw err;
    const code = isMailprobeError(err) ? err.code : nodeErrorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, failure: classifyTlsError(code, message), code, message };
  }
}

export type SniffOutcome =
  /** A first line (or 4 KiB without one); the bytes are back in the stream for the next reader. */
  | { readonly kind: 'line'; readonly line: string; readonly waitedMs: number }
  | { readonly kind: 'closed'; readonly partial: string }
  | { readonly kind: 'timeout'; readonly partial: string };

/** A banner longer than this without a line end is not a mail greeting; stop reading. */
const MAX_SNIFF_BYTES = 4096;

/**
 * Wait up to `timeoutMs` for the server's first line without consuming it. On `line` the
 * stream is left paused-readable with every byte read pushed back; on anything else it is
 * destroyed.
 */
export function sniffLine(stream: Duplex, timeoutMs: number, signal: AbortSignal | undefined): Promise<SniffOutcome> {
  const started = performance.now();
  return new Promise<SniffOutcome>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: SniffOutcome | Error): void => {
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
      signal?.removeEventListener('abort', onAbort);
      const bytes = Buffer.concat(chunks);
      if (outcome instanceof Error) {
        stream.destroy();
        reject(outcome);
      } else if (outcome.kind === 'line') {
        if (bytes.length > 0) stream.unshift(bytes);
        resolve(outcome);
      } else {
        stream.destroy();
        resolve(outcome);
      }
    };
    const text = (): string => Buffer.concat(chunks).toString('latin1');
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
      }
      const all = text();
      const lf = all.indexOf('\n');
      if (lf !== -1 || size >= MAX_SNIFF_BYTES) {
        finish({ kind: 'line', line: lf === -1 ? all : all.slice(0, lf + 1), waitedMs: performance.now() - started });
      }
    };
    const onEnd = (): void => finish({ kind: 'closed', partial: text() });
    const onAbort = (): void => finish(new MailprobeError('EABORTED', 'cancelled while waiting for the greeting', { phase: 'greeting' }));
    const timer = setTimeout(() => finish({ kind: 'timeout', partial: text() }), timeoutMs);
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onEnd);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function ignore(): void {}
