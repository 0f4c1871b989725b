/**
 * IDLE (RFC 2177, RFC 9051 §6.3.13): the command stays open after the server's "+" and the
 * server pushes untagged responses (EXISTS, EXPUNGE, FETCH) until the client sends DONE.
 *
 * The session reads one response at a time; a `next(waitMs)` that times out keeps its read
 * pending for the following call, so nothing the server pushed is lost between calls. That
 * wait is not an error. A real failure (no `+` or no completion within commandMs, a stray tag,
 * a limit) gives the connection up, as for any command whose tag is outstanding.
 */
import { MailprobeError, isMailprobeError } from '../../errors.js';
import { renderWireText } from '../../transcript.js';
import { encodeCommand } from '../command-encoder.js';
import type { CommandResult, ImapConnection, InFlightCommand } from '../connection.js';
import type { ContinuationResponse, ImapResponse, UntaggedResponse } from '../response-types.js';

export type IdleEvent =
  | { readonly kind: 'untagged'; readonly response: UntaggedResponse }
  | { readonly kind: 'timeout' }
  /** The server ended IDLE itself (tagged OK/NO/BAD without DONE). */
  | { readonly kind: 'completed'; readonly result: CommandResult };

export interface IdleSession {
  readonly tag: string;
  /** The server's go-ahead. */
  readonly continuation: ContinuationResponse;
  /** The next pushed response, or `timeout` after `waitMs` (default: wait up to maxIdleMs). */
  next(waitMs?: number): Promise<IdleEvent>;
  /**
   * Send DONE and collect the completion. The result's `untagged` holds everything the server
   * sent during the IDLE, pushed responses included.
   */
  done(): Promise<CommandResult>;
}

export type IdleStart =
  | { readonly started: true; readonly session: IdleSession }
  /** The server answered IDLE with a completion (NO/BAD) instead of "+". */
  | { readonly started: false; readonly result: CommandResult };

export interface IdleOptions {
  /**
   * Longest wait for one pushed response (default 29 minutes: RFC 2177 §3 has clients re-issue
   * IDLE at least every 29 minutes to beat 30-minute inactivity timers).
   */
  maxIdleMs?: number;
}

const DEFAULT_MAX_IDLE_MS = 29 * 60_000;

export async function idle(conn: ImapConnection, options: IdleOptions = {}): Promise<IdleStart> {
  const t = conn.transport;
  const encoded = encodeCommand(conn.nextTag(), 'IDLE', [], { literalPlus: false, literalMinus: false });
  try {
    // One budget (commandMs) from the write to the "+" or the completion.
    const cmd = await conn.begin(encoded);
    for (;;) {
      const r = await conn.readFor(cmd);
      cmd.received(r, t);
      if (r.kind === 'continuation') return { started: true, session: new Session(conn, cmd, r, options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS) };
      if (r.kind === 'tagged') {
        if (r.tag !== encoded.tag) throw unexpected(`tagged response for "${r.tag}" while starting IDLE ${encoded.tag}`, r);
        return { started: false, result: conn.complete(cmd, r) };
      }
      conn.collect(cmd, r);
    }
  } catch (err) {
    throw giveUp(conn, err);
  }
}

class Session implements IdleSession {
  readonly tag: string;
  readonly continuation: ContinuationResponse;
  readonly #conn: ImapConnection;
  readonly #cmd: InFlightCommand;
  readonly #maxIdleMs: number;
  #pending: Promise<ImapResponse> | undefined;
  #result: CommandResult | undefined;

  constructor(conn: ImapConnection, cmd: InFlightCommand, continuation: ContinuationResponse, maxIdleMs: number) {
    this.#conn = conn;
    this.#cmd = cmd;
    this.tag = cmd.encoded.tag;
    this.continuation = continuation;
    this.#maxIdleMs = maxIdleMs;
  }

  async next(waitMs?: number): Promise<IdleEvent> {
    if (this.#result !== undefined) return { kind: 'completed', result: this.#result };
    try {
      const read = this.#read(this.#maxIdleMs);
      const r = waitMs === undefined ? await read : await within(read, waitMs);
      // Nothing pushed within waitMs: not an error; the read stays pending and the connection open.
      if (r === undefined) return { kind: 'timeout' };
      this.#pending = undefined;
      return this.#handle(r);
    } catch (err) {
      throw giveUp(this.#conn, err);
    }
  }

  async done(): Promise<CommandResult> {
    if (this.#result !== undefined) return this.#result;
    const t = this.#conn.transport;
    // One budget from DONE to the completion, however the server spreads what it still sends.
    const budgetMs = t.timeouts.commandMs;
    const deadline = t.now() + budgetMs;
    try {
      await this.#conn.sendRaw('DONE\r\n', { timeoutMs: budgetMs });
      for (;;) {
        const left = Math.ceil(deadline - t.now());
        let r: ImapResponse | undefined;
        let cause: MailprobeError | undefined;
        try {
          r = left > 0 ? await within(this.#read(left), left) : undefined;
        } catch (err) {
          // The read's own timer may fire first: the same budget ran out.
          if (!isMailprobeError(err, 'ETIMEDOUT')) throw err;
          cause = err;
        }
        if (r === undefined) {
          throw new MailprobeError(
            'ETIMEDOUT',
            `no completion of IDLE ${this.tag} within ${budgetMs} ms after DONE`,
            { phase: 'command', elapsedMs: Math.round(t.now() - (deadline - budgetMs)), transcript: t.snapshot(30) },
            cause === undefined ? {} : { cause },
          );
        }
        this.#pending = undefined;
        const event = this.#handle(r);
        if (event.kind === 'completed') return event.result;
      }
    } catch (err) {
      throw giveUp(this.#conn, err);
    }
  }

  /** The pending read, or a new one; its rejection is observed so a timed-out wait leaks nothing. */
  #read(timeoutMs: number): Promise<ImapResponse> {
    if (this.#pending === undefined) {
      const p = this.#conn.readResponse({ timeoutMs });
      p.catch(() => {});
      this.#pending = p;
    }
    return this.#pending;
  }

  #handle(r: ImapResponse): IdleEvent {
    this.#cmd.received(r, this.#conn.transport);
    if (r.kind === 'tagged') {
      if (r.tag !== this.tag) throw unexpected(`tagged response for "${r.tag}" during IDLE ${this.tag}`, r);
      this.#result = this.#conn.complete(this.#cmd, r);
      return { kind: 'completed', result: this.#result };
    }
    if (r.kind === 'continuation') throw unexpected('continuation request during IDLE', r);
    this.#conn.collect(this.#cmd, r);
    return { kind: 'untagged', response: r };
  }
}

/**
 * IDLE failed while its tag is outstanding: what the server sends next would be read as a later
 * command's answer, so the connection is given up (later commands fail fast with ECLOSED).
 */
function giveUp(conn: ImapConnection, err: unknown): unknown {
  const t = conn.transport;
  t.destroy();
  return err instanceof MailprobeError ? err.withContext({ command: 'IDLE', phase: 'command', transcript: t.snapshot(30) }) : err;
}

/** The promise's value, or undefined when `ms` pass first (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)))]);
  } finally {
    clearTimeout(timer);
  }
}

function unexpected(what: string, r: ImapResponse): MailprobeError {
  return new MailprobeError('EPROTOCOL', `IMAP: ${what}`, { response: renderWireText(r.raw.subarray(0, 300)) });
}
