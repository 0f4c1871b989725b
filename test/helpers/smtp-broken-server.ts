/**
 * A small SMTP server on 127.0.0.1 port 0 that is correct by default (RFC 5321 with PIPELINING,
 * SIZE, 8BITMIME, SMTPUTF8, CHUNKING, ENHANCEDSTATUSCODES, STARTTLS and AUTH PLAIN/LOGIN) and can
 * be told to break one rule at a time (`SmtpFaults`). test/suites/smtp-broken.test.ts runs the
 * built-in SMTP checks against it: each check must pass on the correct server and fail (MUST) or
 * warn (SHOULD) on a broken one.
 *
 * Roles: `mx` (TLS optional, AUTH optional and offered after TLS) and `submission` (530 to
 * everything but NOOP, EHLO, HELO, STARTTLS and QUIT before TLS; AUTH required before MAIL).
 * The local users are alice, bob, carol and postmaster at mail.test.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { LabPki } from './certs.js';
import { scriptServer, type ScriptContext } from './script-server.js';

export const FAKE_DOMAIN = 'mail.test';
export const FAKE_USER = `alice@${FAKE_DOMAIN}`;
export const FAKE_PASSWORD = 'fake-password-1';
export const FAKE_RCPT = `bob@${FAKE_DOMAIN}`;
const LOCAL_PARTS = ['alice', 'bob', 'carol', 'postmaster'];
const SIZE_LIMIT = 100_000;
const CRLF = '\r\n';
const KNOWN_VERBS = ['EHLO', 'HELO', 'NOOP', 'RSET', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'STARTTLS', 'AUTH'];

/** One rule to break each; all off is a correct server. */
export interface SmtpFaults {
  greetingNoDomain: boolean; // "220 -- fake --"
  ehloBadKeyword: boolean; // an EHLO line "X_UNDERSCORE"
  heloEhloStyle: boolean; // HELO answered with the EHLO keyword list
  caseSensitive: boolean; // verbs not in upper case are unknown
  noopBareLf: boolean; // the NOOP reply ends in a bare LF
  noopWrongCode: boolean; // NOOP answered 252
  noopParamRejected: boolean; // "NOOP x" answered 501
  needEhloFirst: boolean; // NOOP, RSET, VRFY before EHLO answered 503
  rsetCloses: boolean; // RSET answered 250, then the connection is closed
  rsetParamAccepted: boolean; // "RSET x" answered 250
  quitParamAccepted: boolean; // "QUIT x" answered 221 (and closed)
  quitNoClose: boolean; // QUIT answered 221, connection left open
  unknownCloses: boolean; // an unknown command gets 500 and the connection is closed
  unknown502: boolean; // an unknown command gets 502
  ehloWithoutDomain: boolean; // "EHLO" answered 250
  shortLines: boolean; // command lines over 100 octets get 500, data lines over 200 octets 552
  vrfyAlways250: boolean; // VRFY of anything answered 250
  vrfy502: boolean; // VRFY not announced and answered 502
  vrfyAdvertised502: boolean; // VRFY announced and answered 502
  expnAdvertised502: boolean; // EXPN announced and answered 502
  help500: boolean; // HELP unknown (500)
  mailWithoutArgument: boolean; // "MAIL" answered 250
  lenientBrackets: boolean; // "MAIL FROM:a@b" accepted
  rcptWithoutMail: boolean; // RCPT before MAIL accepted
  dataWithoutMail: boolean; // DATA before MAIL answered 354
  dataWithoutRcpt: boolean; // DATA after MAIL with no accepted RCPT answered 354
  nestedMail: boolean; // a second MAIL accepted
  rsetKeepsTransaction: boolean; // RSET answered 250 but the transaction goes on
  helloKeepsTransaction: boolean; // EHLO/HELO answered 250 but the transaction goes on
  rejectNullSender: boolean; // MAIL FROM:<> answered 553
  nonAsciiAccepted: boolean; // a UTF-8 address without SMTPUTF8 accepted
  noPostmaster: boolean; // postmaster refused (550)
  dotLineEndsData: boolean; // any line starting with "." ends the data
  lfDotLfEndsData: boolean; // "\n.\n" ends the data too
  maxRecipients10: boolean; // the 11th RCPT gets 452
  pipelineReorder: boolean; // commands that arrive together are answered last first
  sizeNotEnforced: boolean; // SIZE over the limit accepted
  sizeParamRejected: boolean; // MAIL ... SIZE=n answered 555
  bodyParamRejected: boolean; // MAIL ... BODY=x answered 555
  bodyAnyAccepted: boolean; // MAIL ... BODY=FOO accepted
  smtputf8Without8bitmime: boolean; // SMTPUTF8 announced, 8BITMIME not
  smtputf8WithParameter: boolean; // EHLO line "SMTPUTF8 1"
  smtputf8ParamRejected: boolean; // MAIL ... SMTPUTF8 answered 555
  utf8MailboxRefused: boolean; // a UTF-8 mailbox with SMTPUTF8 answered 553 5.6.7
  bdatUnsupported: boolean; // CHUNKING announced, BDAT answered 502
  dataAfterBdat: boolean; // DATA after a BDAT chunk answered 354
  bdatAfterLast: boolean; // BDAT with no transaction accepted
  enhancedMissing: boolean; // the NOOP reply has no enhanced status code
  enhancedWrongClass: boolean; // 503 replies carry 2.5.1
  authUnknownMechContinue: boolean; // an unknown mechanism gets "334 "
  authChallengeText: boolean; // the empty PLAIN challenge is "334 R28gYWhlYWQ="
  authCancelIgnored: boolean; // "*" gets 535
  authBase64Lenient: boolean; // an undecodable response gets 535
  authAnyPassword: boolean; // any login succeeds
  authTwice: boolean; // AUTH after a successful AUTH is processed again
  authInTransaction: boolean; // AUTH inside a transaction is processed
  plaintextAuth: boolean; // AUTH PLAIN LOGIN announced (and accepted) before TLS
  starttlsReadvertised: boolean; // STARTTLS announced again after TLS
  starttlsParamAccepted: boolean; // "STARTTLS x" starts TLS
  starttlsInjection: boolean; // plaintext after STARTTLS is run inside TLS
  starttlsPlaintextAnswer: boolean; // plaintext after STARTTLS is answered before the handshake
  tlsNotRequired: boolean; // submission: MAIL accepted before STARTTLS and login
}

