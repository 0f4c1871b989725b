/**
 * A small POP3 server on 127.0.0.1 port 0 that is correct by default (RFC 1939, RFC 2449 CAPA
 * and PIPELINING, RFC 2595 STLS, RFC 5034 AUTH PLAIN, APOP, RESP-CODES/AUTH-RESP-CODE) and can
 * be told to break one rule at a time (`Pop3Faults`). The built-in POP3 checks run against it
 * in test/suites/pop3-broken.test.ts: each check must pass on the correct server and fail (or
 * warn) on its broken twin.
 *
 * The maildrop is shared by all connections of one server, so DELE + QUIT in one session is
 * seen by the next. It holds a `<mailprobe-fixture-…>` message with lines starting with ".",
 * a `<mailprobe-deletable-…>` message and a plain one.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { LabPki } from './certs.js';
import { scriptServer, type ScriptContext } from './script-server.js';

export const FAKE_USER = 'alice@mail.test';
export const FAKE_PASSWORD = 'fake-password-1';

/** One rule to break each; all off is a correct server. */
export interface Pop3Faults {
  /** Connections after the first (the runner's probe) get a lower-case "+ok" greeting. */
  badGreetingAfterProbe: boolean;
  /** "-err" instead of "-ERR". */
  lowercaseErr: boolean;
  /** Unknown commands get +OK. */
  unknownOk: boolean;
  /** RETR without argument, LIST with a word, DELE -1 are accepted. */
  lenientSyntax: boolean;
  /** Lower-case command keywords are unknown. */
  caseSensitive: boolean;
  /** STAT, LIST, RETR, NOOP work before login (on an empty maildrop). */
  noStateCheck: boolean;
  /** NOOP gets -ERR. */
  noopErr: boolean;
  /** NOOP's +OK ends in a bare LF. */
  noopBareLf: boolean;
  /** QUIT in AUTHORIZATION gets -ERR. */
  quitAuthErr: boolean;
  /** QUIT in TRANSACTION gets +OK but the connection stays open. */
  quitNoClose: boolean;
  /** QUIT in TRANSACTION does not remove messages marked as deleted. */
  quitKeeps: boolean;
  /** A dropped connection removes messages marked as deleted. */
  dropDeletes: boolean;
  /** PASS without USER logs in (whatever the password). */
  passWithoutUser: boolean;
  /** PASS with any password logs in. */
  anyPassword: boolean;
  /** A wrong PASS gets -ERR without [AUTH] (AUTH-RESP-CODE still announced). */
  noAuthCode: boolean;
  /** APOP with any digest logs in. */
  apopAcceptsAny: boolean;
  /** Every greeting carries the same APOP timestamp. */
  fixedTimestamp: boolean;
  /** AUTH with an unknown mechanism gets a "+ " challenge. */
  unknownMechContinue: boolean;
  /** AUTH in TRANSACTION gets +OK. */
  authInTransaction: boolean;
  /** AUTH PLAIN with an initial response gets -ERR (only the "+ " exchange works). */
  noInitialResponse: boolean;
  /** The empty challenge is "+ Go ahead" instead of "+ ". */
  challengeText: boolean;
  /** A "*" answer to a challenge gets another challenge. */
  cancelIgnored: boolean;
  /** USER/PASS and SASL PLAIN announced and accepted before STLS. */
  plaintextLogin: boolean;
  /** STAT answers "+OK 3 messages (n octets)". */
  statFormat: boolean;
  /** STAT counts one message more than there is. */
  statMiscount: boolean;
  /** STAT still counts messages marked as deleted. */
  statCountsDeleted: boolean;
  /** LIST lines are "n<TAB>size". */
  listFormat: boolean;
  /** LIST n answers "+OK scan listing follows" without the listing. */
  listSingleBare: boolean;
  /** LIST of a missing message gets +OK. */
  listMissingOk: boolean;
  /** LIST still lists messages marked as deleted. */
  listShowsDeleted: boolean;
  /** LIST sizes are 3 octets more than RETR sends. */
  listSizeOff: boolean;
  /** RETR, LIST, DELE of a message marked as deleted still work. */
  deletedStillReachable: boolean;
  /** RSET answers +OK but unmarks nothing. */
  rsetNoop: boolean;
  /** Multi-line bodies are not byte-stuffed. */
  noStuffing: boolean;
  /** TOP sends the whole message whatever the line count. */
  topIgnoresN: boolean;
  /** Unique-ids are 71 characters long. */
  uidlLong: boolean;
  /** UIDL n answers "+OK" without the listing. */
  uidlSingleBare: boolean;
  /** Unique-ids change with every session. */
  uidlPerSession: boolean;
  /** A CAPA line ends in a space. */
  capaBadLine: boolean;
  /** CAPA announces "EXPIRE soon". */
  expireBad: boolean;
  /** CAPA in TRANSACTION gets -ERR. */
  capaAuthOnly: boolean;
  /** CAPA after login leaves out USER and SASL (what Dovecot 2.3 does). */
  capaDropsAfterLogin: boolean;
  /** Commands that arrive in one chunk are answered last first. */
  pipelineReorder: boolean;
  /** STLS is announced but answered -ERR. */
  stlsRefused: boolean;
  /** STLS stays announced after TLS. */
  stlsReadvertised: boolean;
  /** STLS in TRANSACTION gets +OK. */
  stlsInTransaction: boolean;
  /** Commands pipelined after STLS in plaintext are run inside TLS. */
  stlsInjection: boolean;
  /** A second login while a session is in TRANSACTION gets "-ERR maildrop locked" (no code). */
  lockNoCode: boolean;
  /** The -ERR to an unknown command echoes a 600-character text. */
  longErr: boolean;
}

