/**
 * The IMAP command engine over one Transport: greeting, tags, writing commands (with literal
 * continuations), collecting untagged responses until the tagged completion, pipelining, and
 * raw access for probes. Command families (commands/*.ts) are plain functions over it.
 *
 * Mechanism, not policy (DESIGN.md): anything can be sent in any state; NO and BAD come back as
 * data; only transport and framing failures throw (ECLOSED, ETIMEDOUT, EPROTOCOL, ELIMIT, …).
 */
import type { TlsFacts } from '../tls/tls-facts.js';
import { MailprobeError, isMailprobeError, type Phase } from '../errors.js';
import type { ExchangeListener } from '../exchange.js';
import { limitError } from '../limits.js';
import { Secret, REDACTED } from '../redact.js';
import { renderWireText } from '../transcript.js';
import { Transport, type TransportOptions } from '../transport.js';
import { encodeCommand, type CommandArg, type EncodedCommand, type EncodedSegment, type LiteralSupport } from './command-encoder.js';
import { attributeUntagged, type InFlight } from './attribution.js';
import { ASTERISK } from './bytes.js';
import { ResponseFramer } from './framer.js';
import { metricName } from './metrics.js';
import { parseResponse } from './response.js';
import type {
  ConditionResponse,
  ContinuationResponse,
  ImapResponse,
  TaggedResponse,
  TaggedStatus,
  UntaggedResponse,
} from './response-types.js';
import { SessionObserver, type ImapState } from './state.js';
import type { ResponseCode } from './tokens.js';

export interface ImapConnectOptions extends TransportOptions {
  /** Called after the greeting and after every command (drivers/exchange.ts), for metrics. */
  onExchange?: ExchangeListener;
  /**
   * Non-synchronising literals (RFC 7888) for `auto` literals: when the server advertises
   * LITERAL+/LITERAL- (default), always, or never.
   */
  literalPlus?: 'auto' | 'always' | 'never';
}

/** How one command went on the wire, in the clock of the transport (milliseconds). */
export interface CommandTiming {
  /** When the first byte of the command was handed to the socket. */
  readonly startedAt: number;
  /** From startedAt to the first byte of the answer. */
  readonly firstByteMs: number;
  /** From startedAt to the tagged completion. */
  readonly totalMs: number;
  readonly bytesOut: number;
  /** Bytes of the responses attributed to this command. */
  readonly bytesIn: number;
}

/** A command's outcome: its completion, the untagged data it collected, and its timing. */
export interface CommandResult {
  readonly tag: string;
  /** Upper-cased verb(s): `LOGIN`, `UID FETCH`. */
  readonly name: string;
  /** The command as the transcript shows it (secrets as `***`), without the tag. */
  readonly display: string;
  readonly status: TaggedStatus;
  readonly code: ResponseCode | undefined;
  readonly text: string;
  readonly tagged: TaggedResponse;
  readonly untagged: UntaggedResponse[];
  /** Continuation requests seen (literal go-aheads, SASL challenges). */
  readonly continuations: ContinuationResponse[];
  readonly timing: CommandTiming;
}

/** The reply to a continuation request that is not a literal go-ahead; CRLF is added. */
export type ContinuationReply = string | Uint8Array | Secret;
export type ContinuationHandler = (request: ContinuationResponse) => ContinuationReply | Promise<ContinuationReply>;

export interface CommandOptions {
  /**
   * Budget for the whole command, from its write to its tagged completion, literal go-aheads
   * and continuation replies included (default timeouts.commandMs).
   */
  timeoutMs?: number;
  phase?: Phase;
  /** Force every literal of this command to `{n}` or `{n+}`. */
  literalMode?: 'sync' | 'nonsync';
  /** Answers continuation requests other than literal go-aheads (AUTHENTICATE). */
  onContinuation?: ContinuationHandler;
  /**
   * Continuation requests `onContinuation` answers before the command is given up with
   * EPROTOCOL (default MAX_CONTINUATIONS): a server that answers every line with `+` would
   * otherwise hold the command forever.
   */
  maxContinuations?: number;
  /**
   * Show every continuation reply as `***` whatever its type (AUTHENTICATE: SASL responses are
   * credentials). An empty reply and the `*` cancel are still shown.
   */
  redactContinuations?: boolean;
}

