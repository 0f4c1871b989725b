/** The naive SMTP server's commands (RFC 5321 §4.1, RFC 3207 STARTTLS, RFC 4954 AUTH). */
import { decodeBase64, decodePlain, ownIdentity } from '../../sasl.js';
import { checkAddressCharset, checkSender, decideRecipient } from '../policy.js';
import type { NaiveSmtpSession } from './session.js';

type Handler = (s: NaiveSmtpSession, args: string) => void | Promise<void>;

function ehloLines(s: NaiveSmtpSession): string[] {
  const lines = [`${s.ctx.servername} Hello ${s.helo}`, 'PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', `SIZE ${s.ctx.limits.maxMessageBytes}`];
  if (!s.conn.secure && s.ctx.faults.starttls) lines.push('STARTTLS');
  if (authOffered(s) && !s.user) lines.push('AUTH PLAIN LOGIN');
  return lines;
}

function authOffered(s: NaiveSmtpSession): boolean {
  return s.role === 'submission' && (s.conn.secure || s.ctx.faults.plaintextAuth);
}

function login(s: NaiveSmtpSession, user: string, password: string): void {
  s.endAuth();
  const account = s.ctx.store.authenticate(user, password);
  if (!account) return s.reply(535, '5.7.8 Authentication credentials invalid');
  s.user = account;
  s.reply(235, '2.7.0 Authentication successful');
}

function noArgs(s: NaiveSmtpSession, args: string, then: () => void): void {
  if (args.trim() !== '') return s.reply(501, '5.5.4 Syntax error: no parameters allowed');
  then();
}

/**
 * MAIL parameters the server announces: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531);
 * anything else is refused (RFC 5321 §4.1.1.11: 555). Returns the error text when refused.
 */
