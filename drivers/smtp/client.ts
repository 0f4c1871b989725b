import { beginExchange, endExchange, type Exchange, type ExchangeListener } from '../exchange.js';
import { MailprobeError, type Phase } from '../errors.js';
import { buildCommand, type CommandPart } from '../redact.js';
import type { Credentials, SaslMechanism } from '../sasl.js';
import type { TlsFacts } from '../tls/tls-facts.js';
import { Transport, type TransportOptions, type UpgradeOptions } from '../transport.js';
import { authenticate } from './auth.js';
import { parseEhlo, type SmtpCapabilities } from './capabilities.js';
import { isPositive, SmtpReplyParser, type SmtpReply } from './reply.js';
import { sendBdat, sendData, type DataResult, type MailParams, formatMailParams } from './transaction.js';
import type { EncodeOptions } from './dot-stuff.js';

export interface SmtpConnectOptions extends TransportOptions {
  /** Read the greeting on connect (default true). A probe of early talkers sets false. */
  readGreeting?: boolean;
  /** Called after every command with its timing (bench metrics). */
  onExchange?: ExchangeListener;
}

export interface CommandOptions {
  timeoutMs?: number;
  phase?: Phase;
  /** Metric name; default `smtp.` + the lower-case verb. */
  name?: string;
}

export interface StartTlsOutcome {
  reply: SmtpReply;
  /** Present when the server said 220 and the handshake completed. */
  tls: TlsFacts | undefined;
  /** Plaintext bytes that followed the 220 (only with `trailing: 'record'`). */
  trailing: Buffer | undefined;
}

/** What the driver has seen, not what it allows: it sends anything it is told (DESIGN.md). */
export type SmtpState = 'greeting' | 'ready' | 'closed';

const CRLF = '\r\n';

/**
 * An SMTP client for probing: negative replies are data, only transport and framing failures
 * throw. It sends whatever it is told (MAIL before EHLO, AUTH before STARTTLS, bare LF).
 */
export class SmtpClient {
  readonly transport: Transport;
  greeting: SmtpReply | undefined;
  /** Capabilities from the last EHLO/LHLO; cleared by STARTTLS (RFC 3207 §4.2). */
  capabilities: SmtpCapabilities | undefined;
  lastExchange: Exchange | undefined;
  /** Made on the first reply read through the client (a bench session reads most replies itself). */
  #parserMade: SmtpReplyParser | undefined;
  #onExchange: ExchangeListener | undefined;
  #state: SmtpState = 'greeting';

  private constructor(transport: Transport, onExchange: ExchangeListener | undefined) {
    this.transport = transport;
    this.#onExchange = onExchange;
  }

  /** Connect (TCP, implicit TLS if asked) and read the greeting within the greeting deadline. */
  static async connect(options: SmtpConnectOptions): Promise<SmtpClient> {
    const transport = await Transport.connect(options);
    const client = new SmtpClient(transport, options.onExchange);
    if (options.readGreeting !== false) {
      const start = beginExchange(transport);
      try {
        client.greeting = await client.readReply({ phase: 'greeting', timeoutMs: transport.timeouts.greetingMs });
      } catch (err) {
        transport.destroy();
        throw err;
      }
      client.#record(start, 'smtp.greeting', '(greeting)', client.greeting);
      client.#state = 'ready';
    }
    return client;
  }

  /** Wrap an already connected transport (e.g. for a probe that talks first). */
  static fromTransport(transport: Transport, onExchange?: ExchangeListener): SmtpClient {
    return new SmtpClient(transport, onExchange);
  }

  get #parser(): SmtpReplyParser {
    return (this.#parserMade ??= new SmtpReplyParser(this.transport.limits));
  }

  get state(): SmtpState {
    return this.transport.closed ? 'closed' : this.#state;
  }
  get tls(): TlsFacts | undefined {
    return this.transport.tls;
  }