/** Default cap on continuation requests answered by `onContinuation` within one command. */
export const MAX_CONTINUATIONS = 16;

export interface PipelinedCommand {
  readonly name: string;
  readonly args?: readonly CommandArg[];
}

export interface ReadResponseOptions {
  /** For one response; for `pipeline`, the budget of the whole batch (default timeouts.commandMs). */
  timeoutMs?: number;
  phase?: Phase;
}

export class ImapConnection {
  readonly transport: Transport;
  readonly #observer = new SessionObserver();
  readonly #framer: ResponseFramer;
  readonly #onExchange: ExchangeListener | undefined;
  readonly #literalPlus: 'auto' | 'always' | 'never';
  #greeting: ConditionResponse | undefined;
  #tags = 0;
  #reading = false;

  protected constructor(transport: Transport, options: ImapConnectOptions) {
    this.transport = transport;
    this.#framer = new ResponseFramer(transport.limits);
    this.#onExchange = options.onExchange;
    this.#literalPlus = options.literalPlus ?? 'auto';
  }

  /** Connect and read the greeting; `make` builds the (sub)class around the transport. */
  protected static async open<T extends ImapConnection>(options: ImapConnectOptions, make: (t: Transport) => T): Promise<T> {
    const transport = await Transport.connect(options);
    const conn = make(transport);
    try {
      await conn.#readGreeting();
    } catch (err) {
      transport.destroy();
      throw err;
    }
    return conn;
  }

