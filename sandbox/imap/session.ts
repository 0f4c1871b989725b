/**
 * One IMAP session (RFC 9051 §3 states): reads commands one at a time from the byte-level
 * reader, dispatches them through the command table, and completes each with its tagged
 * response after the untagged updates the rules allow. IDLE and AUTHENTICATE take the following
 * raw lines. Input floods pause the socket; bad commands, failed logins and oversize input are
 * bounded and end the session with BYE.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FrontEndContext } from '../context.js';
import { Connection } from '../net/connection.js';
import type { Account } from '../store/account.js';
import { capabilities } from './capabilities.js';
import { join, type Chunk } from './encode.js';
import { ArgParser, BadCommand } from './parser.js';
import { CommandReader, type CommandInput } from './reader.js';
import type { SelectedView } from './view.js';

export type ImapState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export interface Completion {
  readonly status: 'OK' | 'NO' | 'BAD';
  /** A response code without brackets: `READ-WRITE`, `APPENDUID 38505 3955`. */
  readonly code?: string;
  readonly text: string;
}

/** A handler's outcome: its completion, or 'pending' when it goes on reading lines (IDLE, SASL). */
export type HandlerResult = Completion | 'pending';

export interface CommandSpec {
  readonly states: readonly ImapState[];
  /** Whether EXPUNGE responses may accompany this command (not FETCH, STORE, SEARCH: §7.5.1). */
  readonly expunges: boolean;
  run(s: ImapSession, tag: string, p: ArgParser): HandlerResult | Promise<HandlerResult>;
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;

const TAG_CHAR = (c: number): boolean => c > 0x20 && c < 0x7f && !'(){%*"\\+'.includes(String.fromCharCode(c));

export class ImapSession {
  readonly conn: Connection;
  readonly ctx: FrontEndContext;
  readonly reader: CommandReader;
  state: ImapState = 'not-authenticated';
  account: Account | undefined;
  view: SelectedView | undefined;
  authFailures = 0;
  /** Set by a handler: say BYE with this text right after the command's completion. */
  byeAfter: string | undefined;
  readonly #commands: CommandTable;
  #lineHandler: ((line: Buffer) => void | Promise<void>) | undefined;
  #busy = false;
  #bad = 0;

  constructor(socket: Socket | TLSSocket, secure: boolean, ctx: FrontEndContext, commands: CommandTable) {
    this.ctx = ctx;
    this.#commands = commands;
    this.reader = new CommandReader(ctx.limits, () => this.conn.write('+ Ready for literal data\r\n'));
    this.conn = new Connection(socket, secure, ctx.limits.preAuthIdleMs);
    this.conn.listen({
      data: (chunk) => this.#onData(chunk),
      idle: () => this.bye('Autologout; idle for too long'),
      closed: () => this.#cleanup(),
    });
    this.untagged(`OK [CAPABILITY ${this.capabilities().join(' ')}] ${ctx.servername} IMAP4rev1 sandbox ready`);
  }

  get passwordsAllowed(): boolean {
    return this.conn.secure || this.ctx.faults.plaintextAuth;
  }

  capabilities(): string[] {
    return capabilities({
      authenticated: this.state === 'authenticated' || this.state === 'selected',
      secure: this.conn.secure,
      starttls: this.ctx.faults.starttls,
      passwordsAllowed: this.passwordsAllowed,
    });
  }

  send(chunks: string | readonly Chunk[]): void {
    this.conn.write(typeof chunks === 'string' ? chunks : join(chunks));
  }

  /** `* text CRLF`; text may carry literals. */
  untagged(text: string | readonly Chunk[]): void {
    this.send(typeof text === 'string' ? `* ${text}\r\n` : ['* ', ...text, '\r\n']);
  }

  /** The next raw input line goes to `handler` (IDLE's DONE, SASL responses). */
  awaitLine(handler: (line: Buffer) => void | Promise<void>): void {
    this.#lineHandler = handler;
  }

