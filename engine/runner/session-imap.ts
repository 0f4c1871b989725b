/**
 * IMAP steps: the runner tags each command line (`A7 SELECT INBOX`), sends a `literal` after
 * the server's `+`, and after a continuation treats the next send as continuation data
 * (AUTHENTICATE responses, IDLE's DONE) for the same tag.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { ImapClient } from '../../drivers/imap/client.js';
import type { ConditionResponse, ContinuationResponse, ImapResponse, TaggedResponse } from '../../drivers/imap/response-types.js';
import type { Transport } from '../../drivers/transport.js';
import { matchImap, type ImapObserved } from '../match/imap.js';
import { compilePattern, matchPattern } from '../match/pattern.js';
import { list, OK, type Observation, type Outcome } from '../match/observation.js';
import { joinParts } from '../suite/text.js';
import { closedSoon, failureObservation, type Outgoing, type StepExchange, type StepSession } from './session.js';
import { responseText } from '../match/imap.js';

/** Untagged responses one step may collect before it gives up (a flood is a failure). */
const MAX_UNTAGGED_PER_STEP = 10_000;

export class ImapStepSession implements StepSession {
  readonly protocol = 'imap' as const;
  readonly #client: ImapClient;
  #greeting: ConditionResponse | undefined;
  /** The tag of a command that got a `+` and is not finished. */
  #open: string | undefined;
  /** The open command is AUTHENTICATE: its continuation data is credentials (never shown). */
  #isAuthenticating = false;

  constructor(client: ImapClient, pendingGreeting: ConditionResponse | undefined) {
    this.#client = client;
    this.#greeting = pendingGreeting;
  }

  get transport(): Transport {
    return this.#client.transport;
  }

  async exchange(ex: StepExchange, timeoutMs: number): Promise<Outcome> {
    const deadline = this.transport.now() + timeoutMs;
    let tag: string | undefined;
    if (ex.send) {
      this.#greeting = undefined;
      const sent = await this.#send(ex.send, ex.literal, deadline, ex.literalIsSecret === true);
      // A literal the server refused (tagged NO/BAD instead of "+") is the step's reply.
      if (typeof sent === 'object') return ex.expect ? matchImap(ex.expect, sent.refused, ex.known) : OK;
      tag = sent;
    } else if (this.#greeting) {
      const greeting = this.#greeting;
      this.#greeting = undefined;
      const obs: Observation<ImapObserved> = { kind: 'reply', reply: { untagged: [], tagged: undefined, continuation: undefined, greeting }, closed: false };
      return ex.expect ? matchImap(ex.expect, obs, ex.known) : OK;
    } else {
      tag = this.#open;
    }
    // Without a send, a step that expects untagged data waits for it even while a command is
    // open (an IDLE push after the "+"); otherwise it waits for the open command to finish.
    const wantsUntagged = list(ex.expect?.untagged).length > 0;
    const waitFor = ex.send ? 'completion' : wantsUntagged || tag === undefined ? 'untagged' : 'completion';
    const obs = await this.#observe(tag, waitFor, ex, deadline, timeoutMs);
    return ex.expect ? matchImap(ex.expect, obs, ex.known) : obs.kind === 'reply' ? OK : matchImap({}, obs, ex.known);
  }

  async pipeline(exchanges: readonly StepExchange[], timeoutMs: number): Promise<Outcome> {
    this.#greeting = undefined;
    const deadline = this.transport.now() + timeoutMs;
    const tags: string[] = [];
    const wire: Buffer[] = [];
    const display: string[] = [];
    for (const ex of exchanges) {
      if (!ex.send) continue;
      const built = this.#line(ex.send, this.#client.nextTag());
      tags.push(built.tag);
      wire.push(built.wire);
      display.push(built.display);
    }
    await this.transport.write(Buffer.concat(wire), { display, timeoutMs });
    const done = new Map<string, TaggedResponse>();
    const untagged: ImapResponse[] = [];
    try {
      while (done.size < tags.length) {
        const r = await this.#client.readResponse({ timeoutMs: Math.max(1, deadline - this.transport.now()) });
        if (r.kind === 'tagged') done.set(r.tag, r);
        else if (r.kind !== 'continuation') untagged.push(r);
        if (untagged.length > MAX_UNTAGGED_PER_STEP) throw new MailprobeError('ELIMIT', `more than ${MAX_UNTAGGED_PER_STEP} untagged responses in one step`);
      }
    } catch (err) {
      return matchImap(exchanges[0]?.expect ?? {}, failureObservation(err, timeoutMs), exchanges[0]?.known ?? new Map());
    }
    // Untagged data of pipelined commands cannot be attributed reliably: every expectation
    // sees all of it, and its own command's completion.
    const captures: Record<string, string> = {};
    for (const [i, ex] of exchanges.entries()) {
      const obs: Observation<ImapObserved> = { kind: 'reply', reply: { untagged, tagged: done.get(tags[i]!), continuation: undefined, greeting: undefined }, closed: false };
      const outcome = ex.expect ? matchImap(ex.expect, obs, ex.known) : OK;
      if (!outcome.ok) return outcome;
      Object.assign(captures, outcome.captures);
    }
    return { ok: true, captures };
  }

