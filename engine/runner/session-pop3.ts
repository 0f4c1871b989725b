/**
 * POP3 steps. Whether a reply has a multi-line body follows from the command (the driver
 * knows RFC 1939's commands); after a `+ ` SASL challenge the next send is the response line.
 */
import type { Pop3Client } from '../../drivers/pop3/client.js';
import type { Pop3Reply } from '../../drivers/pop3/types.js';
import type { Transport } from '../../drivers/transport.js';
import { matchPop3 } from '../match/pop3.js';
import { OK, type Observation, type Outcome } from '../match/observation.js';
import type { ExpectSpec } from '../suite/schema.js';
import { closedSoon, failureObservation, type StepExchange, type StepSession } from './session.js';

export class Pop3StepSession implements StepSession {
  readonly protocol = 'pop3' as const;
  readonly #client: Pop3Client;
  #pending: Pop3Reply | undefined;
  /** The last reply was a SASL `+ ` continuation: the next line answers it. */
  #inSasl = false;

  constructor(client: Pop3Client, pendingGreeting: Pop3Reply | undefined) {
    this.#client = client;
    this.#pending = pendingGreeting;
  }

  get transport(): Transport {
    return this.#client.transport;
  }

  async exchange(ex: StepExchange, timeoutMs: number): Promise<Outcome> {
    let obs: Observation<Pop3Reply>;
    if (!ex.send && this.#pending) {
      obs = { kind: 'reply', reply: this.#pending, closed: false };
      this.#pending = undefined;
    } else {
      this.#pending = undefined;
      obs = await this.#observe(ex, timeoutMs);
    }
    if (obs.kind === 'reply') this.#inSasl = obs.reply.status === 'continue';
    return ex.expect ? matchPop3(ex.expect, obs) : obs.kind === 'reply' ? OK : matchPop3({}, obs);
  }

  async pipeline(exchanges: readonly StepExchange[], timeoutMs: number): Promise<Outcome> {
    this.#pending = undefined;
    const commands = exchanges.flatMap((e) => (e.send && e.send.kind === 'line' ? [{ command: e.send.parts, timeoutMs }] : []));
    let replies: Pop3Reply[];
    try {
      replies = await this.#client.pipeline(commands);
    } catch (err) {
      return matchPop3(exchanges[0]?.expect ?? {}, failureObservation(err, timeoutMs));
    }
    const captures: Record<string, string> = {};
    for (const [i, ex] of exchanges.entries()) {
      const reply = replies[i];
      if (!reply) return { ok: false, expected: 'one reply per pipelined command', got: `${replies.length} replies to ${exchanges.length} commands` };
      if (!ex.expect) continue;
      const outcome = matchPop3(ex.expect, { kind: 'reply', reply, closed: false });
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

  async #observe(ex: StepExchange, timeoutMs: number): Promise<Observation<Pop3Reply>> {
    let reply: Pop3Reply;
    try {
      const send = ex.send;
      if (!send) reply = await this.#client.readStatus({ timeoutMs, multiline: wantsBody(ex.expect) });
      else if (send.kind === 'raw') {
        await this.#client.sendRaw(send.bytes, { display: send.display });
        reply = await this.#client.readStatus({ timeoutMs, multiline: wantsBody(ex.expect) });
      } else if (this.#inSasl) {
        const text = send.parts.map((p) => (typeof p === 'string' ? p : p.reveal())).join('');
        reply = await this.#client.continueAuth(text, { timeoutMs });
      } else {
        reply = await this.#client.command(send.parts, { timeoutMs });
      }
    } catch (err) {
      return failureObservation(err, timeoutMs);
    }
    const closed = ex.expect?.closed ? await closedSoon(this.transport, timeoutMs) : false;
    return { kind: 'reply', reply, closed };
  }
}

/** Raw sends do not name a command: read a body only when the expectation is about one. */
function wantsBody(expect: ExpectSpec | undefined): boolean {
  return expect !== undefined && (expect.count !== undefined || expect.each !== undefined || expect.includes !== undefined);
}