export interface BrokenPop3 {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Command lines received, in order (for debugging a case). */
  readonly received: string[];
  close(): Promise<void>;
}

interface Message {
  readonly uid: string;
  readonly content: Buffer;
}

function message(id: string, body: string): Buffer {
  return Buffer.from(`From: <a@fake.test>\r\nSubject: fake\r\nMessage-ID: ${id}\r\n\r\n${body}`, 'latin1');
}

function initialMaildrop(): Message[] {
  return [
    { uid: 'uid-fixture', content: message('<mailprobe-fixture-fake@fake.test>', 'one\r\n.dot line\r\n..two dots\r\n.\r\nfive\r\nsix\r\n') },
    { uid: 'uid-deletable', content: message('<mailprobe-deletable-fake@fake.test>', 'delete me\r\n') },
    { uid: 'uid-plain', content: message('<plain-1@fake.test>', 'hello\r\nworld\r\n') },
  ];
}

const CRLF = '\r\n';

/** Split content into lines, terminators kept. */
function linesOf(content: Buffer): string[] {
  return content.toString('latin1').split(/(?<=\n)/).filter((l) => l !== '');
}

export interface BrokenPop3Options {
  /** Start with an empty maildrop (message checks must then be inconclusive). */
  readonly empty?: boolean;
}

