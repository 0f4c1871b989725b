/**
 * POP3 commands: RFC 1939 §4–§7, CAPA (RFC 2449 §5), STLS (RFC 2595 §4), AUTH PLAIN (RFC 5034)
 * and the RFC 2449 §8 response codes ([AUTH], [IN-USE], [SYS/PERM]).
 */
import { decodePlain, ownIdentity } from '../sasl.js';
import { Maildrop, multiline, size, top, uniqueId } from './maildrop.js';
import type { Pop3Session, Pop3State } from './session.js';

interface CommandSpec {
  readonly states: readonly Pop3State[];
  run(s: Pop3Session, args: string): void | Promise<void>;
}

/** RFC 1939 §3: commands without arguments refuse them (-ERR, a syntax error). */
function bare(run: (s: Pop3Session) => void | Promise<void>): CommandSpec['run'] {
  return (s, args) => (args.trim() === '' ? run(s) : s.err('This command takes no arguments'));
}

const AUTHZ: readonly Pop3State[] = ['authorization'];
const TRANS: readonly Pop3State[] = ['transaction'];
const BOTH: readonly Pop3State[] = ['authorization', 'transaction'];

/** RFC 2449 §5: the same list in both states, but STLS only where it may be used. */
function capabilities(s: Pop3Session): string[] {
  const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'LOGIN-DELAY 0'];
  if (s.passwordsAllowed) caps.push('USER', 'SASL PLAIN');
  if (!s.conn.secure && s.ctx.faults.starttls && s.state === 'authorization') caps.push('STLS');
  caps.push('IMPLEMENTATION mailprobe-sandbox');
  return caps;
}

/** A message number argument (§3: no leading zeros needed, 1-based); undefined when malformed. */
function messageNumber(text: string): number | undefined {
  return /^[0-9]{1,9}$/.test(text) ? Number(text) : undefined;
}

/** Log in, take the lock or answer [IN-USE] (RFC 2449 §8.1.2). */
function login(s: Pop3Session, user: string, password: string): void {
  const account = s.ctx.store.authenticate(user, password);
  if (!account) return s.authFailed('Invalid user name or password');
  if (s.ctx.pop3Lock === 'exclusive' && account.pop3Holder !== undefined) {
    s.err('[IN-USE] The maildrop is locked by another POP3 session');
    return;
  }
  const drop = new Maildrop(account);
  s.enter(account, drop);
  const { count, octets } = drop.stat();
  s.ok(`Logged in as ${account.address}: ${count} message(s) (${octets} octets)`);
}

