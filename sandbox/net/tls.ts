/**
 * Server-side TLS for every front end: one secure context built from the sandbox's credentials
 * and the TLS fault, and the handshake on an accepted socket (implicit TLS, STARTTLS, STLS).
 */
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import type { ServerCredentials } from '../pki/chain.js';

export interface ServerTlsSettings {
  readonly credentials: ServerCredentials;
  /** Offer only TLS 1.0 and 1.1 (the legacy-TLS fault). */
  readonly legacyOnly: boolean;
}

/**
 * The secure context options: TLS 1.2 and 1.3 normally (RFC 8996 deprecates 1.0 and 1.1; RFC
 * 8314 §4.1 asks for 1.2 or later). The legacy fault offers exactly 1.0 and 1.1, which OpenSSL 3
 * only negotiates at security level 0; weak keys and SHA-1 leaves need that level to load.
 */
export function serverTlsOptions(settings: ServerTlsSettings): SecureContextOptions & { minVersion: SecureVersion; maxVersion: SecureVersion } {
  const legacyCrypto = settings.legacyOnly || settings.credentials.needsLegacyCrypto;
  return {
    key: settings.credentials.keyPem,
    cert: settings.credentials.chainPem,
    minVersion: settings.legacyOnly ? 'TLSv1' : 'TLSv1.2',
    maxVersion: settings.legacyOnly ? 'TLSv1.1' : 'TLSv1.3',
    ...(legacyCrypto ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
  };
}

export function serverSecureContext(settings: ServerTlsSettings): SecureContext {
  return createSecureContext(serverTlsOptions(settings));
}

/**
 * Run the server side of a TLS handshake on `socket`. Resolves with the TLS socket, or rejects
 * (and destroys both sockets) on failure or after `timeoutMs`.
 */
export function acceptTls(socket: Socket, context: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    let settled = false;
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      secure.off('secure', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
      if (err) {
        secure.destroy();
        socket.destroy();
        reject(err);
      } else resolve(secure);
    };
    const onSecure = (): void => finish(undefined);
    const onError = (err: Error): void => finish(err);
    const onClose = (): void => finish(new Error('connection closed during the TLS handshake'));
    const timer = setTimeout(() => finish(new Error(`TLS handshake not completed within ${timeoutMs} ms`)), timeoutMs);
    secure.once('secure', onSecure);
    secure.once('error', onError);
    secure.once('close', onClose);
    // Errors after the handshake belong to the session, which listens itself; never uncaught.
    secure.on('error', () => undefined);
  });
}