export type SmtpFault = keyof SmtpFaults;
export type FakeRole = 'mx' | 'submission';

export interface BrokenSmtp {
  readonly host: string;
  readonly port: number;
  /** `smtp://` or `submission://` URL. */
  readonly url: string;
  /** Command lines received, in order (for debugging a case). */
  readonly received: string[];
  close(): Promise<void>;
}

type Mode = 'command' | 'data' | 'bdat' | 'auth-plain' | 'auth-login-user' | 'auth-login-pass' | 'handshake' | 'closed';

export async function brokenSmtp(pki: LabPki, role: FakeRole, faults: Partial<SmtpFaults> = {}): Promise<BrokenSmtp> {
  const f = faults;
  const received: string[] = [];
  const server = await scriptServer((socket, ctx) => new Session(socket, ctx).start());

  class Session {
    #socket: Socket | TLSSocket;
    readonly #ctx: ScriptContext;
    #buf = Buffer.alloc(0);
    #mode: Mode = 'command';
    #tls = false;
    #hello = false;
    #authed = false;
    #mail: string | undefined;
    #rcpts = 0;
    #bdat: { left: number; last: boolean } | undefined;
    #chunked = false;
    #loginUser = '';
    /** Replies held back while more pipelined commands wait (pipelineReorder). */
    #held: string[] | undefined;
    readonly #onData = (chunk: Buffer): void => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      this.#pump();
    };

    constructor(socket: Socket, ctx: ScriptContext) {
      this.#socket = socket;
      this.#ctx = ctx;
    }

    start(): void {
      this.#attach(this.#socket);
      this.#socket.write(f.greetingNoDomain ? `220 -- fake SMTP ready --${CRLF}` : `220 ${FAKE_DOMAIN} ESMTP fake${CRLF}`);
    }

    #attach(s: Socket | TLSSocket): void {
      s.on('data', this.#onData);
      s.on('end', () => s.end());
    }

    #write(text: string): void {
      if (this.#held) this.#held.push(text);
      else if (!this.#socket.destroyed) this.#socket.write(text);
    }

    /** A one-line reply; the enhanced code is left out for HELO/EHLO (RFC 2034 §4) and 3xx. */
    #reply(code: number, enhanced: string | undefined, text: string): void {
      let enh = enhanced;
      if (f.enhancedWrongClass && code === 503) enh = '2.5.1';
      this.#write(`${code}${enh ? ` ${enh}` : ''} ${text}${CRLF}`);
    }

    #close(): void {
      this.#mode = 'closed';
      this.#flushHeld();
      this.#socket.end();
    }

    #flushHeld(): void {
      const held = this.#held;
      this.#held = undefined;
      if (held) for (const text of held.reverse()) this.#write(text);
    }

    #resetTransaction(): void {
      this.#mail = undefined;
      this.#rcpts = 0;
      this.#bdat = undefined;
      this.#chunked = false;
    }

    #pump(): void {
      for (;;) {
        if (this.#mode === 'closed' || this.#mode === 'handshake') return;
        if (this.#mode === 'data') {
          if (!this.#takeData()) break;
          continue;
        }
        if (this.#mode === 'bdat') {
          if (!this.#takeChunk()) break;
          continue;
        }
        const eol = this.#buf.indexOf(CRLF);
        if (eol === -1) break;
        const line = this.#buf.subarray(0, eol).toString('utf8');
        this.#buf = this.#buf.subarray(eol + 2);
        received.push(line);
        if (f.pipelineReorder && !this.#held && this.#buf.includes(CRLF)) this.#held = [];
        this.#line(line, eol + 2);
        if (this.#held && !this.#buf.includes(CRLF)) this.#flushHeld();
      }
      this.#flushHeld();
    }

    /** The mail data up to its end; false while it is incomplete. */
    #takeData(): boolean {
      const text = this.#buf.toString('latin1');
      // [end of the body, octets consumed]
      const ends: [number, number][] = [];
      if (text.startsWith(`.${CRLF}`)) ends.push([0, 3]);
      const crlf = text.indexOf(`${CRLF}.${CRLF}`);
      if (crlf !== -1) ends.push([crlf, crlf + 5]);
      if (f.lfDotLfEndsData) {
        const lf = text.indexOf('\n.\n');
        if (lf !== -1) ends.push([lf, lf + 3]);
      }
      if (f.dotLineEndsData) {
        const dot = /(^|\r\n)\.[^\r\n]*\r\n/.exec(text);
        if (dot) ends.push([dot.index, dot.index + dot[0].length]);
      }
      if (ends.length === 0) return false;
      const [bodyEnd, consumed] = ends.sort((a, b) => a[0] - b[0])[0]!;
      const body = text.slice(0, bodyEnd);
      this.#buf = this.#buf.subarray(consumed);
      this.#mode = 'command';
      const tooLong = f.shortLines && body.split('\r\n').some((l) => l.length > 198);
      if (tooLong) this.#reply(552, '5.3.4', 'Line too long');
      else this.#reply(250, '2.0.0', 'Ok: queued');
      this.#resetTransaction();
      return true;
    }

    #takeChunk(): boolean {
      const chunk = this.#bdat!;
      if (this.#buf.length < chunk.left) return false;
      this.#buf = this.#buf.subarray(chunk.left);
      this.#mode = 'command';
      this.#bdat = undefined;
      if (!this.#mail || this.#rcpts === 0) {
        if (f.bdatAfterLast) this.#reply(250, '2.0.0', 'Ok');
        else this.#reply(503, '5.5.1', 'Error: need RCPT command');
        return true;
      }
      if (chunk.last) {
        this.#reply(250, '2.0.0', 'Ok: queued');
        this.#resetTransaction();
      } else {
        this.#chunked = true;
        this.#reply(250, '2.0.0', 'Ok: chunk received');
      }
      return true;
    }

    #line(line: string, octets: number): void {
      if (this.#mode === 'auth-plain') return this.#authPlainResponse(line);
      if (this.#mode === 'auth-login-user') return this.#authLoginUser(line);
      if (this.#mode === 'auth-login-pass') return this.#authLoginPass(line);
      if (f.shortLines && octets > 100) return this.#reply(500, '5.5.2', 'Error: line too long');
      const space = line.indexOf(' ');
      const word = space === -1 ? line : line.slice(0, space);
      const arg = space === -1 ? '' : line.slice(space + 1);
      const verb = word.toUpperCase();
      if (f.caseSensitive && word !== verb) return this.#unknown();
      if (!KNOWN_VERBS.includes(verb)) return this.#unknown();
      const submissionLocked = role === 'submission' && !this.#tls && !f.tlsNotRequired;
      if (submissionLocked && !['NOOP', 'EHLO', 'HELO', 'STARTTLS', 'QUIT'].includes(verb)) {
        return this.#reply(530, '5.7.0', 'Must issue a STARTTLS command first');
      }
      switch (verb) {
        case 'EHLO':
          return this.#ehlo(arg);
        case 'HELO':
          if (arg === '') return this.#write(`501 Syntax: HELO hostname${CRLF}`);
          if (!f.helloKeepsTransaction) this.#resetTransaction();
          this.#hello = true;
          if (f.heloEhloStyle) return this.#write(this.#keywordLines().join(''));
          return this.#write(`250 ${FAKE_DOMAIN}${CRLF}`);
        case 'NOOP':
          if (f.needEhloFirst && !this.#hello) return this.#reply(503, '5.5.1', 'Error: send HELO/EHLO first');
          if (f.noopParamRejected && arg !== '') return this.#reply(501, '5.5.4', 'Syntax: NOOP');
          if (f.noopBareLf) return this.#write(`250 2.0.0 Ok\n`);
          if (f.noopWrongCode) return this.#reply(252, '2.0.0', 'Ok');
          return this.#write(f.enhancedMissing ? `250 Ok${CRLF}` : `250 2.0.0 Ok${CRLF}`);
        case 'RSET':
          if (f.needEhloFirst && !this.#hello) return this.#reply(503, '5.5.1', 'Error: send HELO/EHLO first');
          if (arg !== '' && !f.rsetParamAccepted) return this.#reply(501, '5.5.4', 'Syntax: RSET');
          if (!f.rsetKeepsTransaction) this.#resetTransaction();
          this.#reply(250, '2.0.0', 'Ok');
          if (f.rsetCloses) this.#close();
          return;
        case 'QUIT':
          if (arg !== '' && !f.quitParamAccepted) return this.#reply(501, '5.5.4', 'Syntax: QUIT');
          this.#reply(221, '2.0.0', 'Bye');
          if (!f.quitNoClose) this.#close();
          return;
        case 'VRFY':
          return this.#vrfy(arg);
        case 'EXPN':
          return this.#reply(502, '5.5.1', 'Error: EXPN not implemented');
        case 'HELP':
          if (f.help500) return this.#unknown();
          return this.#reply(214, '2.0.0', 'See RFC 5321');
        case 'MAIL':
          return this.#mailCommand(arg);
        case 'RCPT':
          return this.#rcptCommand(arg);
        case 'DATA':
          return this.#data();
        case 'BDAT':
          return this.#bdatCommand(arg);
        case 'STARTTLS':
          return this.#starttls(arg);
        case 'AUTH':
          return this.#auth(arg);
        default:
          return this.#unknown();
      }
    }

    #unknown(): void {
      if (f.unknown502) return this.#reply(502, '5.5.1', 'Error: command not implemented');
      this.#reply(500, '5.5.2', 'Error: command not recognized');
      if (f.unknownCloses) this.#close();
    }

    #keywordLines(): string[] {
      const words = [FAKE_DOMAIN, 'PIPELINING', `SIZE ${SIZE_LIMIT}`, 'ENHANCEDSTATUSCODES', 'CHUNKING', 'DSN'];
      if (!f.smtputf8Without8bitmime) words.push('8BITMIME');
      words.push(f.smtputf8WithParameter ? 'SMTPUTF8 1' : 'SMTPUTF8');
      if (!f.vrfy502) words.push('VRFY');
      if (f.expnAdvertised502) words.push('EXPN');
      if (f.ehloBadKeyword) words.push('X_UNDERSCORE');
      if (!this.#tls || f.starttlsReadvertised) words.push('STARTTLS');
      if ((this.#tls || f.plaintextAuth) && !this.#authed) words.push('AUTH PLAIN LOGIN');
      return words.map((w, i) => `250${i === words.length - 1 ? ' ' : '-'}${w}${CRLF}`);
    }

    #ehlo(arg: string): void {
      if (arg === '' && !f.ehloWithoutDomain) return this.#write(`501 Syntax: EHLO hostname${CRLF}`);
      if (!f.helloKeepsTransaction) this.#resetTransaction();
      this.#hello = true;
      this.#write(this.#keywordLines().join(''));
    }

    #vrfy(arg: string): void {
      if (f.needEhloFirst && !this.#hello) return this.#reply(503, '5.5.1', 'Error: send HELO/EHLO first');
      if (f.vrfy502 || f.vrfyAdvertised502) return this.#reply(502, '5.5.1', 'Error: VRFY not implemented');
      if (arg === '') return this.#reply(501, '5.5.4', 'Syntax: VRFY address');
      if (f.vrfyAlways250) return this.#reply(250, '2.1.5', `<${arg}>`);
      return isLocal(arg, true) ? this.#reply(252, '2.0.0', arg) : this.#reply(550, '5.1.1', `<${arg}>: User unknown`);
    }

    #mailCommand(arg: string): void {
      if (role === 'submission' && !this.#authed && !f.tlsNotRequired) return this.#reply(530, '5.7.0', 'Authentication required');
      if (this.#mail !== undefined && !f.nestedMail) return this.#reply(503, '5.5.1', 'Error: nested MAIL command');
      const m = /^FROM:(<[^>]*>|\S+)(?: (.*))?$/i.exec(arg);
      if (!m) {
        if (arg === '' && f.mailWithoutArgument) return this.#mailOk('');
        return this.#reply(501, '5.5.4', 'Syntax: MAIL FROM:<address>');
      }
      const path = m[1]!;
      if (!path.startsWith('<') && !f.lenientBrackets) return this.#reply(501, '5.1.7', 'Bad sender address syntax');
      const address = path.replace(/^<|>$/g, '');
      if (address === '' && f.rejectNullSender) return this.#reply(553, '5.1.7', 'Null sender refused');
      let smtputf8 = false;
      for (const param of (m[2] ?? '').split(' ').filter((p) => p !== '')) {
        const [key = '', value] = param.split('=');
        switch (key.toUpperCase()) {
          case 'SIZE':
            if (f.sizeParamRejected) return this.#reply(555, '5.5.4', 'Unsupported option: SIZE');
            if (!/^\d{1,20}$/.test(value ?? '')) return this.#reply(501, '5.5.4', 'Bad SIZE syntax');
            if (Number(value) > SIZE_LIMIT && !f.sizeNotEnforced) return this.#reply(552, '5.3.4', 'Message size exceeds fixed limit');
            break;
          case 'BODY':
            if (f.bodyParamRejected) return this.#reply(555, '5.5.4', 'Unsupported option: BODY');
            if (!['7BIT', '8BITMIME'].includes((value ?? '').toUpperCase()) && !f.bodyAnyAccepted) return this.#reply(501, '5.5.4', 'Bad BODY value');
            break;
          case 'SMTPUTF8':
            if (f.smtputf8ParamRejected) return this.#reply(555, '5.5.4', 'Unsupported option: SMTPUTF8');
            smtputf8 = true;
            break;
          default:
            return this.#reply(555, '5.5.4', `Unsupported option: ${key}`);
        }
      }
      const ascii = /^[\x00-\x7f]*$/.test(address);
      if (!ascii && !smtputf8 && !f.nonAsciiAccepted) return this.#reply(553, '5.6.7', 'Must declare SMTPUTF8 to send unicode address');
      if (!ascii && smtputf8 && f.utf8MailboxRefused) return this.#reply(553, '5.6.7', 'Non-ASCII addresses not permitted');
      this.#mailOk(address);
    }

    #mailOk(address: string): void {
      this.#mail = address;
      this.#rcpts = 0;
      this.#reply(250, '2.1.0', 'Ok');
    }

    #rcptCommand(arg: string): void {
      if (this.#mail === undefined && !f.rcptWithoutMail) return this.#reply(503, '5.5.1', 'Error: need MAIL command');
      const m = /^TO:<([^>]*)>$/i.exec(arg);
      if (!m) return this.#reply(501, '5.5.4', 'Syntax: RCPT TO:<address>');
      const address = m[1]!;
      if (f.maxRecipients10 && this.#rcpts >= 10) return this.#reply(452, '4.5.3', 'Error: too many recipients');
      const postmaster = /^postmaster(@|$)/i.test(address);
      if (postmaster && f.noPostmaster) return this.#reply(550, '5.1.1', `<${address}>: User unknown`);
      if (!isLocal(address, false)) {
        const domain = address.split('@')[1]?.toLowerCase();
        if (domain !== FAKE_DOMAIN && !this.#authed) return this.#reply(554, '5.7.1', `<${address}>: Relay access denied`);
        if (domain === FAKE_DOMAIN) return this.#reply(550, '5.1.1', `<${address}>: User unknown`);
      }
      this.#rcpts++;
      this.#reply(250, '2.1.5', 'Ok');
    }

    #data(): void {
      if (this.#mail === undefined && !f.dataWithoutMail) return this.#reply(503, '5.5.1', 'Error: need RCPT command');
      if (this.#chunked && !f.dataAfterBdat) return this.#reply(503, '5.5.1', 'Error: DATA after BDAT');
      if (this.#rcpts === 0 && this.#mail !== undefined && !f.dataWithoutRcpt) return this.#reply(554, '5.5.1', 'Error: no valid recipients');
      this.#mode = 'data';
      this.#write(`354 End data with <CR><LF>.<CR><LF>${CRLF}`);
    }

    #bdatCommand(arg: string): void {
      const m = /^(\d+)(?: (LAST))?$/i.exec(arg);
      if (!m) return this.#reply(501, '5.5.4', 'Syntax: BDAT size [LAST]');
      this.#bdat = { left: Number(m[1]), last: m[2] !== undefined };
      if (f.bdatUnsupported) {
        this.#bdat = undefined;
        return this.#reply(502, '5.5.1', 'Error: BDAT not implemented');
      }
      this.#mode = 'bdat';
    }

    #starttls(arg: string): void {
      if (this.#tls) return this.#reply(503, '5.5.1', 'Error: TLS already active');
      if (arg !== '' && !f.starttlsParamAccepted) return this.#reply(501, '5.5.4', 'Syntax: STARTTLS');
      this.#flushHeld();
      this.#reply(220, '2.0.0', 'Ready to start TLS');
      if (f.starttlsPlaintextAnswer) {
        // Broken: the rest of the plaintext input is run before the handshake starts.
        const rest = this.#buf;
        this.#buf = Buffer.alloc(0);
        for (const l of rest.toString('utf8').split(CRLF).filter((x) => x !== '')) this.#line(l, l.length + 2);
      }
      const keep = f.starttlsInjection ? this.#buf : Buffer.alloc(0);
      this.#buf = Buffer.alloc(0);
      this.#mode = 'handshake';
      const plain = this.#socket as Socket;
      plain.off('data', this.#onData);
      const secure = this.#ctx.startTls(plain, { key: pki.leaf.keyPem, cert: pki.chainPem });
      this.#socket = secure;
      secure.once('secure', () => {
        this.#tls = true;
        this.#hello = false;
        this.#authed = false;
        this.#resetTransaction();
        this.#mode = 'command';
        this.#buf = Buffer.concat([keep, this.#buf]);
        this.#pump();
      });
      this.#attach(secure);
    }

    #auth(arg: string): void {
      const [mech = '', initial] = arg.split(' ');
      if (!this.#tls && !f.plaintextAuth) return this.#reply(538, '5.7.11', 'Encryption required for requested authentication mechanism');
      if (this.#authed && !f.authTwice) return this.#reply(503, '5.5.1', 'Error: already authenticated');
      if (this.#mail !== undefined && !f.authInTransaction) return this.#reply(503, '5.5.1', 'Error: MAIL transaction in progress');
      switch (mech.toUpperCase()) {
        case 'PLAIN':
          if (initial === undefined) {
            this.#mode = 'auth-plain';
            return this.#write(f.authChallengeText ? `334 R28gYWhlYWQ=${CRLF}` : `334 ${CRLF}`);
          }
          return this.#checkPlain(initial);
        case 'LOGIN':
          this.#mode = 'auth-login-user';
          return this.#write(`334 VXNlcm5hbWU6${CRLF}`);
        default:
          if (f.authUnknownMechContinue) {
            this.#mode = 'auth-plain';
            return this.#write(`334 ${CRLF}`);
          }
          return this.#reply(504, '5.5.4', 'Unrecognized authentication type');
      }
    }

    /** A client response in an exchange: "*" cancels, else base64. */
    #response(line: string): string | 'cancel' | 'invalid' {
      if (line === '*') return 'cancel';
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(line) || line === '') return 'invalid';
      return Buffer.from(line, 'base64').toString('utf8');
    }

    #authPlainResponse(line: string): void {
      this.#mode = 'command';
      const r = this.#response(line);
      if (r === 'cancel') return f.authCancelIgnored ? this.#reply(535, '5.7.8', 'Authentication failed') : this.#reply(501, '5.7.0', 'Authentication aborted');
      this.#checkPlain(line);
    }

    #checkPlain(b64: string): void {
      const r = this.#response(b64);
      if (r === 'invalid' || r === 'cancel') {
        return f.authBase64Lenient ? this.#reply(535, '5.7.8', 'Authentication failed') : this.#reply(501, '5.5.2', 'Cannot decode response');
      }
      const parts = r.split('\0');
      this.#login(parts[1] ?? '', parts[2] ?? '');
    }

    #authLoginUser(line: string): void {
      const r = this.#response(line);
      if (r === 'cancel' || r === 'invalid') {
        this.#mode = 'command';
        return r === 'cancel' ? this.#reply(501, '5.7.0', 'Authentication aborted') : this.#reply(501, '5.5.2', 'Cannot decode response');
      }
      this.#loginUser = r;
      this.#mode = 'auth-login-pass';
      this.#write(`334 UGFzc3dvcmQ6${CRLF}`);
    }

    #authLoginPass(line: string): void {
      this.#mode = 'command';
      const r = this.#response(line);
      if (r === 'cancel') return this.#reply(501, '5.7.0', 'Authentication aborted');
      if (r === 'invalid') return this.#reply(501, '5.5.2', 'Cannot decode response');
      this.#login(this.#loginUser, r);
    }

    #login(user: string, password: string): void {
      if (f.authAnyPassword || (user === FAKE_USER && password === FAKE_PASSWORD)) {
        this.#authed = true;
        return this.#reply(235, '2.7.0', 'Authentication successful');
      }
      this.#reply(535, '5.7.8', 'Authentication credentials invalid');
    }
  }

  return {
    host: server.host,
    port: server.port,
    url: `${role === 'mx' ? 'smtp' : 'submission'}://${server.host}:${server.port}`,
    received,
    close: () => server.close(),
  };
}

/** A local mailbox of mail.test (or, for VRFY, a bare local part). */
function isLocal(address: string, bareAllowed: boolean): boolean {
  const [local = '', domain] = address.toLowerCase().split('@');
  if (domain === undefined) return (bareAllowed || local === 'postmaster') && LOCAL_PARTS.includes(local);
  return domain === FAKE_DOMAIN && LOCAL_PARTS.includes(local);
}