  /**
   * Read one complete reply (all lines of a multi-line reply) under ONE deadline for the whole
   * reply: a server dripping `250-` lines cannot stretch it. A timeout leaves the reply
   * outstanding, so the connection is dropped: later replies could no longer be matched to
   * their commands.
   */
  async readReply(options: { timeoutMs?: number; phase?: Phase } = {}): Promise<SmtpReply> {
    const phase = options.phase ?? 'command';
    const budget = options.timeoutMs ?? this.transport.timeouts.commandMs;
    const deadline = this.transport.now() + budget;
    for (;;) {
      const remaining = Math.max(1, deadline - this.transport.now());
      let line: Buffer;
      try {
        line = await this.transport.readLine({ phase, timeoutMs: remaining });
      } catch (err) {
        if (err instanceof MailprobeError && err.code === 'ETIMEDOUT') {
          this.#parser.reset();
          this.transport.destroy();
          throw new MailprobeError('ETIMEDOUT', `no complete reply within ${budget} ms during ${phase}`, { ...err.context, elapsedMs: budget });
        }
        throw err;
      }
      let reply: SmtpReply | undefined;
      try {
        reply = this.#parser.push(line);
      } catch (err) {
        throw this.#fatal(err, phase);
      }
      if (reply) return reply;
    }
  }

  /** Send one command line (CRLF appended) and read its reply. Secrets in `parts` are redacted. */
  async command(command: string | readonly CommandPart[], options: CommandOptions = {}): Promise<SmtpReply> {
    const built = typeof command === 'string' ? { wire: command, display: command } : buildCommand(command);
    const start = beginExchange(this.transport);
    await this.#writeOrKeepReply(built.wire + CRLF, built.display, options.phase ?? 'command');
    const reply = await this.readReply(options);
    this.#record(start, options.name ?? metricName(built.display), built.display, reply);
    return reply;
  }

  /** Write bytes exactly as given, no terminator added (bare LF, NUL, several commands). */
  async sendRaw(bytes: string | Uint8Array, options: { display?: string | readonly string[] } = {}): Promise<void> {
    await this.transport.write(bytes, options.display === undefined ? {} : { display: options.display });
  }

