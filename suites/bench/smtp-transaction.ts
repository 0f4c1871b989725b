/**
 * The SMTP hot path: one message per call on an open session, with every buffer built before
 * (message.ts) and no reply parsed beyond its code (smtp-wire.ts).
 *
 * With PIPELINING (RFC 2920) a message costs one write and one round trip: when the engine
 * promises another message on this session, the body goes out together with the next
 * envelope (`body ⟶ 250`, `MAIL ⟶ 250`, `RCPT ⟶ 250`, `DATA ⟶ 354`); the first message's
 * envelope goes alone. Each command's latency runs from the write of its group to its reply.
 * Without PIPELINING every command is written and answered on its own.
 */
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { resolveTimeouts, type Timeouts } from '../../drivers/timeouts.js';
import { writtenAtOnce, type ReadOptions, type Transport, type WriteOptions } from '../../drivers/transport.js';
import { RejectedReply, smtpReplyClass } from '../../engine/load/classify.js';
import type { Metric, MetricsRegistry } from '../../engine/load/metrics.js';
import type { ScenarioContext } from '../../engine/load/types.js';
import { SlotMessage, type MessageTemplate } from './message.js';
import { readCode } from './smtp-wire.js';

/** What every sender of a thread shares: metric handles and read/write options, made once. */
export class TransactionMetrics {
  readonly mail: Metric;
  readonly rcpt: Metric;
  readonly dataCmd: Metric;
  readonly data: Metric;
  readonly quit: Metric;
  readonly write: WriteOptions;
  readonly writeData: WriteOptions;
  readonly read: ReadOptions;
  readonly readData: ReadOptions;
  constructor(m: MetricsRegistry, timeouts: Partial<Timeouts>) {
    this.mail = m.metric('smtp.mail');
    this.rcpt = m.metric('smtp.rcpt');
    this.dataCmd = m.metric('smtp.data_cmd');
    this.data = m.metric('smtp.data');
    this.quit = m.metric('smtp.quit');
    const t = resolveTimeouts(timeouts);
    this.write = { display: false, phase: 'command', timeoutMs: t.commandMs };
    this.writeData = { display: false, phase: 'data', timeoutMs: t.dataMs };
    this.read = { record: false, phase: 'command', timeoutMs: t.commandMs };
    this.readData = { record: false, phase: 'data', timeoutMs: t.dataMs };
  }
}

export class SmtpSender {
  readonly client: SmtpClient;
  readonly #t: Transport;
  readonly #pipelining: boolean;
  readonly #m: TransactionMetrics;
  readonly #ctx: ScenarioContext;
  readonly message: SlotMessage;
  readonly #rcpts: number;
  /** The next envelope was sent and answered with 354: the server waits for a body. */
  #awaitingBody = false;
  /** A pipelined next envelope was refused: the next message fails with this. */
  #refused: RejectedReply | undefined;
  #quitSent = false;

  /**
   * `message` is the slot's own buffer (it outlives sessions, so Message-ID sequence numbers
   * keep counting); it is loaded with `template` here, once per session.
   */
  constructor(client: SmtpClient, pipelining: boolean, template: MessageTemplate, message: SlotMessage, m: TransactionMetrics, ctx: ScenarioContext) {
    this.client = client;
    this.#t = client.transport;
    this.#pipelining = pipelining;
    this.#m = m;
    this.#ctx = ctx;
    this.message = message;
    message.load(template);
    this.#rcpts = template.rcptEnds.length;
  }

  /** A body is owed to the server (only when a promised message never came: drop, do not QUIT). */
  get awaitingBody(): boolean {
    return this.#awaitingBody;
  }

  /** QUIT went out behind the session's last body and was answered: only the close is left. */
  get quitSent(): boolean {
    return this.#quitSent;
  }

