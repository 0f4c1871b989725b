/**
 * Opening and closing an SMTP bench session: connect, greeting, EHLO, STARTTLS by policy
 * (`optional`, the bench default: used when offered), AUTH when credentials are given, and
 * QUIT.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { secret } from '../../drivers/redact.js';
import { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import type { Target } from '../../drivers/target.js';
import { resolveTimeouts } from '../../drivers/timeouts.js';
import { Transport, type ReadOptions, type TransportOptions, type WriteOptions } from '../../drivers/transport.js';
import { RejectedReply, smtpReplyClass } from '../../engine/load/classify.js';
import type { Metric } from '../../engine/load/metrics.js';
import type { ScenarioContext } from '../../engine/load/types.js';
import type { ServerInfo } from '../../engine/report-types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import type { SmtpSender } from './smtp-transaction.js';
import { ExchangeMetrics, failedBeforeGreeting, recordConnect, recordConnectFailure, transportOptions } from './connection.js';
import { hello, type HelloOptions } from './smtp-hello.js';
import { EXT_AUTH, EXT_PIPELINING, EXT_STARTTLS, readCode } from './smtp-wire.js';

const QUIT = Buffer.from('QUIT\r\n', 'latin1');
/** What end() returns when nothing is left to wait for (no promise made per session). */
const ENDED: Promise<void> = Promise.resolve();
const EXCHANGE_NAMES: ReadonlySet<string> = new Set(['smtp.starttls', 'smtp.tls', 'smtp.auth', 'smtp.ehlo', 'smtp.quit']);

export interface OpenedSmtp {
  readonly client: SmtpClient;
  readonly pipelining: boolean;
}

/** Greeting and EHLO keywords of the first session, for the report's `server`. */
export class ServerSeen {
  #info: Record<string, ServerInfo> = {};
  has(url: string): boolean {
    return this.#info[url] !== undefined;
  }
  add(url: string, info: ServerInfo): void {
    this.#info[url] ??= info;
  }
  get(): Record<string, ServerInfo> {
    return this.#info;
  }
}

/**
 * Opens and closes the SMTP sessions of one scenario thread. Greeting, EHLO and QUIT are read
 * leanly (smtp-wire.ts: codes and keywords only) because a run with a new connection per
 * message pays them every time; STARTTLS and AUTH go through the driver and are timed by its
 * onExchange hook. Everything that does not change between sessions is built once here.
 */
export class SmtpSessions {
  readonly #config: ScenarioConfig;
  readonly #target: Target;
  readonly #seen: ServerSeen;
  readonly #ehloLine: Buffer;
  readonly #greetingRead: ReadOptions;
  readonly #commandRead: ReadOptions;
  readonly #closeRead: ReadOptions;
  readonly #write: WriteOptions;
  readonly #closeWrite: WriteOptions;
  #connect: TransportOptions | undefined;
  #hello: HelloOptions | undefined;
  #m: { greeting: Metric; ehlo: Metric; quit: Metric; exchanges: ExchangeMetrics } | undefined;

  constructor(config: ScenarioConfig, target: Target, seen: ServerSeen) {
    this.#config = config;
    this.#target = target;
    this.#seen = seen;
    this.#ehloLine = Buffer.from(`EHLO ${config.clientName}\r\n`, 'latin1');
    const timeouts = resolveTimeouts(config.timeouts);
    this.#greetingRead = { record: false, phase: 'greeting', timeoutMs: timeouts.greetingMs };
    this.#commandRead = { record: false, phase: 'command', timeoutMs: timeouts.commandMs };
    this.#closeRead = { record: false, phase: 'command', timeoutMs: timeouts.closeMs };
    this.#write = { display: false, phase: 'command', timeoutMs: timeouts.commandMs };
    this.#closeWrite = { display: false, phase: 'command', timeoutMs: timeouts.closeMs };
  }

