/**
 * A POP3 client for probing (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH).
 *
 * Mechanism, not policy: it sends whatever it is told, in any state (STAT before login, PASS
 * before STLS), returns -ERR as data, and tracks what it observes (state, capabilities, TLS).
 * Only transport and framing failures throw. After a thrown error the conversation may be out
 * of step (half a body unread): close the client.
 */
import { MailprobeError } from '../errors.js';
import { buildCommand, REDACTED, secret, Secret, type CommandPart } from '../redact.js';
import type { TlsFacts } from '../tls/tls-facts.js';
import { Transport, type TransportOptions } from '../transport.js';
import { renderWireText, type TranscriptEntry } from '../transcript.js';
import { apopLogin, saslPlain, saslXoauth2, type AuthOptions, type AuthReply } from './auth.js';
import { carriesMessageData, commandKeyword, expectsMultiline, metricName } from './commands.js';
import {
  parseCapabilities,
  parseDropListing,
  parseListings,
  parseScanListing,
  parseUniqueIdListing,
  type DropListing,
  type ScanListing,
  type UniqueIdListing,
} from './maildrop.js';
import type { MultilineBody } from './multiline.js';
import { readBody, readReply, type ReadSpec } from './reply.js';
import { apopTimestamp } from './status.js';
import type { ExchangeListener } from '../exchange.js';
import { toExchange, type CommandOptions, type Pop3Greeting, type Pop3Reply, type Pop3State } from './types.js';

export interface Pop3ConnectOptions extends TransportOptions {
  /** Called after every exchange (greeting included), for metrics. */
  onExchange?: ExchangeListener;
}

/** A command line: a string, or parts where `Secret`s are sent but shown as `***`. */
export type Pop3Command = string | readonly CommandPart[];

/** A pipelined command with an explicit multi-line expectation. */
export interface PipelineItem {
  command: Pop3Command;
  multiline?: boolean;
}

export type StatReply = Pop3Reply & { readonly drop: DropListing | undefined };
export type ListReply = Pop3Reply & { readonly entries: ScanListing[]; readonly invalid: string[] };
export type UidlReply = Pop3Reply & { readonly entries: UniqueIdListing[]; readonly invalid: string[] };
export type MessageReply = Pop3Reply & { readonly message: Buffer | undefined };
export type CapaReply = Pop3Reply & { readonly capabilities: Map<string, string[]> };
export type StlsReply =
  | (Pop3Reply & { readonly upgraded: false })
  | (Pop3Reply & {
      readonly upgraded: true;
      readonly tls: TlsFacts;
      /** Plaintext bytes that followed the go-ahead (discarded; only with `trailing: 'record'`). */
      readonly trailing: Buffer;
    });

export interface StlsOptions {
  /** Bytes after the +OK go-ahead: fail with ESTARTTLS_TRAILING (default) or record and go on. */
  trailing?: 'fail' | 'record';
}

export class Pop3Client {
  readonly transport: Transport;
  readonly greeting: Pop3Greeting;
  #state: Exclude<Pop3State, 'closed'> = 'authorization';
  #capabilities: Map<string, string[]> | undefined;
  #onExchange: ExchangeListener | undefined;

  private constructor(transport: Transport, greeting: Pop3Greeting, onExchange: ExchangeListener | undefined) {
    this.transport = transport;
    this.greeting = greeting;
    this.#onExchange = onExchange;
  }

