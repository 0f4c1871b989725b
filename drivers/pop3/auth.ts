/**
 * POP3 logins that need more than one line: APOP (RFC 1939 §7) and SASL AUTH (RFC 5034) with
 * PLAIN (RFC 4616) and XOAUTH2. Every credential is a `Secret` from the moment it is built, so
 * the transcript shows `APOP user ***`, `AUTH PLAIN ***` and `***` for continuation lines, and
 * no base64 of a password ever reaches it.
 */
import { createHash } from 'node:crypto';
import { MailprobeError } from '../errors.js';
import { secret, type Secret } from '../redact.js';
import { plainResponse, xoauth2Response } from '../sasl.js';
import type { Pop3Client } from './client.js';
import type { Pop3Reply } from './types.js';

export interface AuthOptions {
  /**
   * Send the first client response on the AUTH line (RFC 5034 §4 allows this initial
   * response), default true; false sends `AUTH MECH` and answers the server's `+ ` instead.
   */
  initialResponse?: boolean;
}

/** The final reply, plus the texts of the `+ ` challenges the server sent on the way. */
export type AuthReply = Pop3Reply & { readonly challenges: string[] };

// A server that keeps challenging would hold a login forever; after this many rounds the
// client cancels with "*" (RFC 5034 §4) and returns what follows.
const MAX_SASL_ROUNDS = 8;

/** RFC 1939 §7: the lower-case hex MD5 of the timestamp (brackets included) and the secret. */
export function apopDigest(timestamp: string, password: string): string {
  return createHash('md5').update(timestamp + password, 'utf8').digest('hex');
}


/** APOP name digest. Throws ECONFIG (nothing sent) when there is no timestamp to digest. */
export function apopLogin(client: Pop3Client, name: string, password: Secret, timestamp: string | undefined): Promise<Pop3Reply> {
  if (timestamp === undefined) {
    return Promise.reject(
      new MailprobeError('ECONFIG', 'the greeting carries no APOP timestamp (RFC 1939 §7); pass one explicitly to send APOP anyway'),
    );
  }
  return client.command(['APOP', name, secret(apopDigest(timestamp, password.reveal()))]);
}

/**
 * A SASL exchange (RFC 5034 §4): AUTH with or without the initial response, then one line per
 * `+ ` challenge from `respond`, until +OK or -ERR.
 */
export async function sasl(
  client: Pop3Client,
  mechanism: string,
  initial: Secret,
  options: AuthOptions & { respond: (challenge: string) => string | Secret },
): Promise<AuthReply> {
  const challenges: string[] = [];
  let pending: Secret | undefined;
  let reply: Pop3Reply;
  if (options.initialResponse ?? true) {
    // RFC 5034 §4: a zero-length initial response is sent as a single "=".
    reply = await client.command(['AUTH', mechanism, initial.reveal() === '' ? '=' : initial]);
  } else {
    pending = initial;
    reply = await client.command(['AUTH', mechanism]);
  }
  for (let round = 0; reply.status === 'continue' && round < MAX_SASL_ROUNDS; round++) {
    challenges.push(reply.text);
    const response = pending ?? options.respond(reply.text);
    pending = undefined;
    reply = await client.continueAuth(response);
  }
  if (reply.status === 'continue') {
    challenges.push(reply.text);
    reply = await client.continueAuth('*');
  }
  return { ...reply, challenges };
}

/** AUTH PLAIN. A challenge after the credentials is unexpected: the client cancels with "*". */
export function saslPlain(
  client: Pop3Client,
  name: string,
  password: Secret,
  options: AuthOptions & { authzid?: string },
): Promise<AuthReply> {
  return sasl(client, 'PLAIN', plainResponse({ user: name, password, ...(options.authzid === undefined ? {} : { authzid: options.authzid }) }), { ...options, respond: () => '*' });
}

/**
 * AUTH XOAUTH2. A rejected token comes back as a `+ ` challenge holding a base64 JSON error;
 * the client answers with an empty line to get the final -ERR, as the mechanism specifies.
 */
export function saslXoauth2(client: Pop3Client, name: string, token: Secret, options: AuthOptions): Promise<AuthReply> {
  return sasl(client, 'XOAUTH2', xoauth2Response({ user: name, token }), { ...options, respond: () => '' });
}