  /**
   * RFC 2920: send a group of commands in one write and read one reply per command, in order.
   * The caller decides whether the server offered PIPELINING; this only does the mechanics.
   */
  async pipeline(commands: readonly (string | readonly CommandPart[])[], options: CommandOptions = {}): Promise<SmtpReply[]> {
    const built = commands.map((c) => (typeof c === 'string' ? { wire: c, display: c } : buildCommand(c)));
    const start = beginExchange(this.transport);
    await this.#writeOrKeepReply(
      built.map((b) => b.wire + CRLF).join(''),
      built.map((b) => b.display),
      options.phase ?? 'command',
    );
    const replies: SmtpReply[] = [];
    for (let i = 0; i < built.length; i++) replies.push(await this.readReply(options));
    const allOk = replies.every(isPositive);
    this.#record(start, options.name ?? 'smtp.pipeline', built.map((b) => b.display).join(' | '), { code: allOk ? 250 : 500 });
    return replies;
  }

  async ehlo(domain = 'mailprobe.invalid'): Promise<SmtpReply> {
    const reply = await this.command(`EHLO ${domain}`);
    if (reply.code === 250) this.capabilities = parseEhlo(reply);
    return reply;
  }

  /** RFC 2033 LMTP greeting command; same reply format as EHLO. */
  async lhlo(domain = 'mailprobe.invalid'): Promise<SmtpReply> {
    const reply = await this.command(`LHLO ${domain}`);
    if (reply.code === 250) this.capabilities = parseEhlo(reply);
    return reply;
  }

  async helo(domain = 'mailprobe.invalid'): Promise<SmtpReply> {
    const reply = await this.command(`HELO ${domain}`);
    if (reply.code === 250) this.capabilities = undefined;
    return reply;
  }

  /**
   * STARTTLS (RFC 3207). On 220 the connection is upgraded: buffered plaintext is dropped and
   * the capabilities are forgotten (§4.2: the client MUST discard knowledge obtained before
   * TLS); the caller re-issues EHLO. Bytes after the 220 fail with ESTARTTLS_TRAILING unless
   * `trailing: 'record'`.
   */
  async starttls(options: UpgradeOptions & { command?: string } = {}): Promise<StartTlsOutcome> {
    const reply = await this.command(options.command ?? 'STARTTLS', { phase: 'tls' });
    if (reply.code !== 220) return { reply, tls: undefined, trailing: undefined };
    const start = beginExchange(this.transport);
    const result = await this.transport.upgradeTls(options);
    this.capabilities = undefined;
    this.#parser.reset();
    this.#record(start, 'smtp.tls', '(TLS handshake)', { code: 220 });
    return { reply, tls: result.tls, trailing: result.trailing.length > 0 ? result.trailing : undefined };
  }

  /** SMTP AUTH (RFC 4954) with PLAIN, LOGIN, CRAM-MD5 or XOAUTH2; returns the final reply. */
  auth(mechanism: SaslMechanism, credentials: Credentials, options: { initialResponse?: boolean } = {}): Promise<SmtpReply> {
    return authenticate(this, mechanism, credentials, options);
  }

  mail(from: string, params?: MailParams): Promise<SmtpReply> {
    return this.command(`MAIL FROM:<${from}>${formatMailParams(params)}`);
  }

  rcpt(to: string, params?: MailParams): Promise<SmtpReply> {
    return this.command(`RCPT TO:<${to}>${formatMailParams(params)}`);
  }

  /** DATA, then (on 354) the dot-stuffed message and the final reply. */
  data(message: string | Uint8Array, options: EncodeOptions = {}): Promise<DataResult> {
    return sendData(this, message, options);
  }

  /** RFC 3030 BDAT: one chunk, no dot-stuffing. */
  bdat(chunk: string | Uint8Array, last: boolean): Promise<SmtpReply> {
    return sendBdat(this, chunk, last);
  }

  rset(): Promise<SmtpReply> {
    return this.command('RSET');
  }
  noop(): Promise<SmtpReply> {
    return this.command('NOOP');
  }
  vrfy(argument: string): Promise<SmtpReply> {
    return this.command(`VRFY ${argument}`);
  }
  expn(argument: string): Promise<SmtpReply> {
    return this.command(`EXPN ${argument}`);
  }
  help(argument?: string): Promise<SmtpReply> {
    return this.command(argument === undefined ? 'HELP' : `HELP ${argument}`);
  }

  /** QUIT, read the 221 (RFC 5321 §4.1.1.10), then close. Never throws on a dead connection. */
  async quit(): Promise<SmtpReply | undefined> {
    let reply: SmtpReply | undefined;
    try {
      reply = await this.command('QUIT', { timeoutMs: this.transport.timeouts.closeMs });
    } catch {
      reply = undefined;
    }
    await this.transport.close();
    return reply;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  destroy(): void {
    this.transport.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.transport.close();
  }

  /** @internal Record timing of an exchange started with beginExchange. */
  record(start: ReturnType<typeof beginExchange>, name: string, command: string, reply: Pick<SmtpReply, 'code'>): void {
    this.#record(start, name, command, reply);
  }

  #record(start: ReturnType<typeof beginExchange>, name: string, command: string, reply: Pick<SmtpReply, 'code'>): void {
    const ex = endExchange(this.transport, start, name, command, isPositive(reply));
    this.lastExchange = ex;
    this.#onExchange?.(ex);
  }

  /**
   * Write a command; if the server already hung up but left a reply behind (an unsolicited
   * `421 … closing` before the close, RFC 5321 §3.8), swallow the write error so the caller
   * reads that reply as data instead of a bare ECLOSED.
   */
  async #writeOrKeepReply(wire: string, display: string | readonly string[], phase: Phase): Promise<void> {
    try {
      await this.transport.write(wire, { display, phase });
    } catch (err) {
      if (err instanceof MailprobeError && err.code === 'ECLOSED' && this.transport.buffered > 0) return;
      throw err;
    }
  }

  #fatal(err: unknown, phase: Phase): unknown {
    if (err instanceof MailprobeError) {
      const wrapped = err.withContext({ phase, transcript: this.transport.snapshot(30) });
      this.transport.destroy();
      return wrapped;
    }
    return err;
  }
}

/** `MAIL FROM:<a>` → `smtp.mail`; `EHLO x` → `smtp.ehlo`. */
function metricName(display: string): string {
  const verb = /^[A-Za-z]+/.exec(display)?.[0];
  return verb ? `smtp.${verb.toLowerCase()}` : 'smtp.raw';
}

