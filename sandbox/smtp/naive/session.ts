/**
 * A deliberately naive SMTP server, used only by the fault profiles smtp-server will not play:
 * `bare-lf-end-of-data` (mail data ends at any line that is a lone ".", bare LF included: the
 * SMTP smuggling bug) and `starttls-injection` (commands pipelined after STARTTLS in cleartext
 * are kept and answered inside TLS). Everything else follows RFC 5321 closely enough that these
 * faults are the only findings; the same policy and delivery code as the real front end apply.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FrontEndContext } from '../../context.js';
import { Connection } from '../../net/connection.js';
import { LINE_TOO_LONG, LineReader } from '../../net/input.js';
import type { Account } from '../../store/account.js';
import { deliver } from '../deliver.js';
import type { RcptDecision, SmtpRefusal, SmtpRole } from '../policy.js';
import { NAIVE_COMMANDS } from './commands.js';

type Mode = 'command' | 'data' | 'auth';

export class NaiveSmtpSession {
  readonly conn: Connection;
  readonly ctx: FrontEndContext;
  readonly role: SmtpRole;
  readonly reader: LineReader;
  helo: string | undefined;
  user: Account | undefined;
  mailFrom: string | undefined;
  /** MAIL carried SMTPUTF8 (RFC 6531). */
  smtpUtf8 = false;
  rcpts: { address: string; decision: RcptDecision }[] = [];
  /** AUTH in progress: called with each client response line. */
  authStep: ((line: string) => void) | undefined;
  #mode: Mode = 'command';
  #data: Buffer[] = [];
  #dataBytes = 0;
  #lastLineCrlf = true;
  #busy = false;
  #bad = 0;

  constructor(socket: Socket | TLSSocket, secure: boolean, ctx: FrontEndContext, role: SmtpRole) {
    this.ctx = ctx;
    this.role = role;
    this.reader = new LineReader(ctx.limits.maxLineBytes);
    this.conn = new Connection(socket, secure, Math.min(ctx.limits.idleMs, 300_000));
    this.conn.listen({
      data: (chunk) => {
        this.reader.push(chunk);
        if (this.reader.buffered > ctx.limits.maxBufferedInputBytes) this.conn.pauseInput();
        void this.#pump();
      },
      idle: () => this.conn.end('421 4.4.2 Idle for too long, closing connection\r\n'),
      closed: () => undefined,
    });
    this.reply(220, `${ctx.servername} ESMTP mailprobe sandbox`);
  }

  /** One reply; multi-line when `text` is an array (RFC 5321 §4.2.1). */
  reply(code: number, text: string | readonly string[]): void {
    const lines = typeof text === 'string' ? [text] : text;
    this.conn.write(lines.map((l, i) => `${code}${i < lines.length - 1 ? '-' : ' '}${l}\r\n`).join(''));
  }

  refuse(r: SmtpRefusal): void {
    this.reply(r.code, `${r.enhanced} ${r.text}`);
  }

  /** RSET, EHLO and STARTTLS drop the transaction (RFC 5321 §4.1.4). */
  resetTransaction(): void {
    this.mailFrom = undefined;
    this.smtpUtf8 = false;
    this.rcpts = [];
  }

  startData(): void {
    this.#mode = 'data';
    this.#data = [];
    this.#dataBytes = 0;
    this.#lastLineCrlf = true;
    this.reply(354, 'End data with <CR><LF>.<CR><LF>');
  }

  startAuth(step: (line: string) => void): void {
    this.#mode = 'auth';
    this.authStep = step;
  }

  endAuth(): void {
    this.#mode = 'command';
    this.authStep = undefined;
  }

  /** STARTTLS go-ahead and handshake. RFC 3207 §4.2 says forget everything from before... */
  async startTls(): Promise<void> {
    this.reply(220, '2.0.0 Ready to start TLS');
    // ...and the plaintext already received. Keeping it is the injection fault.
    if (!this.ctx.faults.starttlsInjection) this.reader.discard();
    // No await before the switch: the client's handshake must not be read as plaintext.
    if (!(await this.conn.startTls(this.ctx.tls, this.ctx.limits.tlsHandshakeMs))) return this.conn.destroy();
    this.helo = undefined;
    this.user = undefined;
    this.resetTransaction();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.conn.closed) {
        const raw = this.reader.nextRaw();
        if (raw === undefined) break;
        if (raw === LINE_TOO_LONG) {
          if (this.#mode === 'data') this.#dataBytes = Infinity;
          else this.reply(500, '5.5.6 Line too long');
          continue;
        }
        if (this.#mode === 'data') this.#dataLine(raw);
        else await this.#command(raw);
        await this.conn.drained();
      }
    } finally {
      this.#busy = false;
    }
    if (!this.conn.closed) this.conn.resumeInput();
  }

  async #command(raw: Buffer): Promise<void> {
    const line = raw.toString('utf8').replace(/\r?\n$/, '');
    if (this.#mode === 'auth') return this.authStep?.(line);
    const m = /^([A-Za-z]+)(?: (.*))?$/s.exec(line);
    const handler = m ? NAIVE_COMMANDS[m[1]!.toUpperCase()] : undefined;
    if (!m || !handler) {
      if (++this.#bad >= this.ctx.limits.maxBadCommands) return this.conn.end('421 4.7.0 Too many unrecognized commands\r\n');
      return this.reply(500, '5.5.2 Command not recognized');
    }
    this.#bad = 0;
    await handler(this, m[2] ?? '');
  }

  /**
   * Mail data, line by line. Correct: only a "." line ending in CRLF after a CRLF ends it
   * (RFC 5321 §4.1.1.4). With the fault, a "." line ends it whatever its line ends.
   */
  #dataLine(raw: Buffer): void {
    const crlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d;
    const content = raw.subarray(0, raw.length - (crlf ? 2 : 1));
    const isDot = content.length === 1 && content[0] === 0x2e;
    const ends = isDot && (this.ctx.faults.bareLfEndOfData || (crlf && this.#lastLineCrlf));
    this.#lastLineCrlf = crlf;
    if (ends) {
      this.#mode = 'command';
      this.#finishData();
      return;
    }
    // §4.5.2: a leading dot is removed (dot-stuffing).
    const unstuffed = raw[0] === 0x2e ? raw.subarray(1) : raw;
    this.#dataBytes += unstuffed.length;
    if (this.#dataBytes <= this.ctx.limits.maxMessageBytes) this.#data.push(unstuffed);
  }

  #finishData(): void {
    if (this.#dataBytes > this.ctx.limits.maxMessageBytes) {
      this.resetTransaction();
      return this.reply(552, '5.3.4 Message exceeds the maximum size');
    }
    const accounts: Account[] = [];
    const local: string[] = [];
    for (const r of this.rcpts) {
      if (r.decision.kind === 'deliver') {
        accounts.push(r.decision.account);
        local.push(r.address);
      } else if (r.decision.kind === 'discard') this.ctx.store.stats.discarded++;
    }
    const result = deliver(this.ctx.store, accounts, Buffer.concat(this.#data), {
      servername: this.ctx.servername,
      helo: this.helo ?? 'unknown',
      remoteAddress: this.conn.remoteAddress,
      protocol: `ESMTP${this.conn.secure ? 'S' : ''}${this.user ? 'A' : ''}`,
      tls: this.conn.tlsDescription,
      reversePath: this.mailFrom ?? '',
    }, local);
    this.resetTransaction();
    this.#data = [];
    if ('code' in result) return this.refuse(result);
    this.reply(250, `2.0.0 Ok: queued as ${result.id}`);
  }
}