function mailParams(text: string, max: number): { size: number; smtpUtf8: boolean } | string {
  let size = 0;
  let smtpUtf8 = false;
  for (const param of text.trim().split(' ').filter((x) => x !== '')) {
    const [key = '', value] = param.split('=', 2);
    switch (key.toUpperCase()) {
      case 'SIZE':
        if (value === undefined || !/^\d{1,20}$/.test(value)) return 'Invalid SIZE parameter';
        size = Number(value) > max ? max + 1 : Number(value);
        break;
      case 'BODY':
        if (value === undefined || !['7BIT', '8BITMIME'].includes(value.toUpperCase())) return 'Invalid BODY parameter';
        break;
      case 'SMTPUTF8':
        if (value !== undefined) return 'SMTPUTF8 takes no value';
        smtpUtf8 = true;
        break;
      default:
        return `Parameter ${key.slice(0, 20)} not recognized`;
    }
  }
  return { size, smtpUtf8 };
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export const NAIVE_COMMANDS: Readonly<Record<string, Handler>> = {
  EHLO: (s, args) => {
    if (args.trim() === '') return s.reply(501, '5.5.4 Syntax: EHLO hostname');
    s.helo = args.trim();
    s.resetTransaction();
    s.reply(250, ehloLines(s));
  },
  HELO: (s, args) => {
    if (args.trim() === '') return s.reply(501, '5.5.4 Syntax: HELO hostname');
    s.helo = args.trim();
    s.resetTransaction();
    s.reply(250, `${s.ctx.servername} Hello ${s.helo}`);
  },
  STARTTLS: async (s, args) => {
    if (args.trim() !== '') return s.reply(501, '5.5.4 Syntax: STARTTLS');
    if (s.conn.secure) return s.reply(503, '5.5.1 TLS already active');
    if (!s.ctx.faults.starttls) return s.reply(502, '5.5.1 STARTTLS not available');
    await s.startTls();
  },
  AUTH: (s, args) => {
    const [mechanism = '', initial] = args.split(' ');
    if (!s.helo) return s.reply(503, '5.5.1 Send EHLO first');
    if (s.role !== 'submission') return s.reply(503, '5.5.1 AUTH not available on this port');
    if (!authOffered(s)) return s.reply(538, '5.7.11 Encryption required for requested authentication mechanism');
    if (s.user) return s.reply(503, '5.5.1 Already authenticated');
    const mech = mechanism.toUpperCase();
    const plain = (response: string): void => {
      if (response === '*') return (s.endAuth(), s.reply(501, '5.7.0 Authentication cancelled'));
      const creds = decodePlain(response);
      if (!creds || !ownIdentity(creds)) return (s.endAuth(), s.reply(501, '5.5.2 Invalid AUTH PLAIN response'));
      login(s, creds.user, creds.password);
    };
    if (mech === 'PLAIN') {
      if (initial !== undefined) return plain(initial === '=' ? '' : initial);
      s.startAuth(plain);
      return s.reply(334, '');
    }
    if (mech === 'LOGIN') {
      let user: string | undefined;
      s.startAuth((line) => {
        const decoded = line === '*' ? undefined : decodeBase64(line)?.toString('utf8');
        if (decoded === undefined) return (s.endAuth(), s.reply(501, '5.7.0 Authentication cancelled'));
        if (user === undefined) {
          user = decoded;
          return s.reply(334, b64('Password:'));
        }
        login(s, user, decoded);
      });
      return s.reply(334, b64('Username:'));
    }
    s.reply(504, '5.5.4 Unrecognized authentication type');
  },
  MAIL: (s, args) => {
    const m = /^FROM:\s?<([^<>\s]*)>((?: [^ ]+)*)$/i.exec(args);
    if (!m) return s.reply(501, '5.5.4 Syntax: MAIL FROM:<address>');
    if (!s.helo) return s.reply(503, '5.5.1 Send EHLO first');
    if (s.mailFrom !== undefined) return s.reply(503, '5.5.1 Nested MAIL command');
    const params = mailParams(m[2]!, s.ctx.limits.maxMessageBytes);
    if (typeof params === 'string') return s.reply(555, `5.5.4 ${params}`);
    if (params.size > s.ctx.limits.maxMessageBytes) return s.reply(552, '5.3.4 Message size exceeds fixed maximum message size');
    const utf8 = params.smtpUtf8;
    const refusal = checkAddressCharset(m[1]!, utf8) ?? checkSender(s.role, Boolean(s.user));
    if (refusal) return s.refuse(refusal);
    s.smtpUtf8 = utf8;
    s.mailFrom = m[1]!;
    s.reply(250, '2.1.0 Ok');
  },
  RCPT: (s, args) => {
    const m = /^TO:\s?<([^<>\s]+)>((?: [^ ]+)*)$/i.exec(args);
    if (!m) return s.reply(501, '5.5.4 Syntax: RCPT TO:<address>');
    if (s.mailFrom === undefined) return s.reply(503, '5.5.1 Need MAIL command');
    if (s.rcpts.length >= s.ctx.limits.maxRecipients) return s.reply(452, '4.5.3 Too many recipients');
    const charset = checkAddressCharset(m[1]!, s.smtpUtf8);
    if (charset) return s.refuse(charset);
    if (m[2]!.trim() !== '') return s.reply(555, '5.5.4 RCPT parameters not recognized');
    const decision = decideRecipient(s.ctx.store, Boolean(s.user), m[1]!);
    if (decision.kind === 'refuse') return s.refuse(decision.refusal);
    s.rcpts.push({ address: m[1]!, decision });
    s.reply(250, '2.1.5 Ok');
  },
  DATA: (s, args) =>
    noArgs(s, args, () => {
      if (s.mailFrom === undefined) return s.reply(503, '5.5.1 Need MAIL command');
      if (s.rcpts.length === 0) return s.reply(503, '5.5.1 Need RCPT command');
      s.startData();
    }),
  RSET: (s, args) => noArgs(s, args, () => (s.resetTransaction(), s.reply(250, '2.0.0 Ok'))),
  NOOP: (s) => s.reply(250, '2.0.0 Ok'),
  VRFY: (s, args) => (args.trim() === '' ? s.reply(501, '5.5.4 Syntax: VRFY address') : s.reply(252, '2.5.0 Cannot VRFY user, but will accept message')),
  HELP: (s) => s.reply(214, '2.0.0 See RFC 5321'),
  QUIT: (s, args) =>
    noArgs(s, args, () => {
      s.conn.end('221 2.0.0 Bye\r\n');
    }),
};