  /** Connect and read the greeting (+OK or -ERR, both returned as data). */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const transport = await Transport.connect(options);
    return Pop3Client.attach(transport, options.onExchange === undefined ? {} : { onExchange: options.onExchange });
  }

  /** Read the greeting on an already open transport (destroyed if that fails). */
  static async attach(transport: Transport, options: { onExchange?: ExchangeListener } = {}): Promise<Pop3Client> {
    try {
      const reply = await readReply(transport, {
        command: undefined,
        phase: 'greeting',
        startedAt: transport.now(),
        budgetMs: transport.timeouts.greetingMs,
        multiline: false,
        messageData: false,
        bytesOut: 0,
        firstAfterWrite: false,
      });
      const greeting: Pop3Greeting = { ...reply, timestamp: reply.ok ? apopTimestamp(reply.text) : undefined };
      options.onExchange?.(toExchange('pop3.greeting', '(greeting)', greeting));
      return new Pop3Client(transport, greeting, options.onExchange);
    } catch (err) {
      transport.destroy();
      throw err;
    }
  }

  /** Observed session state; `closed` as soon as the connection is gone. */
  get state(): Pop3State {
    return this.transport.closed ? 'closed' : this.#state;
  }
  /** Capabilities of the last successful CAPA; discarded by STLS (RFC 2595 §4). */
  get capabilities(): ReadonlyMap<string, readonly string[]> | undefined {
    return this.#capabilities;
  }
  get tls(): TlsFacts | undefined {
    return this.transport.tls;
  }
  /** The redacted transcript so far. */
  transcript(last?: number): TranscriptEntry[] {
    return this.transport.snapshot(last);
  }

  /** Send one command line (CRLF added) and read its reply, body included when due. */
  async command(command: Pop3Command, options: CommandOptions = {}): Promise<Pop3Reply> {
    const [reply] = await this.#exchange([{ command, ...options }]);
    return reply!;
  }

  /**
   * RFC 2449 §6.6 PIPELINING: all commands in one write, replies read in order. Whether each
   * reply has a body comes from its command (or `multiline`), as it would unpipelined.
   */
  pipeline(commands: readonly (Pop3Command | PipelineItem)[]): Promise<Pop3Reply[]> {
    return this.#exchange(commands.map((c) => (isPipelineItem(c) ? c : { command: c })));
  }

  /**
   * Answer a SASL challenge (RFC 5034 §4). SASL responses carry credentials, so the line is
   * shown as `***` whether given as a string or a Secret, unless it is the empty response or the
   * `*` that cancels. A final +OK moves the state to transaction.
   */
  async continueAuth(response: string | Secret, options: CommandOptions = {}): Promise<Pop3Reply> {
    const wire = response instanceof Secret ? response.reveal() : response;
    const hidden = wire !== '' && wire !== '*';
    const [reply] = await this.#send([{ wire, display: hidden ? REDACTED : displayOf(wire), keyword: 'AUTH', multiline: false, messageData: false, options }]);
    return reply!;
  }

  /** Write bytes exactly as given (bare LF, NUL, several commands): for probes. */
  async sendRaw(bytes: string | Uint8Array, options: { display?: string | readonly string[] | false } = {}): Promise<void> {
    await this.transport.write(bytes, options.display === undefined ? {} : { display: options.display });
  }

  /** Read one status line (after sendRaw); timing counts from the last write. */
  readStatus(options: { timeoutMs?: number; multiline?: boolean; messageData?: boolean } = {}): Promise<Pop3Reply> {
    return readReply(this.transport, this.#rawSpec(options));
  }

  /** Read a multi-line body (after a +OK read with readStatus). */
  readMultiline(options: { timeoutMs?: number; messageData?: boolean } = {}): Promise<MultilineBody> {
    return readBody(this.transport, this.#rawSpec(options));
  }

  async capa(): Promise<CapaReply> {
    const reply = await this.command('CAPA');
    const capabilities = reply.ok ? parseCapabilities(reply.lines ?? []) : new Map<string, string[]>();
    if (reply.ok) this.#capabilities = capabilities;
    return { ...reply, capabilities };
  }

  /**
   * RFC 2595 §4 STLS: on +OK, drop buffered plaintext and cached capabilities, then handshake.
   * -ERR comes back as `upgraded: false`; requiring TLS is the caller's policy.
   */
  async stls(options: StlsOptions = {}): Promise<StlsReply> {
    const reply = await this.command('STLS');
    if (!reply.ok) return { ...reply, upgraded: false };
    this.#capabilities = undefined;
    try {
      const up = await this.transport.upgradeTls({ trailing: options.trailing ?? 'fail' });
      return { ...reply, upgraded: true, tls: up.tls, trailing: up.trailing };
    } catch (err) {
      throw err instanceof MailprobeError ? err.withContext({ command: 'STLS' }) : err;
    }
  }

  user(name: string): Promise<Pop3Reply> {
    return this.command(['USER', name]);
  }
  /** RFC 1939 §7 PASS; the transcript shows `PASS ***`. */
  pass(password: string | Secret): Promise<Pop3Reply> {
    return this.command(['PASS', toSecret(password)]);
  }
  /** RFC 1939 §7 APOP with the greeting's timestamp (or `timestamp`); the digest is redacted. */
  apop(name: string, password: string | Secret, options: { timestamp?: string } = {}): Promise<Pop3Reply> {
    return apopLogin(this, name, toSecret(password), options.timestamp ?? this.greeting.timestamp);
  }
  /** RFC 5034 AUTH PLAIN (RFC 4616), with the initial response unless told otherwise. */
  authPlain(name: string, password: string | Secret, options: AuthOptions & { authzid?: string } = {}): Promise<AuthReply> {
    return saslPlain(this, name, toSecret(password), options);
  }
  /** AUTH XOAUTH2 (Google/Microsoft bearer-token SASL). */
  authXoauth2(name: string, token: string | Secret, options: AuthOptions = {}): Promise<AuthReply> {
    return saslXoauth2(this, name, toSecret(token), options);
  }

  async stat(): Promise<StatReply> {
    const reply = await this.command('STAT');
    return { ...reply, drop: reply.ok ? parseDropListing(reply.text) : undefined };
  }
  /** LIST (multi-line scan listings) or LIST n (one, from the status text). */
  async list(msg?: number): Promise<ListReply> {
    const reply = await this.command(msg === undefined ? 'LIST' : `LIST ${msg}`);
    return { ...reply, ...listings(reply, msg, parseScanListing) };
  }
  /** UIDL or UIDL n (RFC 1939 §7). */
  async uidl(msg?: number): Promise<UidlReply> {
    const reply = await this.command(msg === undefined ? 'UIDL' : `UIDL ${msg}`);
    return { ...reply, ...listings(reply, msg, parseUniqueIdListing) };
  }
  /** RETR n: the message bytes exactly as sent, unstuffed, line endings untouched. */
  async retr(msg: number, options: CommandOptions = {}): Promise<MessageReply> {
    const reply = await this.command(`RETR ${msg}`, options);
    return { ...reply, message: reply.lines ? Buffer.concat(reply.lines) : undefined };
  }
  /** TOP n lines: the header, the blank line, and `lines` lines of the body. */
  async top(msg: number, lines: number, options: CommandOptions = {}): Promise<MessageReply> {
    const reply = await this.command(`TOP ${msg} ${lines}`, options);
    return { ...reply, message: reply.lines ? Buffer.concat(reply.lines) : undefined };
  }
  dele(msg: number): Promise<Pop3Reply> {
    return this.command(`DELE ${msg}`);
  }
  rset(): Promise<Pop3Reply> {
    return this.command('RSET');
  }
  noop(): Promise<Pop3Reply> {
    return this.command('NOOP');
  }

  /** QUIT, then wait for the server to close (RFC 1939 §6) and close our side. */
  async quit(): Promise<Pop3Reply> {
    try {
      return await this.command('QUIT');
    } finally {
      await this.transport.close();
    }
  }
  /** Close without QUIT (a probe that wants to see the server cope). Never throws. */
  close(): Promise<void> {
    return this.transport.close();
  }
  destroy(): void {
    this.transport.destroy();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ----

  #exchange(items: readonly (PipelineItem & CommandOptions)[]): Promise<Pop3Reply[]> {
    return this.#send(
      items.map((item) => {
        const built = typeof item.command === 'string' ? { wire: item.command, display: item.command } : buildCommand(item.command);
        return {
          wire: built.wire,
          display: displayOf(built.display),
          keyword: commandKeyword(built.wire),
          multiline: item.multiline ?? expectsMultiline(built.wire),
          messageData: item.messageData ?? carriesMessageData(built.wire),
          options: item,
        };
      }),
    );
  }

  async #send(sends: readonly Outgoing[]): Promise<Pop3Reply[]> {
    const t = this.transport;
    if (sends.length === 0) return [];
    const wire = Buffer.from(sends.map((s) => `${s.wire}\r\n`).join(''), 'utf8');
    try {
      await t.write(wire, { display: sends.map((s) => s.display) });
    } catch (err) {
      throw err instanceof MailprobeError ? err.withContext({ command: sends.map((s) => s.display).join(' | ') }) : err;
    }
    const startedAt = t.lastWriteAt;
    const replies: Pop3Reply[] = [];
    for (const [i, s] of sends.entries()) {
      const spec: ReadSpec = {
        command: s.display,
        phase: s.options.phase ?? 'command',
        startedAt,
        budgetMs: s.options.timeoutMs ?? (s.messageData ? t.timeouts.dataMs : t.timeouts.commandMs),
        multiline: s.multiline,
        messageData: s.messageData,
        bytesOut: Buffer.byteLength(s.wire, 'utf8') + 2,
        firstAfterWrite: i === 0,
      };
      const reply = await readReply(t, spec);
      this.#observe(s.keyword, reply);
      this.#onExchange?.(toExchange(metricName(s.keyword), s.display, reply));
      replies.push(reply);
    }
    return replies;
  }

  /** State changes the server's answers show (RFC 1939 §3–§6). */
  #observe(keyword: string, reply: Pop3Reply): void {
    if (!reply.ok) return;
    if (keyword === 'PASS' || keyword === 'APOP' || keyword === 'AUTH') this.#state = 'transaction';
    else if (keyword === 'QUIT' && this.#state === 'transaction') this.#state = 'update';
  }

  /** Timing counts from the last write; the budget from now (a probe may read long after). */
  #rawSpec(options: { timeoutMs?: number; multiline?: boolean; messageData?: boolean }): ReadSpec {
    const t = this.transport;
    const now = t.now();
    return {
      command: '(raw)',
      phase: 'command',
      startedAt: t.lastWriteAt > 0 ? t.lastWriteAt : now,
      deadlineFrom: now,
      budgetMs: options.timeoutMs ?? t.timeouts.commandMs,
      multiline: options.multiline ?? false,
      messageData: options.messageData ?? false,
      bytesOut: 0,
      firstAfterWrite: t.lastWriteAt > 0,
    };
  }
}

interface Outgoing {
  wire: string;
  display: string;
  keyword: string;
  multiline: boolean;
  messageData: boolean;
  options: CommandOptions;
}

function isPipelineItem(value: Pop3Command | PipelineItem): value is PipelineItem {
  return typeof value === 'object' && 'command' in value;
}

/** How a command line shows in the transcript: control characters escaped, as for server lines. */
function displayOf(line: string): string {
  return renderWireText(Buffer.from(line, 'utf8'));
}

function toSecret(value: string | Secret): Secret {
  return value instanceof Secret ? value : secret(value);
}

function listings<T>(
  reply: Pop3Reply,
  msg: number | undefined,
  parse: (text: string) => T | undefined,
): { entries: T[]; invalid: string[] } {
  if (!reply.ok) return { entries: [], invalid: [] };
  if (msg !== undefined) {
    const one = parse(reply.text);
    return one === undefined ? { entries: [], invalid: [reply.text] } : { entries: [one], invalid: [] };
  }
  return parseListings(reply.lines ?? [], parse);
}