  /** The greeting (`* OK`, `* PREAUTH` or `* BYE`), returned as data (RFC 9051 §7.1). */
  get greeting(): ConditionResponse {
    if (this.#greeting === undefined) throw new Error('no greeting read yet');
    return this.#greeting;
  }

  /** TLS facts once TLS is up (imaps, or after STARTTLS). */
  get tls(): TlsFacts | undefined {
    return this.transport.tls;
  }

  /** The session state as observed; 'closed' once the connection is gone. */
  get state(): ImapState {
    return this.transport.closed ? 'closed' : this.#observer.state;
  }

  /** Upper-cased capabilities last seen; undefined when unknown (after STARTTLS or login). */
  get capabilities(): ReadonlySet<string> | undefined {
    return this.#observer.capabilities;
  }

  /** Extensions turned on by ENABLE (RFC 5161). */
  get enabled(): ReadonlySet<string> {
    return this.#observer.enabled;
  }

  hasCapability(name: string): boolean {
    return this.#observer.capabilities?.has(name.toUpperCase()) ?? false;
  }

  /** The next tag: A1, A2, … */
  nextTag(): string {
    this.#tags++;
    return `A${this.#tags}`;
  }

  /** Run one command to its tagged completion. */
  async command(name: string, args: readonly CommandArg[] = [], options: CommandOptions = {}): Promise<CommandResult> {
    const encoded = encodeCommand(this.nextTag(), name, args, this.#literalSupport(), options.literalMode);
    return this.run(encoded, options);
  }

  /**
   * Run an encoded command (commands/*.ts use this for commands they built themselves). One
   * budget covers the command from its write to its completion. A failure before the tagged
   * completion gives the connection up: the server still owes that completion (or waits for a
   * continuation line), so whatever it sends next would be taken for a later command's answer.
   */
  async run(encoded: EncodedCommand, options: CommandOptions = {}): Promise<CommandResult> {
    const t = this.transport;
    const phase = options.phase ?? 'command';
    const maxContinuations = options.maxContinuations ?? MAX_CONTINUATIONS;
    let segment = 0;
    let answered = 0;
    let cmd: InFlightCommand;
    let tagged: TaggedResponse;
    try {
      cmd = await this.begin(encoded, { timeoutMs: options.timeoutMs ?? t.timeouts.commandMs, phase });
      for (;;) {
        const r = await this.readFor(cmd, { phase });
        cmd.received(r, t);
        if (r.kind === 'tagged') {
          if (r.tag !== encoded.tag) throw protocolError(`tagged response for "${r.tag}" while waiting for "${encoded.tag}"`, r);
          tagged = r;
          break;
        }
        if (r.kind !== 'continuation') {
          this.collect(cmd, r);
          continue;
        }
        const current = encoded.segments[segment]!;
        if (current.awaitContinuation) {
          segment++;
          await this.#write(encoded.segments[segment]!, this.#left(cmd, phase), phase);
        } else if (options.onContinuation) {
          if (answered >= maxContinuations) throw protocolError(`more than ${maxContinuations} continuation requests for one command`, r);
          answered++;
          const reply = await options.onContinuation(r);
          const display = continuationDisplay(reply, options.redactContinuations ?? false);
          await this.sendRaw(continuationBytes(reply), { display, timeoutMs: this.#left(cmd, phase), phase });
        } else throw protocolError('continuation request the command did not ask for', r);
      }
    } catch (err) {
      t.destroy();
      throw withCommand(err, encoded.display, t);
    }
    return this.complete(cmd, tagged);
  }

  /**
   * Low-level: write the first segment of a command and return its collector. The caller reads
   * responses (`readResponse`), feeds them to it, and calls `complete` on the tagged one
   * (IDLE does this: it stays in the command while the server pushes data).
   */
  async begin(encoded: EncodedCommand, options: ReadResponseOptions = {}): Promise<InFlightCommand> {
    const t = this.transport;
    const budgetMs = options.timeoutMs ?? t.timeouts.commandMs;
    const cmd = new InFlightCommand(encoded, t.now(), t.bytesOut, budgetMs);
    await this.#write(encoded.segments[0]!, budgetMs, options.phase ?? 'command');
    return cmd;
  }

  /**
   * Low-level: the next response, read within what is left of `cmd`'s budget (one deadline per
   * command, set when it was written: a server dripping untagged data just under the deadline
   * cannot stretch it). On expiry, ETIMEDOUT names the command (`what`) and its whole budget.
   * The response is not fed to `cmd`: the caller decides whose it is.
   */
  async readFor(cmd: InFlightCommand, options: { phase?: Phase; what?: string } = {}): Promise<ImapResponse> {
    const phase = options.phase ?? 'command';
    const timeoutMs = this.#left(cmd, phase, options.what);
    try {
      return await this.readResponse({ timeoutMs, phase });
    } catch (err) {
      if (isMailprobeError(err, 'ETIMEDOUT')) throw budgetExpired(this.transport, cmd, options.what ?? `${cmd.encoded.tag} ${cmd.encoded.name}`, phase, err);
      throw err;
    }
  }

  /** Low-level: keep an untagged response for `cmd`, within limits.maxUntagged. */
  collect(cmd: InFlightCommand, r: UntaggedResponse): void {
    if (cmd.untagged.length >= this.transport.limits.maxUntagged) {
      // What follows would be attributed to the wrong command: give the connection up.
      this.transport.destroy();
      throw limitError('maxUntagged', this.transport.limits.maxUntagged, cmd.untagged.length + 1, { transcript: this.transport.snapshot(30) });
    }
    cmd.untagged.push(r);
  }

  /** Low-level: the tagged completion of `cmd` arrived; record what it implies and build the result. */
  complete(cmd: InFlightCommand, tagged: TaggedResponse, bytesOut = this.transport.bytesOut - cmd.bytesOutBefore): CommandResult {
    this.#observer.completed(cmd.encoded.name, tagged.status, tagged.code?.name === 'CAPABILITY');
    const t = this.transport;
    const totalMs = t.now() - cmd.startedAt;
    const result: CommandResult = {
      tag: cmd.encoded.tag,
      name: cmd.encoded.name,
      display: cmd.encoded.display,
      status: tagged.status,
      code: tagged.code,
      text: tagged.text,
      tagged,
      untagged: cmd.untagged,
      continuations: cmd.continuations,
      timing: {
        startedAt: cmd.startedAt,
        firstByteMs: (cmd.firstByteAt ?? t.now()) - cmd.startedAt,
        totalMs,
        bytesOut,
        bytesIn: cmd.bytesIn,
      },
    };
    this.#onExchange?.({ name: metricName(result.name), command: result.display, ...result.timing, ok: result.status === 'OK' });
    return result;
  }

  /**
   * Write several commands in one write and collect each one's completion by tag (RFC 9051
   * §5.5). Literals cannot wait for `+` here: `auto` literals go as `{n+}` when the server
   * allows it and as `{n}` without waiting otherwise (the server's `+` is then recorded).
   * Servers may complete pipelined commands out of order; untagged data is attributed by
   * attribution.ts (the oldest command that could have caused it).
   */
  async pipeline(commands: readonly PipelinedCommand[], options: ReadResponseOptions = {}): Promise<CommandResult[]> {
    const t = this.transport;
    const phase = options.phase ?? 'command';
    const budgetMs = options.timeoutMs ?? t.timeouts.commandMs;
    const support = this.#literalSupport();
    const encoded = commands.map((c) => encodeCommand(this.nextTag(), c.name, c.args ?? [], support, support.literalPlus ? 'nonsync' : undefined));
    const startedAt = t.now();
    // Written together, so one deadline for all of them.
    const cmds = encoded.map((e) => new InFlightCommand(e, startedAt, t.bytesOut, budgetMs));
    const wire = Buffer.concat(encoded.flatMap((e) => e.segments.map((s) => s.wire)));
    const display = encoded.flatMap((e) => e.segments.flatMap((s) => s.display));
    const what = encoded.map((e) => `${e.tag} ${e.name}`).join(', ');
    const results: (CommandResult | undefined)[] = encoded.map(() => undefined);
    // Go-aheads each command's `{n}` literals may still draw; any other `+` is a protocol error.
    const goAheads = encoded.map((e) => e.segments.length - 1);
    let pending = encoded.length;
    try {
      await t.write(wire, { display: display.length > 0 ? display : false, timeoutMs: budgetMs, phase });
      const inFlight = encoded.map((e): InFlight | undefined => e);
      while (pending > 0) {
        const r = await this.readFor(cmds[0]!, { phase, what });
        if (r.kind === 'tagged') {
          const i = encoded.findIndex((e, j) => e.tag === r.tag && results[j] === undefined);
          if (i === -1) throw protocolError(`tagged response for "${r.tag}", which is not a pipelined command in flight`, r);
          cmds[i]!.received(r, t);
          inFlight[i] = undefined;
          pending--;
          results[i] = this.complete(cmds[i]!, r, encoded[i]!.bytes);
        } else if (r.kind === 'continuation') {
          // A go-ahead for a `{n}` written without waiting: the oldest command still owed one, as servers read in order.
          const i = goAheads.findIndex((n, j) => n > 0 && inFlight[j] !== undefined);
          if (i === -1) throw protocolError('continuation request no pipelined literal is waiting for', r);
          goAheads[i]!--;
          cmds[i]!.received(r, t);
        } else {
          const cmd = cmds[attributeUntagged(r, inFlight)]!;
          cmd.received(r, t);
          this.collect(cmd, r);
        }
      }
    } catch (err) {
      // Completions still owed would be read as answers to later commands.
      if (pending > 0) t.destroy();
      throw withCommand(err, encoded.map((e) => e.display).join(' / '), t);
    }
    return results as CommandResult[];
  }

  /** Send bytes exactly as given (no tag, no CRLF added). `display` replaces them in the transcript. */
  async sendRaw(bytes: string | Uint8Array, options: { display?: string | readonly string[] | false; timeoutMs?: number; phase?: Phase } = {}): Promise<void> {
    await this.transport.write(bytes, options);
  }

  /** Read the next complete response (line plus literals), parsed and observed. */
  async readResponse(options: ReadResponseOptions = {}): Promise<ImapResponse> {
    const raw = await this.readResponseBytes(options);
    const limits = this.transport.limits;
    let response: ImapResponse;
    try {
      response = parseResponse(raw, { maxNesting: limits.maxNesting, maxLiteralBytes: limits.maxLiteralBytes });
    } catch (err) {
      if (err instanceof MailprobeError) throw err.withContext({ phase: options.phase ?? 'command', transcript: this.transport.snapshot(30) });
      throw err;
    }
    this.#observer.response(response);
    return response;
  }

  /**
   * Read the next complete response as bytes, unparsed. One deadline covers all its lines and
   * literals, so a server cannot stretch a response by dripping it.
   */
  async readResponseBytes(options: ReadResponseOptions = {}): Promise<Buffer> {
    const t = this.transport;
    const phase = options.phase ?? 'command';
    const deadline = t.now() + (options.timeoutMs ?? t.timeouts.commandMs);
    const framer = this.#framer;
    // One reader at a time: a second one would interleave with the framer's partial response.
    if (this.#reading) throw new Error('readResponse() while another response is being read (one reader at a time)');
    this.#reading = true;
    try {
      // One options object for every read of the response; its budget is what is left.
      const read: { timeoutMs: number; phase: Phase } = { timeoutMs: Math.max(1, deadline - t.now()), phase };
      let step = framer.line(await t.readLine(read));
      while (step.kind !== 'response') {
        read.timeoutMs = Math.max(1, deadline - t.now());
        step = step.kind === 'literal' ? framer.literal(await t.readBytes(step.size, read)) : framer.line(await t.readLine(read));
      }
      return step.bytes;
    } catch (err) {
      const partial = framer.bytes > 0;
      framer.reset();
      if (err instanceof MailprobeError && (err.code === 'ELIMIT' || partial)) {
        // A literal was announced but not (fully) read, or a response was cut off half way:
        // nothing after it can be framed, so the connection is given up.
        t.destroy();
        throw err.withContext({ phase, transcript: t.snapshot(30) });
      }
      throw err;
    } finally {
      this.#reading = false;
    }
  }

  /** Close the connection (politely: our FIN, then wait closeMs). Never throws. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  destroy(): void {
    this.transport.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** For commands that act on the observed state (STARTTLS drops capabilities). */
  protected get observer(): SessionObserver {
    return this.#observer;
  }

  // ---- internals ----

  async #readGreeting(): Promise<void> {
    const t = this.transport;
    const startedAt = t.now();
    const r = await this.readResponse({ timeoutMs: t.timeouts.greetingMs, phase: 'greeting' });
    if (r.kind !== 'condition') {
      throw protocolError(`expected a greeting (* OK, * PREAUTH or * BYE), got a ${r.kind} response`, r).withContext({
        phase: 'greeting',
        transcript: t.snapshot(30),
      });
    }
    this.#greeting = r;
    this.#observer.greeting(r.status);
    const totalMs = t.now() - startedAt;
    this.#onExchange?.({
      name: 'imap.greeting',
      command: '(greeting)',
      startedAt,
      firstByteMs: totalMs,
      totalMs,
      bytesOut: 0,
      bytesIn: r.raw.length,
      ok: r.status === 'OK' || r.status === 'PREAUTH',
    });
  }

  /** What is left of `cmd`'s budget; ETIMEDOUT once it is spent. */
  #left(cmd: InFlightCommand, phase: Phase, what?: string): number {
    const left = Math.ceil(cmd.deadline - this.transport.now());
    if (left <= 0) throw budgetExpired(this.transport, cmd, what ?? `${cmd.encoded.tag} ${cmd.encoded.name}`, phase, undefined);
    return left;
  }

  async #write(segment: EncodedSegment, timeoutMs: number, phase: Phase): Promise<void> {
    await this.transport.write(segment.wire, { display: segment.display.length > 0 ? segment.display : false, timeoutMs, phase });
  }

