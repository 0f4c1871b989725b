import type { SmtpClient } from '../../drivers/smtp/client.js';
import type { SmtpReply } from '../../drivers/smtp/reply.js';
import type { Transport } from '../../drivers/transport.js';
import { OK, type Observation, type Outcome } from '../match/observation.js';
import { matchSmtp } from '../match/smtp.js';
import { joinParts } from '../suite/text.js';
import type { ExpectSpec } from '../suite/schema.js';
import { closedSoon, failureObservation, type Outgoing, type StepExchange, type StepSession } from './session.js';

export class SmtpStepSession implements StepSession {
  readonly protocol = 'smtp' as const;
  readonly #client: SmtpClient;
  /** The greeting, read while establishing the session, is the first step's reply. */
  #pending: SmtpReply | undefined;

  constructor(client: SmtpClient, pendingGreeting: SmtpReply | undefined) {
    this.#client = client;
    this.#pending = pendingGreeting;
  }

  get transport(): Transport {
    return this.#client.transport;
  }

  async exchange(ex: StepExchange, timeoutMs: number): Promise<Outcome> {
    if (ex.send) {
      this.#pending = undefined;
      await this.#write([ex.send], timeoutMs);
    }
    return this.#observeAndMatch(ex.expect, timeoutMs);
  }

  async pipeline(exchanges: readonly StepExchange[], timeoutMs: number): Promise<Outcome> {
    this.#pending = undefined;
    await this.#write(
      exchanges.flatMap((e) => (e.send ? [e.send] : [])),
      timeoutMs,
    );
    const captures: Record<string, string> = {};
    for (const ex of exchanges) {
      const outcome = await this.#observeAndMatch(ex.expect, timeoutMs);
      if (!outcome.ok) return outcome;
      Object.assign(captures, outcome.captures);
    }
    return { ok: true, captures };
  }

  async upgradeTls(): Promise<void> {
    await this.#client.transport.upgradeTls();
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  destroy(): void {
    this.#client.destroy();
  }

  async #write(sends: readonly Outgoing[], timeoutMs: number): Promise<void> {
    const wire: Buffer[] = [];
    const display: string[] = [];
    for (const s of sends) {
      if (s.kind === 'raw') {
        wire.push(s.bytes);
        display.push(s.display);
      } else {
        const { wire: w, display: d } = joinParts(s.parts);
        wire.push(Buffer.from(`${w}\r\n`, 'utf8'));
        display.push(d);
      }
    }
    await this.#client.transport.write(Buffer.concat(wire), { display, timeoutMs });
  }

  async #observeAndMatch(expect: ExpectSpec | undefined, timeoutMs: number): Promise<Outcome> {
    const obs = await this.#observe(timeoutMs, expect?.closed === true);
    return expect ? matchSmtp(expect, obs) : obs.kind === 'reply' ? OK : matchSmtp({}, obs);
  }

  async #observe(timeoutMs: number, checkClosed: boolean): Promise<Observation<SmtpReply>> {
    let reply: SmtpReply;
    if (this.#pending) {
      reply = this.#pending;
      this.#pending = undefined;
    } else {
      try {
        reply = await this.#client.readReply({ timeoutMs });
      } catch (err) {
        return failureObservation(err, timeoutMs);
      }
    }
    const closed = checkClosed ? await closedSoon(this.#client.transport, timeoutMs) : false;
    return { kind: 'reply', reply, closed };
  }
}
