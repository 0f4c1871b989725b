/**
 * What a connection is set up from: its timeouts and limits (resolved once per overrides object),
 * the tls.connect options for implicit TLS on a socket of its own, and its address as messages
 * show it. Nothing here touches a transport's state, so it stays out of the class's file.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Limits } from './limits.js';
import { tlsConnectOptions } from './tls/handshake.js';
import { PeerCapture } from './tls/tls-facts.js';
import type { TlsClientOptions } from './tls/tls-options.js';
import type { Timeouts } from './timeouts.js';

/**
 * Resolved timeouts and limits by the overrides object they came from: a bench thread passes
 * the same options to every connect, so they are validated and copied once. (Nothing mutates
 * a transport's timeouts or limits; sharing them is safe.)
 */
export const resolvedTimeouts = new WeakMap<object, Timeouts>();
export const resolvedLimits = new WeakMap<object, Limits>();
const NO_OVERRIDES = {};
export function resolvedOnce<I extends object, O>(memo: WeakMap<object, O>, input: I | undefined, resolve: (input: I | undefined) => O): O {
  const key = input ?? NO_OVERRIDES;
  let out = memo.get(key);
  if (out === undefined) {
    out = resolve(input);
    memo.set(key, out);
  }
  return out;
}

/**
 * The tls.connect options for implicit TLS on a socket of our own, with the capture of the
 * peer certificate its handshake will see; undefined when they cannot be built (a cipher list
 * OpenSSL matches nothing in, say): the connection then goes the wrapped way, whose handshake
 * reports that as ETLS_HANDSHAKE with the transcript.
 */
export function ownTlsOptions(host: string, options: TlsClientOptions): { options: ConnectionOptions; capture: PeerCapture } | undefined {
  const capture = new PeerCapture();
  try {
    return { options: tlsConnectOptions(host, options, capture), capture };
  } catch {
    return undefined;
  }
}

export function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
