/**
 * The client side of a TLS handshake for the transport: over an open plaintext connection
 * (STARTTLS, or implicit TLS on an injected stream), or on a TLS socket that connected itself
 * (implicit TLS on a socket the transport opened: it then reads through `onread`, see
 * drivers/socket-inbox.ts). Either way under the tls deadline, with the verification result
 * decided from the facts so insecure runs still learn it.
 */
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { withDeadline } from '../deadline.js';
import { MailprobeError, nodeErrorCode } from '../errors.js';
import { NO_TRANSCRIPT, type TranscriptSink } from '../transcript.js';
import { collectTlsFacts, describeTlsFacts, PeerCapture, type TlsFacts } from './tls-facts.js';
import { effectiveServername, secureContextFor, type TlsClientOptions } from './tls-options.js';

/**
 * The tls.connect options of a client handshake to `host` (the name asked for, not the
 * address); `capture` keeps the peer certificate Node checks (tls-facts.ts PeerCapture).
 */
export function tlsConnectOptions(host: string, options: TlsClientOptions, capture: PeerCapture): ConnectionOptions {
  const servername = effectiveServername(host, options);
  return {
    ...(servername ? { servername } : {}),
    secureContext: secureContextFor(options),
    // Verification is decided from the facts (handshake), so insecure runs still learn the result.
    rejectUnauthorized: false,
    checkServerIdentity: capture.check,
  };
}

/**
 * Where the handshake runs: over an open connection (`plain`: a STARTTLS go-ahead, or implicit
 * TLS on an injected stream), or on a TLS socket that is connecting itself (`own`).
 */
export type HandshakeOn = { readonly plain: Duplex } | { readonly own: TLSSocket; readonly capture: PeerCapture };

/** The handshake under the tls deadline, then the certificate checked from the facts. */
export async function handshake(
  on: HandshakeOn,
  host: string,
  options: TlsClientOptions,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  transcript: TranscriptSink,
): Promise<{ socket: TLSSocket; facts: TlsFacts }> {
  let tlsSocket: TLSSocket | undefined = 'own' in on ? on.own : undefined;
  const capture = 'own' in on ? on.capture : new PeerCapture();
  // Started inside the deadline's promise: a failure to start is a handshake failure too.
  const start = (): TLSSocket => {
    if ('own' in on) return on.own;
    return (tlsSocket ??= tlsConnect({ socket: on.plain, ...tlsConnectOptions(host, options, capture) }));
  };
  const servername = effectiveServername(host, options);
  const insecure = options.insecure === true;
  transcript.info(`TLS handshake${servername ? ` (SNI ${servername})` : ''}`);
  const secured = await withDeadline(
    'tls',
    timeoutMs,
    signal,
    () =>
      new Promise<TLSSocket>((resolve, reject) => {
        const s = start();
        const done = (): void => {
          s.off('secureConnect', onSecure);
          s.off('error', onError);
          s.off('close', onClose);
        };
        const onSecure = (): void => {
          done();
          resolve(s);
        };
        const onError = (err: Error): void => {
          done();
          reject(err);
        };
        // A peer that closes mid-handshake may not emit 'error' on every Node version.
        const onClose = (): void => {
          done();
          reject(new MailprobeError('ETLS_HANDSHAKE', 'connection closed during the TLS handshake', { phase: 'tls' }));
        };
        s.once('secureConnect', onSecure);
        s.once('error', onError);
        s.once('close', onClose);
      }),
    () => tlsSocket?.destroy(),
    () => `TLS handshake did not complete within ${timeoutMs} ms`,
  ).catch((err: unknown) => {
    tlsSocket?.destroy();
    if (err instanceof MailprobeError) {
      throw err.withContext({ phase: 'tls', transcript: transcript.snapshot(30) });
    }
    const code = nodeErrorCode(err) ?? 'TLS_ERROR';
    const msg = err instanceof Error ? err.message : String(err);
    transcript.info(`TLS handshake failed: ${code}: ${msg}`);
    throw new MailprobeError(
      'ETLS_HANDSHAKE',
      `TLS handshake failed: ${msg}`,
      { phase: 'tls', transcript: transcript.snapshot(30), detail: { tlsError: code } },
      { cause: err },
    );
  });
  const facts = collectTlsFacts(secured, host, servername, insecure, capture.cert);
  // Describing the chain costs more than the handshake's own JavaScript: only for a transcript.
  if (transcript !== NO_TRANSCRIPT) transcript.info(describeTlsFacts(facts));
  if (!facts.verified && !insecure) {
    secured.destroy();
    const reason = [facts.chainError, facts.hostnameError].filter((s) => s !== null).join('; ');
    throw new MailprobeError(
      'ETLS_VERIFY',
      `certificate verification failed: ${reason}`,
      {
        phase: 'tls',
        tls: facts,
        transcript: transcript.snapshot(30),
        detail: { chainError: facts.chainError, hostnameError: facts.hostnameError },
      },
      { hint: 'pass --ca FILE to trust a private CA, --servername NAME to check another name, or --insecure to go on anyway' },
    );
  }
  return { socket: secured, facts };
}
