/**
 * `smtp-send`: sessions that connect, greet, EHLO, STARTTLS (policy), AUTH (submission ports,
 * as the session's user), send N messages (`--messages-per-session`) and QUIT. An iteration is one
 * message; a session's first iteration includes opening it and its last one the QUIT.
 */
import type { Target } from '../../drivers/target.js';
import type { IterationInfo, LoadScenario, ScenarioContext, SlotInfo } from '../../engine/load/types.js';
import type { Slice } from '../../engine/load/types.js';
import { usersOf } from '../../engine/load/slice.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { SlotMessage, TemplateCache } from './message.js';
import { ServerSeen, SmtpSessions } from './smtp-session.js';
import { SmtpSender, TransactionMetrics } from './smtp-transaction.js';

/** Who a session logs in as, sends from and sends to. */
export interface Envelope {
  readonly user: BenchUser | undefined;
  readonly from: string;
  readonly rcpt: readonly string[];
}

/** The session's user (round-robin over this part's users) and its envelope. */
export function envelopeFor(config: ScenarioConfig, users: readonly BenchUser[], session: number): Envelope {
  const user = users.length === 0 ? undefined : users[session % users.length];
  const from = config.from ?? user?.user ?? `mailprobe@${config.clientName}`;
  const rcpt = config.rcpt.length > 0 ? config.rcpt : user ? [user.user] : [];
  return { user, from, rcpt };
}

export class SmtpSendScenario implements LoadScenario<SmtpSender> {
  readonly #config: ScenarioConfig;
  readonly #target: Target;
  readonly #users: BenchUser[];
  readonly #part: number;
  readonly #templates: TemplateCache;
  readonly #seen = new ServerSeen();
  readonly #sessions: SmtpSessions;
  /** Per slot, for the whole run: Message-ID sequences continue across sessions. */
  readonly #messages: SlotMessage[] = [];
  #metrics: TransactionMetrics | undefined;

  constructor(config: ScenarioConfig, slice: Slice) {
    this.#config = config;
    this.#target = config.target;
    this.#users = usersOf(config.users, slice);
    this.#part = slice.index;
    this.#templates = new TemplateCache({ sizeBytes: config.sizeBytes, runId: config.runId });
    this.#sessions = new SmtpSessions(config, config.target, this.#seen);
  }

  async open(slot: SlotInfo, ctx: ScenarioContext): Promise<SmtpSender> {
    const env = envelopeFor(this.#config, this.#users, slot.session);
    // AUTH on submission ports; on an MX port (smtp://) the users are recipients only.
    const login = this.#target.role === 'submission' ? env.user : undefined;
    const opened = await this.#sessions.open(login, ctx);
    const metrics = (this.#metrics ??= new TransactionMetrics(ctx.metrics, this.#config.timeouts));
    return new SmtpSender(opened.client, opened.pipelining, this.#templates.get(env.from, env.rcpt), (this.#messages[slot.slot] ??= new SlotMessage(this.#part, slot.slot)), metrics, ctx);
  }

  iterate(sender: SmtpSender, it: IterationInfo): Promise<void> {
    return sender.send(it.followedBy, undefined, it.last);
  }

  close(sender: SmtpSender, ctx: ScenarioContext): Promise<void> {
    return this.#sessions.end(sender, ctx);
  }

  destroy(sender: SmtpSender): void {
    sender.client.destroy();
  }

  server(): ReturnType<ServerSeen['get']> {
    return this.#seen.get();
  }
}
