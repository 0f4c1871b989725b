/**
 * What the active fault profiles change, as one flat description the front ends read. The
 * profiles themselves (ids, titles, expected findings) are in profiles.ts.
 */
import type { CertificateFault } from '../pki/chain.js';
import type { GreetingFault } from '../net/listener.js';

export interface FaultEffects {
  /** The leaf certificate, or what is served, is broken this way. */
  readonly certificate: CertificateFault | undefined;
  /** TLS 1.0 and 1.1 only. */
  readonly legacyTls: boolean;
  /** STARTTLS/STLS offered on the cleartext ports (false: not offered, and refused). */
  readonly starttls: boolean;
  /** Password logins offered and accepted before TLS. */
  readonly plaintextAuth: boolean;
  /** The implicit-TLS ports (465, 993, 995 roles) speak cleartext. */
  readonly implicitTlsPlaintext: boolean;
  /** The cleartext ports (25, 587, 143, 110 roles) want a TLS handshake first. */
  readonly cleartextPortsWantTls: boolean;
  readonly greeting: GreetingFault | undefined;
  readonly greetingDelayMs: number;
  /** SMTP ends the mail data at <LF>.<LF> too (smuggling-prone, RFC 5321 §4.1.1.4 violated). */
  readonly bareLfEndOfData: boolean;
  /** Input pipelined after STARTTLS/STLS is kept and answered inside TLS (RFC 3207 §4.2 violated). */
  readonly starttlsInjection: boolean;
}

export const NO_FAULTS: FaultEffects = {
  certificate: undefined,
  legacyTls: false,
  starttls: true,
  plaintextAuth: false,
  implicitTlsPlaintext: false,
  cleartextPortsWantTls: false,
  greeting: undefined,
  greetingDelayMs: 12_000,
  bareLfEndOfData: false,
  starttlsInjection: false,
};
