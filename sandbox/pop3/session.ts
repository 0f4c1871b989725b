/**
 * One POP3 session (RFC 1939): AUTHORIZATION → TRANSACTION → UPDATE. Commands are read one at a
 * time from the line reader and answered in order (RFC 2449 §6.6 PIPELINING); a flood of input
 * pauses the socket; garbage, over-long lines and failed logins are bounded.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FrontEndContext } from '../context.js';
import { Connection } from '../net/connection.js';
import { LINE_TOO_LONG, LineReader } from '../net/input.js';
import type { Account } from '../store/account.js';
import { POP3_COMMANDS } from './commands.js';
import type { Maildrop } from './maildrop.js';

export type Pop3State = 'authorization' | 'transaction' | 'update';

/** RFC 2449 §4: command lines are at most 255 octets; SASL responses (RFC 5034 §4) may be longer. */
const MAX_POP3_LINE = 8192;

export class Pop3Session {
  readonly conn: Connection;
  readonly ctx: FrontEndContext;
  readonly reader = new LineReader(MAX_POP3_LINE);
  state: Pop3State = 'authorization';
  /** The name given with USER, waiting for PASS. */
  pendingUser: string | undefined;
  /** AUTH PLAIN without an initial response: the next line is the client's response. */
  awaitingSasl = false;
  account: Account | undefined;
  drop: Maildrop | undefined;
  authFailures = 0;
  #badCommands = 0;
  #busy = false;

  constructor(socket: Socket | TLSSocket, secure: boolean, ctx: FrontEndContext) {
    this.ctx = ctx;
    this.conn = new Connection(socket, secure, ctx.limits.preAuthIdleMs);
    this.conn.listen({
      data: (chunk) => this.#onData(chunk),
      idle: () => this.conn.end('-ERR [SYS/TEMP] Idle for too long, closing\r\n'),
      closed: () => this.#release(),
    });
    this.ok(`${ctx.servername} POP3 sandbox ready`);
  }

  /** Password logins allowed on this connection: under TLS, or before it when a fault says so. */
  get passwordsAllowed(): boolean {
    return this.conn.secure || this.ctx.faults.plaintextAuth;
  }

  ok(text: string): void {
    this.conn.write(`+OK ${text}\r\n`);
  }

  err(text: string): void {
    this.conn.write(`-ERR ${text}\r\n`);
  }

  /** A +OK with multi-line data already encoded (maildrop.ts multiline()). */
  multiline(status: string, data: Buffer): void {
    this.conn.write(Buffer.concat([Buffer.from(`+OK ${status}\r\n`, 'latin1'), data]));
  }

  /** Take the maildrop (RFC 1939 §8 exclusive access) and enter TRANSACTION. */
  enter(account: Account, drop: Maildrop): void {
    this.account = account;
    this.drop = drop;
    account.pop3Holder = this.conn.id;
    this.state = 'transaction';
    this.conn.setIdle(this.ctx.limits.idleMs);
  }

  /** A failed login: after too many the connection is dropped. */
  authFailed(text: string): void {
    this.authFailures++;
    if (this.authFailures >= this.ctx.limits.maxAuthFailures) {
      this.conn.end(`-ERR [AUTH] ${text}; too many failures, closing\r\n`);
      return;
    }
    this.err(`[AUTH] ${text}`);
  }

  /** QUIT: UPDATE state in TRANSACTION (§6), then close. */
  quit(): void {
    let removed = 0;
    if (this.state === 'transaction' && this.drop) {
      this.state = 'update';
      removed = this.drop.commit();
    }
    this.#release();
    this.conn.end(`+OK ${this.ctx.servername} closing${removed > 0 ? `, ${removed} message(s) deleted` : ''}\r\n`);
  }

  /** STLS go-ahead then the handshake; input read before it is discarded unless a fault keeps it. */
  async startTls(): Promise<void> {
    this.ok('Begin TLS negotiation now');
    if (!this.ctx.faults.starttlsInjection) this.reader.discard();
    // No await before the switch: the client's handshake must not be read as plaintext.
    if (!(await this.conn.startTls(this.ctx.tls, this.ctx.limits.tlsHandshakeMs))) this.conn.destroy();
  }

  #onData(chunk: Buffer): void {
    this.reader.push(chunk);
    if (this.reader.buffered > this.ctx.limits.maxBufferedInputBytes) this.conn.pauseInput();
    void this.#pump();
  }

  /** Answer buffered commands one by one; only one pump runs at a time. */
  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.conn.closed) {
        const line = this.reader.next();
        if (line === undefined) break;
        if (line === LINE_TOO_LONG) {
          this.conn.end('-ERR Line too long, closing\r\n');
          break;
        }
        await this.#handle(line);
        await this.conn.drained();
      }
    } finally {
      this.#busy = false;
    }
    if (!this.conn.closed) this.conn.resumeInput();
  }

  async #handle(line: Buffer): Promise<void> {
    if (this.awaitingSasl) {
      this.awaitingSasl = false;
      await POP3_COMMANDS.saslResponse(this, line.toString('utf8'));
      return;
    }
    if (line.includes(0)) return this.#bad('NUL byte in command');
    const text = line.toString('latin1');
    const m = /^([A-Za-z]{3,4})(?: (.*))?$/s.exec(text);
    const spec = m ? POP3_COMMANDS.table[m[1]!.toUpperCase()] : undefined;
    if (!m || !spec) return this.#bad(m ? 'Unknown command' : 'Syntax error');
    if (!spec.states.includes(this.state)) {
      this.err(`${m[1]!.toUpperCase()} is not allowed in the ${this.state.toUpperCase()} state`);
      return;
    }
    this.#badCommands = 0;
    await spec.run(this, m[2] ?? '');
  }

  #bad(text: string): void {
    this.#badCommands++;
    if (this.#badCommands >= this.ctx.limits.maxBadCommands) {
      this.conn.end(`-ERR ${text}; too many bad commands, closing\r\n`);
      return;
    }
    this.err(text);
  }

  /** A lost connection releases the maildrop without UPDATE (RFC 1939 §6: no QUIT, no deletion). */
  #release(): void {
    if (this.account && this.account.pop3Holder === this.conn.id) this.account.pop3Holder = undefined;
  }
}