const table: Readonly<Record<string, CommandSpec>> = {
  CAPA: {
    states: BOTH,
    run: bare((s) => s.multiline('Capability list follows', multiline(Buffer.from(capabilities(s).map((c) => `${c}\r\n`).join(''), 'latin1')))),
  },
  NOOP: { states: TRANS, run: bare((s) => s.ok('')) },
  QUIT: { states: BOTH, run: bare((s) => s.quit()) },
  STLS: {
    states: AUTHZ,
    run: async (s, args) => {
      if (args !== '') return s.err('STLS takes no argument');
      if (s.conn.secure) return s.err('TLS is already active');
      if (!s.ctx.faults.starttls) return s.err('STLS is not available');
      await s.startTls();
    },
  },
  USER: {
    states: AUTHZ,
    run: (s, args) => {
      // RFC 2595 §4 / RFC 8314 §3.3: no cleartext passwords before TLS.
      if (!s.passwordsAllowed) return s.err('[AUTH] Plaintext authentication is disabled before STLS');
      if (args === '') return s.err('USER needs a name');
      s.pendingUser = args;
      s.ok('Send PASS');
    },
  },
  PASS: {
    states: AUTHZ,
    run: (s, args) => {
      const user = s.pendingUser;
      s.pendingUser = undefined;
      if (!s.passwordsAllowed) return s.err('[AUTH] Plaintext authentication is disabled before STLS');
      if (user === undefined) return s.err('Send USER first');
      // §7: the argument is the rest of the line, spaces included.
      login(s, user, args);
    },
  },
  APOP: { states: AUTHZ, run: (s) => s.err('[AUTH] APOP is not supported') },
  AUTH: {
    states: AUTHZ,
    run: (s, args) => {
      const [mechanism = '', initial, extra] = args.split(' ');
      if (mechanism === '') return s.err('AUTH needs a mechanism');
      if (mechanism.toUpperCase() !== 'PLAIN' || extra !== undefined) return s.err(`Unsupported mechanism ${mechanism.slice(0, 40)}`);
      if (!s.passwordsAllowed) return s.err('[AUTH] Plaintext authentication is disabled before STLS');
      if (initial === undefined) {
        // RFC 5034 §4: an empty challenge, then the client's response on its own line.
        s.awaitingSasl = true;
        s.conn.write('+ \r\n');
        return;
      }
      saslResponse(s, initial === '=' ? '' : initial);
    },
  },
  STAT: {
    states: TRANS,
    run: bare((s) => {
      const { count, octets } = s.drop!.stat();
      s.ok(`${count} ${octets}`);
    }),
  },
  LIST: { states: TRANS, run: (s, args) => listing(s, args, (n, m) => `${n} ${size(m)}`) },
  UIDL: { states: TRANS, run: (s, args) => listing(s, args, (n, m) => `${n} ${uniqueId(s.account!, m)}`) },
  RETR: {
    states: TRANS,
    run: (s, args) => {
      const n = messageNumber(args);
      const m = n === undefined ? undefined : s.drop!.get(n);
      if (!m) return s.err(n === undefined ? 'RETR needs a message number' : 'No such message');
      s.multiline(`${size(m)} octets`, multiline(m.pop3Bytes));
      // As Dovecot does: a message read by POP3 shows as \Seen in IMAP.
      if (m.addFlag('\\Seen')) s.account!.inbox.flagsChanged(m, undefined);
    },
  },
  TOP: {
    states: TRANS,
    run: (s, args) => {
      const [msg = '', lines = '', extra] = args.split(' ');
      const n = messageNumber(msg);
      const count = /^[0-9]{1,9}$/.test(lines) ? Number(lines) : undefined;
      if (n === undefined || count === undefined || extra !== undefined) return s.err('Syntax: TOP msg n');
      const m = s.drop!.get(n);
      if (!m) return s.err('No such message');
      s.multiline('Top of message follows', multiline(top(m, count)));
    },
  },
  DELE: {
    states: TRANS,
    run: (s, args) => {
      const n = messageNumber(args);
      const m = n === undefined ? undefined : s.drop!.get(n);
      if (!m) return s.err(n === undefined ? 'DELE needs a message number' : 'No such message');
      s.drop!.deleted.add(m);
      s.ok(`Message ${n} deleted`);
    },
  },
  RSET: {
    states: TRANS,
    run: bare((s) => {
      s.drop!.deleted.clear();
      const { count, octets } = s.drop!.stat();
      s.ok(`${count} message(s) (${octets} octets)`);
    }),
  },
};

/** LIST/UIDL with or without a message number (§5, §7). */
function listing(s: Pop3Session, args: string, line: (n: number, m: NonNullable<ReturnType<Maildrop['get']>>) => string): void {
  if (args === '') {
    const lines = s.drop!.live().map(([n, m]) => `${line(n, m)}\r\n`);
    s.multiline(`${lines.length} message(s)`, multiline(Buffer.from(lines.join(''), 'latin1')));
    return;
  }
  const n = messageNumber(args);
  const m = n === undefined ? undefined : s.drop!.get(n);
  if (!m || n === undefined) return s.err(n === undefined ? 'Syntax: message number expected' : 'No such message');
  s.ok(line(n, m));
}

/** The client's AUTH PLAIN response (RFC 5034 §4, RFC 4616 §2); `*` cancels. */
function saslResponse(s: Pop3Session, response: string): void {
  if (response === '*') return s.err('AUTH cancelled');
  const creds = decodePlain(response.trim());
  if (!creds) return s.err('Invalid AUTH PLAIN response');
  if (!ownIdentity(creds)) return s.authFailed('Proxy authorization is not supported');
  login(s, creds.user, creds.password);
}

export const POP3_COMMANDS = { table, saslResponse };