  async upgradeTls(): Promise<void> {
    await this.transport.upgradeTls();
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  destroy(): void {
    this.#client.destroy();
  }

  /** Write a step's command; returns the tag to wait for, or the refusal of its literal. */
  async #send(send: Outgoing, literal: Buffer | undefined, deadline: number, secretLiteral: boolean): Promise<string | undefined | { refused: Observation<ImapObserved> }> {
    const remaining = (): number => Math.max(1, deadline - this.transport.now());
    if (this.#open !== undefined) {
      // Continuation data for the open command (AUTHENTICATE response, DONE): no tag.
      const tag = this.#open;
      const { wire, display } = send.kind === 'raw' ? { wire: send.bytes, display: send.display } : this.#plain(send);
      await this.transport.write(wire, { display: this.#isAuthenticating ? '***' : display, timeoutMs: remaining() });
      return tag;
    }
    if (send.kind === 'raw') {
      await this.transport.write(send.bytes, { display: send.display, timeoutMs: remaining() });
      return undefined;
    }
    const tag = this.#client.nextTag();
    const built = this.#line(send, tag, literal?.length, secretLiteral);
    this.#isAuthenticating = /^AUTHENTICATE\b/i.test(built.display.slice(tag.length + 1));
    await this.transport.write(built.wire, { display: built.display, timeoutMs: remaining() });
    if (literal) {
      // RFC 9051 §4.3: a synchronising literal waits for the server's "+".
      const obs = await this.#observe(tag, 'completion', undefined, deadline, remaining());
      if (obs.kind !== 'reply' || !obs.reply.continuation) {
        this.#open = undefined;
        return { refused: obs };
      }
      this.#open = undefined;
      // A literal holding a secret shows neither its bytes nor its length.
      const shown = secretLiteral ? '(literal ***)' : `(literal, ${literal.length} bytes)`;
      await this.transport.write(Buffer.concat([literal, Buffer.from('\r\n')]), { display: shown, timeoutMs: remaining() });
    }
    return tag;
  }

  #plain(send: Extract<Outgoing, { kind: 'line' }>): { wire: Buffer; display: string } {
    const { wire, display } = joinParts(send.parts);
    return { wire: Buffer.from(`${wire}\r\n`, 'utf8'), display };
  }

  #line(send: Outgoing, tag: string, literalBytes?: number, secretLiteral = false): { tag: string; wire: Buffer; display: string } {
    if (send.kind === 'raw') return { tag, wire: send.bytes, display: send.display };
    const { wire, display } = joinParts(send.parts);
    const suffix = literalBytes === undefined ? '' : ` {${literalBytes}}`;
    const shownSuffix = literalBytes === undefined ? '' : secretLiteral ? ' {***}' : suffix;
    return { tag, wire: Buffer.from(`${tag} ${wire}${suffix}\r\n`, 'utf8'), display: `${tag} ${display}${shownSuffix}` };
  }

  /**
   * Read until the command completes (tagged reply for `tag`, or a `+`), or — with no command
   * in flight — until the expected untagged patterns have all arrived (IDLE pushes).
   */
  async #observe(
    tag: string | undefined,
    waitFor: 'completion' | 'untagged',
    ex: StepExchange | undefined,
    deadline: number,
    timeoutMs: number,
  ): Promise<Observation<ImapObserved>> {
    const untagged: ImapResponse[] = [];
    let tagged: TaggedResponse | undefined;
    let continuation: ContinuationResponse | undefined;
    const patterns = list(ex?.expect?.untagged).map((p) => compilePattern(p, ex?.known ?? new Map()));
    try {
      for (;;) {
        const r = await this.#client.readResponse({ timeoutMs: Math.max(1, deadline - this.transport.now()) });
        if (r.kind === 'tagged') {
          if (tag === undefined || r.tag === tag) {
            tagged = r;
            this.#open = undefined;
            break;
          }
          untagged.push(r);
        } else if (r.kind === 'continuation') {
          continuation = r;
          this.#open = tag;
          break;
        } else {
          untagged.push(r);
          if (untagged.length > MAX_UNTAGGED_PER_STEP) throw new MailprobeError('ELIMIT', `more than ${MAX_UNTAGGED_PER_STEP} untagged responses in one step`);
          if (waitFor === 'untagged' && patterns.length > 0 && patterns.every((p) => untagged.some((u) => matchPattern(p, responseText(u))))) break;
        }
      }
    } catch (err) {
      if (waitFor === 'untagged' && untagged.length > 0 && err instanceof MailprobeError && err.code === 'ETIMEDOUT') {
        return { kind: 'reply', reply: { untagged, tagged: undefined, continuation: undefined, greeting: undefined }, closed: false };
      }
      return failureObservation(err, timeoutMs);
    }
    const closed = ex?.expect?.closed ? await closedSoon(this.transport, timeoutMs) : false;
    return { kind: 'reply', reply: { untagged, tagged, continuation, greeting: undefined }, closed };
  }
}