  /** Complete a command: updates the rules allow, then the tagged response. */
  finish(tag: string, expunges: boolean, c: Completion): void {
    if (this.view) for (const line of this.view.flush(expunges)) this.send(`${line}\r\n`);
    this.send(`${tag} ${c.status} ${c.code ? `[${c.code}] ` : ''}${c.text}\r\n`);
    if (c.status === 'BAD') {
      if (++this.#bad >= this.ctx.limits.maxBadCommands) this.bye('Too many invalid commands');
    } else this.#bad = 0;
    if (this.byeAfter !== undefined) this.bye(this.byeAfter);
    if (this.state === 'logout') this.conn.end();
  }

  login(account: Account): void {
    this.account = account;
    this.state = 'authenticated';
    this.conn.setIdle(this.ctx.limits.idleMs);
  }

  select(view: SelectedView): void {
    this.deselect();
    this.view = view;
    this.state = 'selected';
  }

  deselect(): void {
    this.view?.close();
    this.view = undefined;
    if (this.state === 'selected') this.state = 'authenticated';
  }

  /** End the session from the server side (RFC 9051 §7.1.5 BYE). */
  bye(text: string): void {
    this.state = 'logout';
    this.#lineHandler = undefined;
    this.conn.end(`* BYE ${text}\r\n`);
  }

  #onData(chunk: Buffer): void {
    this.reader.push(chunk);
    if (this.reader.buffered > this.ctx.limits.maxBufferedInputBytes) this.conn.pauseInput();
    void this.#pump();
  }

  /** Handle buffered input in order; one pump at a time, waiting for the client to read. */
  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.conn.closed && this.state !== 'logout') {
        if (this.#lineHandler) {
          const line = this.reader.readLine();
          if (line === undefined) break;
          if (line === 'too-long') return this.bye('Line too long');
          const handler = this.#lineHandler;
          this.#lineHandler = undefined;
          await handler(line);
        } else {
          const r = this.reader.read();
          if (r === undefined) break;
          if (r.kind === 'command') await this.#dispatch(r.input);
          else if (r.kind === 'line-too-long') return this.bye('Command line too long');
          else if (r.kind === 'literal-too-large' && r.sync) this.finish(r.tag, false, { status: 'NO', code: 'TOOBIG', text: 'Literal too large' });
          else {
            this.send(`${r.tag} BAD [TOOBIG] Command too large\r\n`);
            return this.bye('Command too large');
          }
        }
        await this.conn.drained();
      }
    } catch (err) {
      // A handler bug must not take the process down: the session ends, others go on.
      this.bye(`Internal error: ${err instanceof Error ? err.message.slice(0, 100) : 'unknown'}`);
    } finally {
      this.#busy = false;
      if (!this.conn.closed) this.conn.resumeInput();
    }
  }

  async #dispatch(input: CommandInput): Promise<void> {
    const p = new ArgParser(input);
    let tag: string;
    try {
      tag = p.take(TAG_CHAR, 'a tag');
    } catch {
      this.send('* BAD Missing or invalid tag\r\n');
      if (++this.#bad >= this.ctx.limits.maxBadCommands) this.bye('Too many invalid commands');
      return;
    }
    let spec: CommandSpec | undefined;
    try {
      if (input.lines.some((l) => l.includes(0))) throw new BadCommand('NUL is not allowed in commands');
      p.sp();
      let name = p.atom().toUpperCase();
      if (name === 'UID') {
        p.sp();
        name = `UID ${p.atom().toUpperCase()}`;
      }
      spec = Object.hasOwn(this.#commands, name) ? this.#commands[name] : undefined;
      if (!spec) throw new BadCommand(`Unknown command ${name.slice(0, 30)}`);
      if (!spec.states.includes(this.state)) throw new BadCommand(`${name} is not valid in the ${this.state} state`);
      const result = await spec.run(this, tag, p);
      if (result !== 'pending') this.finish(tag, spec.expunges, result);
    } catch (err) {
      if (!(err instanceof BadCommand)) throw err;
      this.finish(tag, false, { status: 'BAD', text: err.message });
    }
  }

  #cleanup(): void {
    this.#lineHandler = undefined;
    this.view?.close();
    this.view = undefined;
  }
}
