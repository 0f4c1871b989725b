/**
 * What the IMAP front end announces (RFC 9051 §7.2.2). IMAP4rev1 with the extensions it
 * implements; IMAP4rev2 is not claimed (it would oblige ESEARCH, LIST-EXTENDED, STATUS=SIZE …).
 */

/** Implemented everywhere: literals (RFC 7888), SASL-IR (4959), ID (2971), ENABLE (5161), IDLE
 * (2177), NAMESPACE (2342), UIDPLUS (4315), MOVE (6851), UNSELECT (3691), CHILDREN (3348),
 * SPECIAL-USE (6154). */
const BASE = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE', 'UIDPLUS', 'MOVE', 'UNSELECT', 'CHILDREN', 'SPECIAL-USE'];

export interface CapabilityState {
  readonly authenticated: boolean;
  readonly secure: boolean;
  /** STARTTLS offered at all (a fault can take it away). */
  readonly starttls: boolean;
  /** Password logins allowed now (TLS, or the plaintext-auth fault). */
  readonly passwordsAllowed: boolean;
}

export function capabilities(s: CapabilityState): string[] {
  const caps = [...BASE];
  if (s.authenticated) return caps;
  if (!s.secure && s.starttls) caps.push('STARTTLS');
  // RFC 9051 §6.2.3 / RFC 3501 §6.2.3: LOGINDISABLED while LOGIN would expose the password.
  if (s.passwordsAllowed) caps.push('AUTH=PLAIN', 'AUTH=LOGIN');
  else caps.push('LOGINDISABLED');
  return caps;
}
