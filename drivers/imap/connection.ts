/**
 * The IMAP command engine over one Transport: greeting, tags, writing commands (with literal
 * continuations), collecting untagged responses until the tagged completion, pipelining, and
 * raw access for probes. Command families (commands/*.ts) are plain functions over it.
 *
 * Mechanism, not policy (DESIGN.md): anything can be sent in any state; NO and BAD come back as
 * data; only transport and framing failures throw (ECLOSED, ETIMEDOUT, EPROTOCOL, ELIMIT, …).
 */
import type { TlsFacts } from '../tls/tls-facts.js';
import { MailprobeError, type Phase } from '../errors.js';
import type { ExchangeListener } from '../exchange.js';
import { limitError } from '../limits.js';
import { Secret, REDACTED } from '../redact.js';
import { renderWireText } from '../transcript.js';
import { Transport, type TransportOptions } from '../transport.js';
import { encodeCommand, type CommandArg, type EncodedCommand, type EncodedSegment, type LiteralSupport } from './command-encoder.js';
import { attributeUntagged, type InFlight } from './attribution.js';
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
  /** Deadline for each response (default timeouts.commandMs). */
  timeoutMs?: number;
  phase?: Phase;
  /** Force every literal of this command to `{n}` or `{n+}`. */
  literalMode?: 'sync' | 'nonsync';
  /** Answers continuation requests other than literal go-aheads (AUTHENTICATE). */
  onContinuation?: ContinuationHandler;
}

export interface PipelinedCommand {
  readonly name: string;
  readonly args?: readonly CommandArg[];
}

export interface ReadResponseOptions {
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

  /** Run an encoded command (commands/*.ts use this for commands they built themselves). */
  async run(encoded: EncodedCommand, options: CommandOptions = {}): Promise<CommandResult> {
    const phase = options.phase ?? 'command';
    const timeoutMs = options.timeoutMs ?? this.transport.timeouts.commandMs;
    let segment = 0;
    try {
      const cmd = await this.begin(encoded, { timeoutMs, phase });
      for (;;) {
        const r = await this.readResponse({ timeoutMs, phase });
        cmd.received(r, this.transport);
        if (r.kind === 'tagged') {
          if (r.tag !== encoded.tag) throw protocolError(`tagged response for "${r.tag}" while waiting for "${encoded.tag}"`, r);
          return this.complete(cmd, r);
        }
        if (r.kind !== 'continuation') {
          this.collect(cmd, r);
          continue;
        }
        const current = encoded.segments[segment]!;
        if (current.awaitContinuation) {
          segment++;
          await this.#write(encoded.segments[segment]!, timeoutMs, phase);
        } else if (options.onContinuation) {
          const reply = await options.onContinuation(r);
          await this.sendRaw(continuationBytes(reply), { display: continuationDisplay(reply), timeoutMs, phase });
        } else throw protocolError('continuation request the command did not ask for', r);
      }
    } catch (err) {
      throw withCommand(err, encoded.display, this.transport);
    }
  }

  /**
   * Low-level: write the first segment of a command and return its collector. The caller reads
   * responses (`readResponse`), feeds them to it, and calls `complete` on the tagged one
   * (IDLE does this: it stays in the command while the server pushes data).
   */
  async begin(encoded: EncodedCommand, options: ReadResponseOptions = {}): Promise<InFlightCommand> {
    const cmd = new InFlightCommand(encoded, this.transport.now(), this.transport.bytesOut);
    await this.#write(encoded.segments[0]!, options.timeoutMs ?? this.transport.timeouts.commandMs, options.phase ?? 'command');
    return cmd;
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
    const timeoutMs = options.timeoutMs ?? t.timeouts.commandMs;
    const support = this.#literalSupport();
    const encoded = commands.map((c) => encodeCommand(this.nextTag(), c.name, c.args ?? [], support, support.literalPlus ? 'nonsync' : undefined));
    const startedAt = t.now();
    const cmds = encoded.map((e) => new InFlightCommand(e, startedAt, t.bytesOut));
    const wire = Buffer.concat(encoded.flatMap((e) => e.segments.map((s) => s.wire)));
    const display = encoded.flatMap((e) => e.segments.flatMap((s) => s.display));
    const results: (CommandResult | undefined)[] = encoded.map(() => undefined);
    let pending = encoded.length;
    try {
      await t.write(wire, { display: display.length > 0 ? display : false, timeoutMs, phase });
      const inFlight = encoded.map((e): InFlight | undefined => e);
      while (pending > 0) {
        const r = await this.readResponse({ timeoutMs, phase });
        if (r.kind === 'tagged') {
          const i = encoded.findIndex((e, j) => e.tag === r.tag && results[j] === undefined);
          if (i === -1) throw protocolError(`tagged response for "${r.tag}", which is not a pipelined command in flight`, r);
          cmds[i]!.received(r, t);
          results[i] = this.complete(cmds[i]!, r, encoded[i]!.bytes);
          inFlight[i] = undefined;
          pending--;
        } else if (r.kind === 'continuation') {
          // A go-ahead for a `{n}` written without waiting: the oldest command's, as servers read in order.
          cmds[inFlight.findIndex((c) => c !== undefined)]!.received(r, t);
        } else {
          const cmd = cmds[attributeUntagged(r, inFlight)]!;
          cmd.received(r, t);
          this.collect(cmd, r);
        }
      }
    } catch (err) {
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
    const left = (): number => Math.max(1, deadline - t.now());
    const framer = this.#framer;
    // One reader at a time: a second one would interleave with the framer's partial response.
    if (this.#reading) throw new Error('readResponse() while another response is being read (one reader at a time)');
    this.#reading = true;
    try {
      let step = framer.line(await t.readLine({ timeoutMs: left(), phase }));
      while (step.kind !== 'response') {
        step =
          step.kind === 'literal'
            ? framer.literal(await t.readBytes(step.size, { timeoutMs: left(), phase }))
            : framer.line(await t.readLine({ timeoutMs: left(), phase }));
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

  constructor(
    readonly encoded: EncodedCommand,
    readonly startedAt: number,
    readonly bytesOutBefore: number,
  ) {}

  received(r: ImapResponse, t: Transport): void {
    // firstByteAt is reset by every write; the first response is read before any later write.
    if (this.firstByteAt === undefined) this.firstByteAt = t.firstByteAt ?? t.now();
    this.bytesIn += r.raw.length;
    if (r.kind === 'continuation') this.continuations.push(r);
  }
}

function continuationBytes(reply: ContinuationReply): Buffer {
  const raw = reply instanceof Secret ? reply.reveal() : reply;
  const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return Buffer.concat([body, Buffer.from('\r\n')]);
}

function continuationDisplay(reply: ContinuationReply): string {
  if (reply instanceof Secret) return REDACTED;
  return renderWireText(typeof reply === 'string' ? Buffer.from(reply, 'utf8') : reply);
}

function protocolError(what: string, r: ImapResponse): MailprobeError {
  return new MailprobeError('EPROTOCOL', `IMAP: ${what}`, { response: renderWireText(r.raw.subarray(0, 300)) });
}

function withCommand(err: unknown, display: string, t: Transport): unknown {
  return err instanceof MailprobeError ? err.withContext({ command: display, phase: 'command', transcript: t.snapshot(30) }) : err;
}
