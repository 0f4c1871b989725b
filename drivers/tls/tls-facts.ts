import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { describeCertificate, type CertificateFacts } from './certificate.js';

/** What a TLS handshake showed: version, cipher, the chain, and what verification said. */
export interface TlsFacts {
  /** `TLSv1.3`, `TLSv1.2`, …; null if unknown. */
  readonly protocol: string | null;
  readonly cipher: string | null;
  /** The name sent as SNI and checked against the certificate (undefined: connected by IP). */
  readonly servername: string | undefined;
  /**
   * The peer chain, leaf first, as Node reconstructs it: the presented certificates, completed
   * with a trust anchor from the local store where one matched. A chain that stops at a
   * certificate that is not self-signed is missing its issuer.
   */
  readonly chain: readonly CertificateFacts[];
  /** Chain verification against the trust store (OpenSSL's verdict). */
  readonly chainTrusted: boolean;
  /** OpenSSL's verification error code (`CERT_HAS_EXPIRED`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …). */
  readonly chainError: string | null;
  /** The certificate matches the servername (or the IP when connected by address). */
  readonly hostnameMatches: boolean;
  readonly hostnameError: string | null;
  /** chainTrusted && hostnameMatches. */
  readonly verified: boolean;
  /** Whether the connection went ahead despite a verification failure (`insecure`). */
  readonly insecure: boolean;
}

/**
 * OpenSSL's default verification depth (100): any chain it can verify is kept whole. A shorter
 * cap cut verified chains short, and diagnose then judged the cut chain "untrusted".
 */
const MAX_CHAIN = 100;

/**
 * The peer certificate Node looked at in the handshake. A client handshake that OpenSSL found
 * no fault with asks `checkServerIdentity` about Node's detailed peer certificate (the chain
 * completed from the trust store); `check` keeps it and leaves the verdict to the facts, so
 * they need not ask for the same certificate again: building it was a fifth of the client
 * CPU of a TLS connection. One per connection.
 */
export class PeerCapture {
  cert: DetailedPeerCertificate | undefined;
  readonly check = (_host: string, cert: PeerCertificate): undefined => {
    this.cert = cert as DetailedPeerCertificate;
    return undefined;
  };
}

/**
 * Collect the facts of an established TLS socket. Never throws for odd certificates.
 * `presented`: the detailed peer certificate of this socket's handshake (PeerCapture), if Node
 * built one.
 *
 * The chain's DER is taken now (the socket's certificates are gone once it closes); describing
 * it (parsing, key details, digests, the self-signature check) waits until `chain` is first
 * read: that was a quarter of a TLS connection's client CPU, and a bench opening TLS
 * connections never reads the chain.
 */
export function collectTlsFacts(
  socket: TLSSocket,
  host: string,
  servername: string | undefined,
  insecure: boolean,
  presented?: DetailedPeerCertificate,
): TlsFacts {
  let peer: DetailedPeerCertificate | undefined;
  try {
    const p = presented ?? socket.getPeerCertificate(true);
    peer = p && Object.keys(p).length > 0 ? p : undefined;
  } catch {
    peer = undefined;
  }
  const ders: Buffer[] = [];
  const seen = new Set<string>();
  for (let cert = peer; cert && ders.length < MAX_CHAIN; cert = cert.issuerCertificate) {
    if (!cert.raw || seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    ders.push(cert.raw);
  }
  let chain: readonly CertificateFacts[] | undefined;
  const authError = socket.authorizationError as unknown;
  const chainError =
    authError === null || authError === undefined
      ? null
      : typeof authError === 'string'
        ? authError
        : authError instanceof Error
          ? ((authError as Error & { code?: string }).code ?? authError.message)
          : String(authError);
  let hostnameError: string | null = null;
  if (peer) {
    const name = servername ?? host;
    const err = checkServerIdentity(name, peer);
    if (err) hostnameError = (err as Error & { reason?: string }).reason ?? err.message;
  } else {
    hostnameError = 'no peer certificate';
  }
  const chainTrusted = socket.authorized === true && chainError === null;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    servername,
    // An enumerable getter: JSON, spreads and structured clones see a plain array.
    get chain(): readonly CertificateFacts[] {
      return (chain ??= describeChain(ders));
    },
    chainTrusted,
    chainError,
    hostnameMatches: hostnameError === null,
    hostnameError,
    verified: chainTrusted && hostnameError === null,
    insecure,
  };
}

/** The chain's facts, leaf first; stops at the first certificate that cannot be parsed. */
function describeChain(ders: readonly Buffer[]): CertificateFacts[] {
  const chain: CertificateFacts[] = [];
  for (const der of ders) {
    try {
      chain.push(describeCertificate(new X509Certificate(der)));
    } catch {
      break;
    }
  }
  return chain;
}

/** One line for transcripts and error messages. */
export function describeTlsFacts(f: TlsFacts): string {
  const leaf = f.chain[0];
  const verdict = f.verified ? 'verified' : `NOT verified (${[f.chainError, f.hostnameError].filter(Boolean).join('; ')})`;
  return `${f.protocol ?? '?'} ${f.cipher ?? '?'}, certificate ${leaf ? leaf.subject : 'none'}: ${verdict}`;
}
