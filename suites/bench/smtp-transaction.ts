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
import type { ReadOptions, Transport, WriteOptions } from '../../drivers/transport.js';
import { RejectedReply, smtpReplyClass } from '../../engine/load/classify.js';
import type { Metric, MetricsRegistry } from '../../engine/load/metrics.js';
import type { ScenarioContext } from '../../engine/load/types.js';
import { SlotMessage, type MessageTemplate } from './message.js';
import { ReplyPump, type ReplySink } from './smtp-reply-pump.js';
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

/** Where a pipelined message is (the reply the sender waits for next). */
const enum Stage {
  Idle,
  /** MAIL, RCPT…, DATA replies of an envelope sent on its own. */
  Envelope,
  /** The end-of-data reply. */
  Data,
  /** The QUIT reply behind it (the session's last message). */
  Quit,
  /** The next message's envelope replies, behind this body. */
  NextEnvelope,
}

/**
 * Sends messages on one session. With PIPELINING a message runs as a small state machine fed
 * by a ReplyPump (smtp-reply-pump.ts): one promise per message, none per reply. Without it,
 * command by command with awaits (one round trip per command dwarfs them).
 */
export class SmtpSender implements ReplySink {
  readonly client: SmtpClient;
  readonly #t: Transport;
  readonly #pipelining: boolean;
  readonly #m: TransactionMetrics;
  readonly #ctx: ScenarioContext;
  readonly message: SlotMessage;
  readonly #rcpts: number;
  readonly #pump: ReplyPump;
  /** The next envelope was sent and answered with 354: the server waits for a body. */
  #awaitingBody = false;
  /** A pipelined next envelope was refused: the next message fails with this. */
  #refused: RejectedReply | undefined;
  #quitSent = false;
  // The message in flight (pipelined).
  #stage = Stage.Idle;
  /** The envelope reply expected next (0 MAIL, 1..n RCPT, n+1 DATA). */
  #reply = 0;
  #refusal: RejectedReply | undefined;
  /** When the group being answered was written. */
  #at = 0;
  #follow = false;
  #more: () => boolean = NEVER;
  #beforeBody: ((message: SlotMessage) => void) | undefined;
  #last = false;
  #resolve: (() => void) | undefined;
  #reject: ((err: unknown) => void) | undefined;

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
    this.#pump = new ReplyPump(this.#t, this);
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
  send(more: () => boolean, beforeBody?: (message: SlotMessage) => void, last = false): Promise<void> {
    if (this.#refused) return Promise.reject(this.#refused);
    if (!this.#pipelining) return this.#sendStepwise(beforeBody);
    if (this.#stage !== Stage.Idle) return Promise.reject(new Error('a message is already being sent on this session'));
    return new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#more = more;
      this.#beforeBody = beforeBody;
      this.#last = last;
      if (this.#awaitingBody) this.#body();
      else this.#envelope(Stage.Envelope);
    });
  }

  /** ReplySink: the next reply of the message in flight; whether to read on at once. */
  reply(code: number): boolean {
    const now = this.#ctx.now();
    const at = this.#at;
    switch (this.#stage) {
      case Stage.Envelope:
      case Stage.NextEnvelope: {
        this.#refusal ??= this.#check(this.#reply, code, at, now);
        if (++this.#reply < this.#rcpts + 2) return true;
        const refusal = this.#refusal;
        if (this.#stage === Stage.NextEnvelope) {
          // This message is delivered; a refused next envelope fails the next message, not this one.
          if (refusal) this.#refused = refusal;
          else this.#awaitingBody = true;
          this.#done(undefined);
        } else if (refusal) this.#done(refusal);
        else {
          this.#awaitingBody = true;
          this.#body();
        }
        return false;
      }
      case Stage.Data: {
        const ok = code >= 200 && code < 300;
        this.#m.data.record(at, now - at, ok);
        if (!ok) {
          // Something already follows the body on the wire: the session cannot go on.
          if (this.#follow || this.#last) this.#t.destroy();
          this.#done(new RejectedReply('smtp.data', smtpReplyClass(code), `end of data answered ${code}`));
        } else if (this.#follow) this.#envelope(Stage.NextEnvelope);
        else if (this.#last) {
          this.#stage = Stage.Quit;
          this.#pump.read(this.#m.read);
        } else this.#done(undefined);
        return false;
      }
      case Stage.Quit:
        this.#m.quit.record(at, now - at, code === 221);
        this.#quitSent = true;
        this.#done(undefined);
        return false;
      default:
        return false;
    }
  }

  /** ReplySink: the read failed; the message fails with it. */
  failed(err: unknown): void {
    this.#done(err);
  }

  /**
   * Read the envelope's replies: written here on its own (Envelope), or already on the wire
   * behind the last body (NextEnvelope, timed from that write).
   */
  #envelope(stage: Stage.Envelope | Stage.NextEnvelope): void {
    this.#stage = stage;
    this.#reply = 0;
    this.#refusal = undefined;
    if (stage === Stage.Envelope) {
      this.#at = this.#ctx.now();
      this.#pump.send(this.message.envelope, this.#m.write);
    }
    this.#pump.read(this.#m.read);
  }

  /** The body, with the next envelope or QUIT behind it when that is what comes next. */
  #body(): void {
    const msg = this.message;
    let follow: boolean;
    try {
      msg.next();
      this.#beforeBody?.(msg);
      follow = this.#more();
    } catch (err) {
      this.#done(err);
      return;
    }
    this.#follow = follow;
    // Only a session's last message says QUIT behind its body (`last` and nothing follows).
    this.#last &&= !follow;
    this.#stage = Stage.Data;
    this.#at = this.#ctx.now();
    this.#pump.send(follow ? msg.bodyAndEnvelope : this.#last ? msg.bodyAndQuit() : msg.body, this.#m.writeData);
    this.#awaitingBody = false;
    this.#pump.read(this.#m.readData);
  }

  /** Settle the message in flight: `err` undefined means it was accepted. */
  #done(err: unknown): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#stage = Stage.Idle;
    this.#resolve = undefined;
    this.#reject = undefined;
    this.#beforeBody = undefined;
    this.#more = NEVER;
    if (err === undefined) resolve?.();
    else reject?.(err);
  }

  /** Without PIPELINING: each command written and answered on its own, then the body. */
  async #sendStepwise(beforeBody: ((message: SlotMessage) => void) | undefined): Promise<void> {
    const t = this.#t;
    if (!this.#awaitingBody) {
      const cmds = this.message.commands;
      for (let i = 0; i < cmds.length; i++) {
        const at = this.#ctx.now();
        await t.write(cmds[i]!, this.#m.write);
        const code = await readCode(t, this.#m.read);
        const refusal = this.#check(i, code, at, this.#ctx.now());
        if (refusal) throw refusal;
      }
      this.#awaitingBody = true;
    }
    const msg = this.message;
    msg.next();
    beforeBody?.(msg);
    const at = this.#ctx.now();
    await t.write(msg.body, this.#m.writeData);
    this.#awaitingBody = false;
    const code = await readCode(t, this.#m.readData);
    const ok = code >= 200 && code < 300;
    this.#m.data.record(at, this.#ctx.now() - at, ok);
    if (!ok) throw new RejectedReply('smtp.data', smtpReplyClass(code), `end of data answered ${code}`);
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

const NEVER = (): boolean => false;