  /**
   * Send one message. `more`: another message follows on this session at once (the envelope
   * is pipelined behind the body). Returns when the server accepted it; a refusal throws a
   * RejectedReply naming the command. `beforeBody` sees the message once its Message-ID is
   * set, before it is written (e2e registers the id there). `last`: the session ends after this
   * message, so with PIPELINING QUIT goes out behind the body (smtp.quit, timed from that write).
   */
  async send(more: () => boolean, beforeBody?: (message: SlotMessage) => void, last = false): Promise<void> {
    if (this.#refused) throw this.#refused;
    if (!this.#awaitingBody) await this.#envelope();
    const msg = this.message;
    msg.next();
    beforeBody?.(msg);
    const follow = this.#pipelining && more();
    const quit = !follow && last && this.#pipelining;
    const t = this.#t;
    const at = this.#ctx.now();
    const written = t.write(follow ? msg.bodyAndEnvelope : quit ? msg.bodyAndQuit() : msg.body, this.#m.writeData);
    if (!writtenAtOnce(written)) await written;
    this.#awaitingBody = false;
    const read = readCode(t, this.#m.readData);
    const code = typeof read === 'number' ? read : await read;
    const answeredAt = this.#ctx.now();
    this.#m.data.record(at, answeredAt - at, code >= 200 && code < 300);
    if (code < 200 || code >= 300) {
      if (follow || quit) t.destroy();
      throw new RejectedReply('smtp.data', smtpReplyClass(code), `end of data answered ${code}`);
    }
    if (quit) {
      const read = readCode(t, this.#m.read);
      const bye = typeof read === 'number' ? read : await read;
      this.#m.quit.record(at, this.#ctx.now() - at, bye === 221);
      this.#quitSent = true;
      return;
    }
    if (follow) {
      // This message is delivered; a refused next envelope fails the next message, not this one.
      const replies = this.#envelopeReplies(at, answeredAt);
      const refusal = replies instanceof Promise ? await replies : replies;
      if (refusal) this.#refused = refusal;
      else this.#awaitingBody = true;
    }
  }

  /** The envelope on its own: one group with PIPELINING, else command by command. */
  async #envelope(): Promise<void> {
    const t = this.#t;
    if (this.#pipelining) {
      const at = this.#ctx.now();
      const written = t.write(this.message.envelope, this.#m.write);
      if (!writtenAtOnce(written)) await written;
      const replies = this.#envelopeReplies(at, undefined);
      const refusal = replies instanceof Promise ? await replies : replies;
      if (refusal) throw refusal;
    } else {
      const cmds = this.message.commands;
      for (let i = 0; i < cmds.length; i++) {
        const at = this.#ctx.now();
        await t.write(cmds[i]!, this.#m.write);
        const code = await readCode(t, this.#m.read);
        const refusal = this.#check(i, code, at, this.#ctx.now());
        if (refusal) throw refusal;
      }
    }
    this.#awaitingBody = true;
  }

  /**
   * Read MAIL, RCPT…, DATA replies of a group written at `at`; the first refusal, if any.
   * Replies already buffered are taken at once, without a promise, and share one clock
   * reading (they arrived together: `readAt`, when the caller just read the clock, else now);
   * a promise only when one has to be waited for.
   */
  #envelopeReplies(at: number, readAt: number | undefined): RejectedReply | undefined | Promise<RejectedReply | undefined> {
    let refusal: RejectedReply | undefined;
    const n = this.#rcpts + 2;
    let now = readAt;
    for (let i = 0; i < n; i++) {
      const read = readCode(this.#t, this.#m.read);
      if (typeof read !== 'number') return this.#envelopeRepliesAfter(at, i, read, refusal);
      now ??= this.#ctx.now();
      refusal ??= this.#check(i, read, at, now);
    }
    return refusal;
  }

  /** The rest of #envelopeReplies from reply `i`, whose code is still on its way. */
  async #envelopeRepliesAfter(at: number, i: number, pending: Promise<number>, refusal: RejectedReply | undefined): Promise<RejectedReply | undefined> {
    let now = 0;
    const n = this.#rcpts + 2;
    for (let j = i; j < n; j++) {
      const read = j === i ? pending : readCode(this.#t, this.#m.read);
      let code: number;
      if (typeof read === 'number') code = read;
      else {
        code = await read;
        now = this.#ctx.now();
      }
      refusal ??= this.#check(j, code, at, now);
    }
    return refusal;
  }

  /** Record reply `i` of an envelope (0 MAIL, 1..n RCPT, last DATA), read at `now`; a RejectedReply if refused. */
  #check(i: number, code: number, at: number, now: number): RejectedReply | undefined {
    const ms = now - at;
    const last = this.#rcpts + 1;
    const metric = i === 0 ? this.#m.mail : i === last ? this.#m.dataCmd : this.#m.rcpt;
    const ok = i === last ? code === 354 : code >= 200 && code < 300;
    metric.record(at, ms, ok);
    if (ok) return undefined;
    return new RejectedReply(metric.name, smtpReplyClass(code), `${i === 0 ? 'MAIL FROM' : i === last ? 'DATA' : 'RCPT TO'} answered ${code}`);
  }
}
