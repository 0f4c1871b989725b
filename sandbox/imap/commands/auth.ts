/**
 * Not-authenticated commands (RFC 9051 §6.2): STARTTLS, LOGIN, AUTHENTICATE with PLAIN (RFC
 * 4616) and LOGIN, initial responses per SASL-IR (RFC 4959). Passwords are refused before TLS
 * (LOGINDISABLED) unless the plaintext-auth fault is on.
 */
import { decodeBase64, decodePlain, ownIdentity } from '../../sasl.js';
import type { Account } from '../../store/account.js';
import { BadCommand, type ArgParser } from '../parser.js';
import type { CommandSpec, Completion, ImapSession } from '../session.js';

const PRIVACY: Completion = { status: 'NO', code: 'PRIVACYREQUIRED', text: 'Password logins need TLS first (STARTTLS)' };

/** A login attempt's outcome; too many failures end the session. */
function loggedIn(s: ImapSession, account: Account | undefined): Completion {
  if (!account) {
    if (++s.authFailures >= s.ctx.limits.maxAuthFailures) s.byeAfter = 'Too many failed logins';
    return { status: 'NO', code: 'AUTHENTICATIONFAILED', text: 'Invalid credentials' };
  }
  s.login(account);
  return { status: 'OK', code: `CAPABILITY ${s.capabilities().join(' ')}`, text: `Logged in as ${account.address}` };
}

function plain(s: ImapSession, response: string): Completion {
  const creds = decodePlain(response);
  if (!creds) return { status: 'BAD', text: 'Invalid AUTHENTICATE PLAIN response' };
  if (!ownIdentity(creds)) return { status: 'NO', code: 'AUTHORIZATIONFAILED', text: 'Proxy authorization is not supported' };
  return loggedIn(s, s.ctx.store.authenticate(creds.user, creds.password));
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Ask for the next SASL response and complete the command from `step`. */
function challenge(s: ImapSession, tag: string, text: string, step: (response: string) => Completion | 'pending'): 'pending' {
  s.send(`+ ${text}\r\n`);
  s.awaitLine((line) => {
    const response = line.toString('latin1');
    // §6.2.2: "*" cancels, and the server answers BAD.
    const result = response === '*' ? ({ status: 'BAD', text: 'AUTHENTICATE cancelled' } as const) : step(response);
    if (result !== 'pending') s.finish(tag, false, result);
  });
  return 'pending';
}

export const AUTH_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  // §6.2.1: OK, then the handshake; what the client sent after the command is discarded.
  STARTTLS: {
    states: ['not-authenticated'],
    expunges: false,
    run: async (s, tag, p) => {
      p.end();
      if (s.conn.secure) return { status: 'BAD', text: 'TLS is already active' };
      if (!s.ctx.faults.starttls) return { status: 'BAD', text: 'STARTTLS is not available' };
      s.send(`${tag} OK Begin TLS negotiation now\r\n`);
      // Keeping the plaintext buffer is the starttls-injection fault (RFC 9051 §6.2.1 forbids it).
      if (!s.ctx.faults.starttlsInjection) s.reader.discard();
      // No await before the switch: the client's handshake must not be read as plaintext.
      if (!(await s.conn.startTls(s.ctx.tls, s.ctx.limits.tlsHandshakeMs))) s.conn.destroy();
      return 'pending';
    },
  },
  LOGIN: {
    states: ['not-authenticated'],
    expunges: false,
    run: (s, _tag, p) => {
      p.sp();
      const user = p.astring().toString('utf8');
      p.sp();
      const password = p.astring().toString('utf8');
      p.end();
      if (!s.passwordsAllowed) return PRIVACY;
      return loggedIn(s, s.ctx.store.authenticate(user, password));
    },
  },
  AUTHENTICATE: {
    states: ['not-authenticated'],
    expunges: false,
    run: (s, tag, p) => authenticate(s, tag, p),
  },
};

function authenticate(s: ImapSession, tag: string, p: ArgParser): Completion | 'pending' {
  p.sp();
  const mechanism = p.atom().toUpperCase();
  let initial: string | undefined;
  if (p.maybeSp()) initial = p.take((c) => c > 0x20 && c < 0x7f, 'an initial response');
  p.end();
  if (mechanism !== 'PLAIN' && mechanism !== 'LOGIN') return { status: 'NO', code: 'CANNOT', text: `Unsupported mechanism ${mechanism.slice(0, 40)}` };
  if (!s.passwordsAllowed) return PRIVACY;
  if (mechanism === 'PLAIN') {
    // RFC 4959 §3: "=" is an empty initial response.
    if (initial !== undefined) return plain(s, initial === '=' ? '' : initial);
    return challenge(s, tag, '', (response) => plain(s, response));
  }
  if (initial !== undefined) throw new BadCommand('AUTHENTICATE LOGIN takes no initial response');
  return challenge(s, tag, b64('Username:'), (first) => {
    const user = decodeBase64(first)?.toString('utf8');
    if (user === undefined) return { status: 'BAD', text: 'Invalid base64' };
    return challenge(s, tag, b64('Password:'), (second) => {
      const password = decodeBase64(second)?.toString('utf8');
      if (password === undefined) return { status: 'BAD', text: 'Invalid base64' };
      return loggedIn(s, s.ctx.store.authenticate(user, password));
    });
  });
}