export async function brokenPop3(pki: LabPki, faults: Partial<Pop3Faults> = {}, options: BrokenPop3Options = {}): Promise<BrokenPop3> {
  const f: Partial<Pop3Faults> = faults;
  let store = options.empty ? [] : initialMaildrop();
  const received: string[] = [];
  let connections = 0;
  let inTransaction = 0;
  let sessions = 0;

  const server = await scriptServer((socket, ctx) => {
    connections++;
    new Session(socket, ctx, connections).start();
  });

  class Session {
    #socket: Socket | TLSSocket;
    readonly #ctx: ScriptContext;
    readonly #n: number;
    #tls = false;
    #state: 'auth' | 'trans' | 'done' = 'auth';
    #user: string | undefined;
    #sasl: 'plain' | 'unknown' | undefined;
    #drop: Message[] = [];
    readonly #deleted = new Set<number>();
    readonly #timestamp: string;
    #buf = '';
    readonly #queue: string[][] = [];
    #busy = false;
    readonly #onData = (chunk: Buffer): void => this.#data(chunk);

    constructor(socket: Socket, ctx: ScriptContext, n: number) {
      this.#socket = socket;
      this.#ctx = ctx;
      this.#n = n;
      this.#timestamp = f.fixedTimestamp ? '<1.1@fake.test>' : `<${n}.${Date.now()}@fake.test>`;
    }

    start(): void {
      this.#attach(this.#socket);
      this.#socket.on('close', () => this.#closed());
      const greeting = f.badGreetingAfterProbe && this.#n > 1 ? '+ok fake POP3 ready' : `+OK fake POP3 ready ${this.#timestamp}`;
      this.#socket.write(greeting + CRLF);
    }

    #attach(s: Socket | TLSSocket): void {
      s.on('data', this.#onData);
      // The client closes after its checks: close our side too, so it need not wait.
      s.on('end', () => s.end());
    }

    #data(chunk: Buffer): void {
      this.#buf += chunk.toString('latin1');
      const batch: string[] = [];
      let i: number;
      while ((i = this.#buf.indexOf('\n')) !== -1) {
        batch.push(this.#buf.slice(0, i).replace(/\r$/, ''));
        this.#buf = this.#buf.slice(i + 1);
      }
      if (batch.length > 0) {
        this.#queue.push(f.pipelineReorder ? batch.reverse() : batch);
        void this.#pump();
      }
    }

    async #pump(): Promise<void> {
      if (this.#busy) return;
      this.#busy = true;
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.shift()!;
          while (batch.length > 0) {
            const line = batch.shift()!;
            received.push(line);
            if ((await this.#handle(line)) === 'stls') {
              // Whatever followed STLS in plaintext: dropped, or (broken) kept for inside TLS.
              const rest = [...batch, ...this.#queue.flat()];
              this.#queue.length = 0;
              this.#buf = '';
              batch.length = 0;
              if (f.stlsInjection && rest.length > 0) this.#queue.push(rest);
            }
          }
        }
      } finally {
        this.#busy = false;
      }
    }

    #write(text: string): void {
      if (!this.#socket.destroyed) this.#socket.write(text);
    }

    #ok(text = ''): void {
      this.#write(`+OK${text === '' ? '' : ` ${text}`}${CRLF}`);
    }

    #err(text: string): void {
      this.#write(`${f.lowercaseErr ? '-err' : '-ERR'} ${text}${CRLF}`);
    }

    #multi(text: string, lines: readonly string[]): void {
      const body = lines.map((l) => (l.startsWith('.') && !f.noStuffing ? `.${l}` : l)).join('');
      this.#write(`+OK${text === '' ? '' : ` ${text}`}${CRLF}${body}.${CRLF}`);
    }

    #capabilities(): string[] {
      const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', f.expireBad ? 'EXPIRE soon' : 'EXPIRE NEVER', 'LOGIN-DELAY 0', 'IMPLEMENTATION fake-pop3'];
      if (f.capaBadLine) caps.push('X-TRAILING ');
      const loginOffered = this.#tls || f.plaintextLogin;
      if (loginOffered && !(this.#state === 'trans' && f.capaDropsAfterLogin)) caps.push('USER', 'SASL PLAIN');
      if (this.#state === 'auth' && (!this.#tls || f.stlsReadvertised)) caps.push('STLS');
      return caps.map((c) => c + CRLF);
    }

    /** Message number argument → index, or an error already sent. */
    #msg(arg: string | undefined, allowDeleted = false): number | undefined {
      if (arg === undefined || !/^\d+$/.test(arg)) {
        if (f.lenientSyntax && this.#drop.length > 0) return 0;
        this.#err('invalid message number');
        return undefined;
      }
      const i = Number(arg) - 1;
      if (i < 0 || i >= this.#drop.length) {
        this.#err('no such message');
        return undefined;
      }
      if (this.#deleted.has(i) && !allowDeleted && !f.deletedStillReachable) {
        this.#err('message is deleted');
        return undefined;
      }
      return i;
    }

    #uid(i: number): string {
      const base = this.#drop[i]!.uid;
      if (f.uidlLong) return base.padEnd(71, 'x');
      return f.uidlPerSession ? `${base}-s${sessions}` : base;
    }

    #size(i: number): number {
      return this.#drop[i]!.content.length + (f.listSizeOff ? 3 : 0);
    }

    #visible(includeDeleted: boolean): number[] {
      return this.#drop.map((_, i) => i).filter((i) => includeDeleted || !this.#deleted.has(i));
    }

    #login(): void {
      if (f.lockNoCode && inTransaction > 0) {
        this.#err('maildrop locked');
        return;
      }
      this.#state = 'trans';
      this.#drop = [...store];
      inTransaction++;
      sessions++;
      this.#ok('maildrop locked and ready');
    }

    #authFailed(): void {
      this.#err(f.noAuthCode ? 'invalid password' : '[AUTH] invalid password');
    }

    #plainOk(b64: string): boolean {
      const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
      return parts[1] === FAKE_USER && parts[2] === FAKE_PASSWORD;
    }

    #apply(): void {
      const gone = new Set([...this.#deleted].map((i) => this.#drop[i]!.uid));
      store = store.filter((m) => !gone.has(m.uid));
      this.#deleted.clear();
    }

    #closed(): void {
      if (this.#state === 'trans') {
        inTransaction--;
        if (f.dropDeletes) this.#apply();
      }
      this.#state = 'done';
    }

    async #handle(line: string): Promise<'stls' | undefined> {
      if (this.#sasl) return this.#saslResponse(line);
      const [word = '', ...args] = line.split(' ');
      const kw = f.caseSensitive ? word : word.toUpperCase();
      const trans = this.#state === 'trans' || (f.noStateCheck && this.#state === 'auth');
      switch (kw) {
        case 'CAPA':
          if (this.#state === 'trans' && f.capaAuthOnly) return void this.#err('not now');
          return void this.#multi('capability list follows', this.#capabilities());
        case 'STLS':
          if (this.#state === 'trans') {
            if (f.stlsInTransaction) this.#ok('begin TLS');
            else this.#err('not permitted in TRANSACTION');
            return undefined;
          }
          if (this.#tls) return void this.#err('TLS already active');
          if (f.stlsRefused) return void this.#err('TLS not available');
          this.#ok('Begin TLS negotiation');
          return this.#startTls();
        case 'USER':
          if (this.#state !== 'auth') return void this.#err('wrong state');
          if (!this.#tls && !f.plaintextLogin) return void this.#err('[AUTH] plaintext authentication disallowed');
          this.#user = args.join(' ');
          return void this.#ok();
        case 'PASS': {
          if (this.#state !== 'auth') return void this.#err('wrong state');
          if (!this.#tls && !f.plaintextLogin) return void this.#err('[AUTH] plaintext authentication disallowed');
          if (this.#user === undefined) return void (f.passWithoutUser ? this.#login() : this.#err('no USER given'));
          const good = this.#user === FAKE_USER && (args.join(' ') === FAKE_PASSWORD || f.anyPassword);
          this.#user = undefined;
          return void (good ? this.#login() : this.#authFailed());
        }
        case 'APOP': {
          if (this.#state !== 'auth') return void this.#err('wrong state');
          const digest = createHash('md5').update(this.#timestamp + FAKE_PASSWORD).digest('hex');
          return void (args[0] === FAKE_USER && (args[1] === digest || f.apopAcceptsAny) ? this.#login() : this.#authFailed());
        }
        case 'AUTH':
          return void this.#auth(args);
        case 'QUIT':
          if (this.#state === 'trans') {
            if (!f.quitKeeps) this.#apply();
            inTransaction--;
            this.#state = 'done';
            this.#ok('bye');
            if (!f.quitNoClose) this.#socket.end();
            return undefined;
          }
          if (f.quitAuthErr) return void this.#err('not now');
          this.#ok('bye');
          this.#socket.end();
          return undefined;
        case 'NOOP':
          if (!trans) return void this.#err('wrong state');
          if (f.noopErr) return void this.#err('no');
          if (f.noopBareLf) return void this.#write('+OK\n');
          return void this.#ok();
        default:
          if (trans && ['STAT', 'LIST', 'RETR', 'DELE', 'RSET', 'TOP', 'UIDL'].includes(kw)) return void this.#transaction(kw, args);
          if (['STAT', 'LIST', 'RETR', 'DELE', 'RSET', 'TOP', 'UIDL'].includes(kw)) return void this.#err('wrong state');
          if (f.unknownOk) return void this.#ok();
          return void this.#err(f.longErr ? `unknown command ${'x'.repeat(600)}` : 'unknown command');
      }
    }

    #auth(args: string[]): void {
      const [mech = '', ir] = args;
      if (this.#state !== 'auth') return f.authInTransaction ? this.#ok() : this.#err('wrong state');
      if (mech.toUpperCase() !== 'PLAIN' || (!this.#tls && !f.plaintextLogin)) {
        if (f.unknownMechContinue && mech.toUpperCase() !== 'PLAIN') {
          this.#sasl = 'unknown';
          return this.#write(`+ ${CRLF}`);
        }
        return this.#err('[AUTH] unsupported mechanism');
      }
      if (ir !== undefined) {
        if (f.noInitialResponse) return this.#err('initial response not supported');
        return this.#plainOk(ir) ? this.#login() : this.#authFailed();
      }
      this.#sasl = 'plain';
      this.#write(f.challengeText ? `+ Go ahead${CRLF}` : `+ ${CRLF}`);
    }

    #saslResponse(line: string): undefined {
      const mech = this.#sasl;
      if (line === '*') {
        if (f.cancelIgnored) return void this.#write(`+ ${CRLF}`);
        this.#sasl = undefined;
        return void this.#err('authentication cancelled');
      }
      this.#sasl = undefined;
      if (mech === 'plain' && this.#plainOk(line)) this.#login();
      else this.#authFailed();
      return undefined;
    }

    #transaction(kw: string, args: string[]): void {
      const count = (includeDeleted: boolean): number[] => this.#visible(includeDeleted);
      switch (kw) {
        case 'STAT': {
          const shown = count(f.statCountsDeleted === true);
          const octets = shown.reduce((s, i) => s + this.#drop[i]!.content.length, 0);
          const n = shown.length + (f.statMiscount ? 1 : 0);
          return this.#ok(f.statFormat ? `${n} messages (${octets} octets)` : `${n} ${octets}`);
        }
        case 'LIST': {
          if (args[0] === undefined || (f.lenientSyntax && !/^\d+$/.test(args[0]))) {
            const sep = f.listFormat ? '\t' : ' ';
            return this.#multi('scan listing follows', count(f.listShowsDeleted === true).map((i) => `${i + 1}${sep}${this.#size(i)}${CRLF}`));
          }
          if (f.listMissingOk && /^\d+$/.test(args[0]) && Number(args[0]) > this.#drop.length) return this.#ok(`${args[0]} 0`);
          const i = this.#msg(args[0]);
          if (i === undefined) return undefined;
          return f.listSingleBare ? this.#ok('scan listing follows') : this.#ok(`${i + 1} ${this.#size(i)}`);
        }
        case 'UIDL': {
          if (args[0] === undefined) return this.#multi('', count(false).map((i) => `${i + 1} ${this.#uid(i)}${CRLF}`));
          const i = this.#msg(args[0]);
          if (i === undefined) return undefined;
          return f.uidlSingleBare ? this.#ok() : this.#ok(`${i + 1} ${this.#uid(i)}`);
        }
        case 'RETR': {
          const i = this.#msg(args[0]);
          if (i === undefined) return undefined;
          return this.#multi(`${this.#drop[i]!.content.length} octets`, linesOf(this.#drop[i]!.content));
        }
        case 'TOP': {
          const i = this.#msg(args[0]);
          if (i === undefined) return undefined;
          if (args[1] === undefined || !/^\d+$/.test(args[1])) return this.#err('invalid line count');
          const lines = linesOf(this.#drop[i]!.content);
          const blank = lines.findIndex((l) => l === CRLF);
          const k = Number(args[1]);
          return this.#multi('', f.topIgnoresN || blank === -1 ? lines : lines.slice(0, blank + 1 + k));
        }
        case 'DELE': {
          if (f.lenientSyntax && args[0] === '-1') return this.#ok('deleted');
          const i = this.#msg(args[0]);
          if (i === undefined) return undefined;
          this.#deleted.add(i);
          return this.#ok('message deleted');
        }
        case 'RSET':
          if (!f.rsetNoop) this.#deleted.clear();
          return this.#ok();
      }
      return undefined;
    }

    #startTls(): 'stls' {
      const plain = this.#socket as Socket;
      plain.off('data', this.#onData);
      const secure = this.#ctx.startTls(plain, { key: pki.leaf.keyPem, cert: pki.chainPem });
      this.#socket = secure;
      this.#tls = true;
      this.#attach(secure);
      return 'stls';
    }
  }

  return {
    host: server.host,
    port: server.port,
    url: `pop3://${server.host}:${server.port}`,
    received,
    close: () => server.close(),
  };
}
