/**
 * LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE (§6.2.2) with PLAIN (RFC 4616) and XOAUTH2, with
 * an initial response when SASL-IR (RFC 4959) is advertised or asked for. Passwords, tokens and
 * their base64 forms are Secrets (drivers/sasl.ts): the transcript shows `***`, never the bytes.
 * Every SASL response of AUTHENTICATE is shown as `***` whatever its type (a string or bytes
 * from a caller is as secret as a Secret); only the empty response and the `*` cancel show.
 * Nothing is refused: LOGIN before STARTTLS, or despite LOGINDISABLED, is sent when asked.
 */
import { Secret, secret } from '../../redact.js';
import { plainResponse, xoauth2Response } from '../../sasl.js';
import { astring, type CommandArg } from '../command-encoder.js';
import type { CommandResult, ContinuationReply, ImapConnection } from '../connection.js';

export async function login(conn: ImapConnection, user: string, password: string | Secret): Promise<CommandResult> {
  return conn.command('LOGIN', [astring(user), astring(password instanceof Secret ? password : secret(password))]);
}

/**
 * Continuation requests one AUTHENTICATE answers (initial response included) before it cancels
 * with `*` (as SMTP's MAX_SASL_STEPS): real mechanisms need a few round trips, and a server that
 * answers every line with `+` would otherwise keep the exchange going forever.
 */
export const MAX_SASL_STEPS = 8;

export interface AuthenticateOptions {
  /**
   * Send the first client response on the command line (RFC 4959): `auto` (default) when the
   * server advertises SASL-IR, or always / never.
   */
  saslIr?: 'auto' | boolean;
}

export interface SaslExchange extends AuthenticateOptions {
  /** The first client response, base64-encoded as it goes on the wire; '' is the empty response. */
  initialResponse?: Secret | string;
  /**
   * Answers each later challenge (given decoded), in wire form; the default cancels with `*`.
   * After MAX_SASL_STEPS answers the exchange is cancelled with `*` whatever this returns.
   */
  onChallenge?: (challenge: Buffer) => ContinuationReply;
}

export type AuthenticateResult = CommandResult & {
  /** Server challenges, base64-decoded (an XOAUTH2 error is JSON here). */
  readonly challenges: Buffer[];
};

/**
 * AUTHENTICATE `mechanism`, answering continuations with the initial response then `onChallenge`.
 * After MAX_SASL_STEPS answers the next challenge is answered with `*` (RFC 9051 §6.2.2: the
 * server must then reject with BAD, returned as data); a server that still sends `+` after the
 * cancel fails the command with EPROTOCOL and the connection is given up.
 */
export async function authenticate(conn: ImapConnection, mechanism: string, exchange: SaslExchange = {}): Promise<AuthenticateResult> {
  const challenges: Buffer[] = [];
  const initial = exchange.initialResponse;
  const saslIr = exchange.saslIr ?? 'auto';
  const inline = initial !== undefined && (saslIr === 'auto' ? conn.hasCapability('SASL-IR') : saslIr);
  const args: CommandArg[] = [mechanism];
  // RFC 4959 §3: an empty initial response on the command line is "="; after "+" it is an empty line.
  if (inline) args.push(reveal(initial) === '' ? '=' : initial instanceof Secret ? initial : secret(initial));
  let pending = inline ? undefined : initial;
  let answered = 0;
  const result = await conn.command('AUTHENTICATE', args, {
    redactContinuations: true,
    // The cancel is the last answer: one more "+" and the server is not listening.
    maxContinuations: MAX_SASL_STEPS + 1,
    onContinuation: (request) => {
      answered++;
      if (pending !== undefined) {
        // The server's first "+" asks for the initial response (RFC 4422 §5, RFC 9051 §6.2.2).
        const reply = pending;
        pending = undefined;
        return reply;
      }
      const challenge = Buffer.from(request.text, 'base64');
      challenges.push(challenge);
      if (answered > MAX_SASL_STEPS) return '*';
      return exchange.onChallenge ? exchange.onChallenge(challenge) : '*';
    },
  });
  return { ...result, challenges };
}

/** AUTHENTICATE PLAIN: base64(authzid NUL user NUL password), RFC 4616 §2. */
export function authenticatePlain(
  conn: ImapConnection,
  user: string,
  password: string | Secret,
  options: AuthenticateOptions & { authzid?: string } = {},
): Promise<AuthenticateResult> {
  const { authzid, ...rest } = options;
  return authenticate(conn, 'PLAIN', { ...rest, initialResponse: plainResponse({ user, password, ...(authzid === undefined ? {} : { authzid }) }) });
}

/**
 * AUTHENTICATE XOAUTH2 (Google/Microsoft): `user=U^Aauth=Bearer T^A^A`. On failure the server
 * sends a base64 JSON challenge and expects an empty response before its NO.
 */
export function authenticateXoauth2(conn: ImapConnection, user: string, accessToken: string | Secret, options: AuthenticateOptions = {}): Promise<AuthenticateResult> {
  return authenticate(conn, 'XOAUTH2', { ...options, initialResponse: xoauth2Response({ user, token: accessToken }), onChallenge: () => '' });
}

function reveal(value: Secret | string): string {
  return value instanceof Secret ? value.reveal() : value;
}