  #literalSupport(): LiteralSupport {
    if (this.#literalPlus === 'always') return { literalPlus: true, literalMinus: true };
    if (this.#literalPlus === 'never') return { literalPlus: false, literalMinus: false };
    return { literalPlus: this.hasCapability('LITERAL+'), literalMinus: this.hasCapability('LITERAL-') };
  }
}

/**
 * What one in-flight command has collected so far. Low-level: `ImapConnection.begin()` makes
 * one, the caller feeds it responses, `ImapConnection.complete()` turns it into a result.
 */
export class InFlightCommand {
  readonly untagged: UntaggedResponse[] = [];
  readonly continuations: ContinuationResponse[] = [];
  bytesIn = 0;
  firstByteAt: number | undefined;
  /** When the command's budget runs out (transport clock): every read and write of it shares one deadline. */
  readonly deadline: number;

  constructor(
    readonly encoded: EncodedCommand,
    readonly startedAt: number,
    readonly bytesOutBefore: number,
    /** From startedAt (the write) to the tagged completion. */
    readonly budgetMs: number,
  ) {
    this.deadline = startedAt + budgetMs;
  }

  /**
   * Count a response as this command's. What one command collects, all responses together
   * (an IDLE's pushed data included), is capped by limits.maxReplyBytes: over it, ELIMIT and
   * the connection is given up, since the rest of the command's data is still on its way.
   */
  received(r: ImapResponse, t: Transport): void {
    // firstByteAt is reset by every write; the first response is read before any later write.
    if (this.firstByteAt === undefined) this.firstByteAt = t.firstByteAt ?? t.now();
    this.bytesIn += r.raw.length;
    const max = t.limits.maxReplyBytes;
    if (this.bytesIn > max) {
      t.destroy();
      throw limitError('maxReplyBytes', max, this.bytesIn, { transcript: t.snapshot(30), detail: { scope: 'command' } });
    }
    if (r.kind === 'continuation') this.continuations.push(r);
  }
}

function continuationBytes(reply: ContinuationReply): Buffer {
  const raw = reply instanceof Secret ? reply.reveal() : reply;
  const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return Buffer.concat([body, Buffer.from('\r\n')]);
}

function continuationDisplay(reply: ContinuationReply, redact: boolean): string {
  if (reply instanceof Secret) return REDACTED;
  const bytes = typeof reply === 'string' ? Buffer.from(reply, 'utf8') : reply;
  // An empty response and the `*` cancel (RFC 9051 §6.2.2) carry nothing secret.
  const harmless = bytes.length === 0 || (bytes.length === 1 && bytes[0] === ASTERISK);
  return redact && !harmless ? REDACTED : renderWireText(bytes);
}

/** ETIMEDOUT for a command whose whole budget is spent, whichever read or write hit it. */
function budgetExpired(t: Transport, cmd: InFlightCommand, what: string, phase: Phase, cause: MailprobeError | undefined): MailprobeError {
  return new MailprobeError(
    'ETIMEDOUT',
    `no completion of ${what} within ${cmd.budgetMs} ms`,
    { ...(cause?.context ?? {}), phase, elapsedMs: Math.round(t.now() - cmd.startedAt), transcript: t.snapshot(30) },
    cause === undefined ? {} : { cause },
  );
}

function protocolError(what: string, r: ImapResponse): MailprobeError {
  return new MailprobeError('EPROTOCOL', `IMAP: ${what}`, { response: renderWireText(r.raw.subarray(0, 300)) });
}

function withCommand(err: unknown, display: string, t: Transport): unknown {
  return err instanceof MailprobeError ? err.withContext({ command: display, phase: 'command', transcript: t.snapshot(30) }) : err;
}
