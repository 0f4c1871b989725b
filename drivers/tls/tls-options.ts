import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, DEFAULT_CIPHERS, rootCertificates, type SecureContext, type SecureVersion } from 'node:tls';

/** TLS settings of a client connection, for implicit TLS and for STARTTLS alike. */
export interface TlsClientOptions {
  /** SNI and the name the certificate must match. Defaults to the host when it is a name. */
  servername?: string;
  /** Extra trust anchors (PEM), added to Node's bundled roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Do not fail on verification errors; the result is still recorded in TlsFacts. */
  insecure?: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher string; TLS 1.0/1.1 need `DEFAULT@SECLEVEL=0` with OpenSSL 3. */
  ciphers?: string;
}

/** Options that make OpenSSL 3 offer exactly one protocol version, legacy ones included. */
export function singleVersionOptions(version: SecureVersion): Pick<TlsClientOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  const legacy = version === 'TLSv1' || version === 'TLSv1.1';
  return {
    minVersion: version,
    maxVersion: version,
    // OpenSSL 3 refuses TLS < 1.2 at the default security level 1; level 0 re-enables it.
    ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
  };
}

/** The name to send as SNI and to verify: explicit servername, else the host unless it is an IP. */
export function effectiveServername(host: string, options: TlsClientOptions): string | undefined {
  if (options.servername !== undefined && options.servername !== '') return options.servername;
  return isIP(host) === 0 ? host : undefined;
}

/**
 * The cipher string when none is given: Node's default list at OpenSSL security level 1, the
 * default of OpenSSL 3.0 (Node 20, 22). OpenSSL 3.5 (Node 24) defaults to level 2, where a
 * 1024-bit RSA leaf fails verification with an unnamed error: the same server would then be
 * "untrusted" on one Node and not on another. mailprobe judges key sizes itself
 * (tls.cert.weak-key), so verification stays at level 1 everywhere.
 */
export const CLIENT_CIPHERS = `${DEFAULT_CIPHERS}:@SECLEVEL=1`;

// A secure context with ~150 bundled roots costs milliseconds to build; bench opens thousands
// of connections with the same settings, so contexts are cached by their inputs.
const contextCache = new Map<string, SecureContext>();
const MAX_CACHED_CONTEXTS = 32;

export function secureContextFor(options: TlsClientOptions): SecureContext {
  const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  const hash = createHash('sha256');
  for (const ca of extra as (string | Buffer)[]) hash.update(ca).update('\0');
  const key = [hash.digest('hex'), options.minVersion ?? '', options.maxVersion ?? '', options.ciphers ?? ''].join('|');
  let ctx = contextCache.get(key);
  if (!ctx) {
    ctx = createSecureContext({
      ca: extra.length > 0 ? [...rootCertificates, ...(extra as (string | Buffer)[])] : undefined,
      ...(options.minVersion ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ciphers: options.ciphers ?? CLIENT_CIPHERS,
    });
    if (contextCache.size >= MAX_CACHED_CONTEXTS) {
      const oldest = contextCache.keys().next().value;
      if (oldest !== undefined) contextCache.delete(oldest);
    }
    contextCache.set(key, ctx);
  }
  return ctx;
}
