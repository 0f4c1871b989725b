import { createHmac } from 'node:crypto';
import { MailprobeError } from './errors.js';
import { secret, Secret } from './redact.js';

/**
 * SASL client responses shared by SMTP AUTH (RFC 4954), IMAP AUTHENTICATE and POP3 AUTH
 * (RFC 5034). Every response that carries a secret, or is derived from one, is a Secret, so
 * its base64 never reaches a transcript.
 */

export interface Credentials {
  user: string;
  /** Password for PLAIN, LOGIN, CRAM-MD5. */
  password?: string | Secret;
  /** OAuth 2.0 bearer token for XOAUTH2. */
  token?: string | Secret;
  /** Authorization identity for PLAIN (RFC 4616 §2); usually empty. */
  authzid?: string;
}

export type SaslMechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2';

export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'];

function reveal(value: string | Secret | undefined, what: string, mechanism: string): string {
  if (value === undefined) throw new MailprobeError('ECONFIG', `${mechanism} needs a ${what}`);
  return value instanceof Secret ? value.reveal() : value;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** RFC 4616 §2: authzid NUL authcid NUL passwd, base64. */
export function plainResponse(c: Credentials): Secret {
  return secret(b64(`${c.authzid ?? ''}\0${c.user}\0${reveal(c.password, 'password', 'PLAIN')}`));
}

/** Google/Microsoft XOAUTH2: `user=U^Aauth=Bearer T^A^A`, base64. */
export function xoauth2Response(c: Credentials): Secret {
  return secret(b64(`user=${c.user}\x01auth=Bearer ${reveal(c.token, 'token', 'XOAUTH2')}\x01\x01`));
}

/** RFC 2195: user SP hex(HMAC-MD5(password, challenge)), base64. The challenge is base64. */
export function cramMd5Response(c: Credentials, challengeB64: string): Secret {
  const challenge = Buffer.from(challengeB64.trim(), 'base64');
  const digest = createHmac('md5', reveal(c.password, 'password', 'CRAM-MD5')).update(challenge).digest('hex');
  return secret(b64(`${c.user} ${digest}`));
}

/** LOGIN (draft-murchison-sasl-login): the user name, then the password, each base64. */
export function loginUserResponse(c: Credentials): string {
  return b64(c.user);
}

export function loginPasswordResponse(c: Credentials): Secret {
  return secret(b64(reveal(c.password, 'password', 'LOGIN')));
}

/** Decode a server challenge for the transcript and for CRAM-MD5; invalid base64 stays as is. */
export function decodeChallenge(text: string): string {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return t;
  return Buffer.from(t, 'base64').toString('utf8');
}