  async open(user: BenchUser | undefined, ctx: ScenarioContext): Promise<OpenedSmtp> {
    const config = this.#config;
    const target = this.#target;
    const metrics = ctx.metrics;
    const m = (this.#m ??= {
      greeting: metrics.metric('smtp.greeting'),
      ehlo: metrics.metric('smtp.ehlo'),
      quit: metrics.metric('smtp.quit'),
      exchanges: new ExchangeMetrics(metrics, EXCHANGE_NAMES, 'smtp.other'),
    });
    const startedAt = ctx.now();
    let t: Transport;
    try {
      // Options made once (per run signal); the greeting is read below, leanly.
      if (this.#connect?.signal !== ctx.signal) this.#connect = transportOptions(config, target, ctx.signal);
      t = await Transport.connect(this.#connect);
    } catch (err) {
      if (failedBeforeGreeting(err)) recordConnectFailure(metrics, 'smtp', startedAt);
      throw err;
    }
    const client = SmtpClient.fromTransport(t, m.exchanges.listener);
    try {
      recordConnect(metrics, 'smtp', t, startedAt);
      const first = !this.#seen.has(target.url);
      const hellos = (this.#hello ??= { ehloLine: this.#ehloLine, write: this.#write, greetingRead: this.#greetingRead, commandRead: this.#commandRead, greeting: m.greeting, ehlo: m.ehlo, now: () => ctx.now() });
      const { greeting, ehlo } = await hello(t, hellos, true, first);
      let caps = ehlo;
      if (!client.tls && config.starttls !== 'never') {
        if ((caps.extensions & EXT_STARTTLS) !== 0) {
          const res = await client.starttls();
          if (!res.tls) throw new RejectedReply('smtp.starttls', 'tls', describeReply(res.reply));
          caps = (await hello(t, hellos, false, first)).ehlo;
        } else if (config.starttls === 'required') {
          throw new MailprobeError('ESTARTTLS', `${target.url} does not offer STARTTLS (--starttls required)`);
        }
      }
      if (first) this.#seen.add(target.url, { greeting: greeting?.lines?.join(' ') ?? '', capabilities: caps.lines?.slice(1) ?? [] });
      if (user !== undefined) await login(client, user, (caps.extensions & EXT_AUTH) !== 0);
      return { client, pipelining: (caps.extensions & EXT_PIPELINING) !== 0 };
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  /**
   * End a sender's session: drop it when it owes the server a body (a promised message never
   * came), else QUIT unless it went out behind the last body, and close once 221 is read.
   * RFC 5321 §4.1.1.10 asks the client to wait for the QUIT reply, not for the server's close:
   * the socket is closed at once, which saves a shutdown, an end-of-stream read and a timer per
   * session (a run with a new connection per message pays them per message).
   */
  end(sender: SmtpSender, ctx: ScenarioContext): Promise<void> {
    const client = sender.client;
    if (sender.awaitingBody || sender.quitSent) {
      client.destroy();
      return ENDED;
    }
    return this.#quit(client.transport, ctx);
  }

  async #quit(t: Transport, ctx: ScenarioContext): Promise<void> {
    const at = ctx.now();
    try {
      await t.write(QUIT, this.#closeWrite);
      const read = readCode(t, this.#closeRead);
      const code = typeof read === 'number' ? read : await read;
      this.#m?.quit.record(at, ctx.now() - at, code === 221);
    } finally {
      t.destroy();
    }
  }
}

/** AUTH PLAIN (or LOGIN) as `user` (RFC 4954); the mechanisms come from the EHLO `AUTH` line. */
async function login(client: SmtpClient, user: BenchUser, authOffered: boolean): Promise<void> {
  // The lean EHLO keeps keywords only; the mechanisms are asked of the server by trying PLAIN.
  if (!authOffered) {
    throw new RejectedReply('smtp.auth', 'other', `no AUTH offered${client.tls ? '' : ' (before TLS)'} for ${user.user}`);
  }
  let reply = await client.auth('PLAIN', { user: user.user, password: secret(user.password) });
  // 504: PLAIN not supported (RFC 4954 §4): LOGIN is the other common one.
  if (reply.code === 504) reply = await client.auth('LOGIN', { user: user.user, password: secret(user.password) });
  if (reply.code !== 235) throw rejected('smtp.auth', reply);
}

export function rejected(metric: string, reply: SmtpReply): RejectedReply {
  return new RejectedReply(metric, smtpReplyClass(reply.code), describeReply(reply));
}

