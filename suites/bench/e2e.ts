/**
 * `e2e`: submit over SMTP (like smtp-send; each session sends to its own user) and time how
 * long until the message shows up in that user's mailbox, watched over IMAP IDLE or POP3
 * polling (the second target URL): `e2e.delivery`, from the server's 250 to the sighting.
 * An iteration is the submission; deliveries are awaited in the background and, at the end,
 * for at most the delivery timeout.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { usersOf } from '../../engine/load/slice.js';
import type { IterationInfo, LoadScenario, ScenarioContext, Slice, SlotInfo } from '../../engine/load/types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { DeliveryTracker } from './e2e-tracker.js';
import { watchImap, watchPop3, type Watcher } from './e2e-watch.js';
import { SlotMessage, TemplateCache } from './message.js';
import { ServerSeen, SmtpSessions } from './smtp-session.js';
import { SmtpSender, TransactionMetrics } from './smtp-transaction.js';

export class E2eScenario implements LoadScenario<SmtpSender> {
  readonly #config: ScenarioConfig;
  readonly #users: BenchUser[];
  readonly #part: number;
  readonly #templates: TemplateCache;
  readonly #seen = new ServerSeen();
  readonly #sessions: SmtpSessions;
  /** Per slot, for the whole run: Message-ID sequences continue across sessions. */
  readonly #messages: SlotMessage[] = [];
  #tracker: DeliveryTracker | undefined;
  #watchers: Watcher[] = [];
  #sweeper: NodeJS.Timeout | undefined;
  #metrics: TransactionMetrics | undefined;

  constructor(config: ScenarioConfig, slice: Slice) {
    if (config.watch === undefined) throw new MailprobeError('ECONFIG', 'e2e needs a second target to watch delivery: an imap(s):// or pop3(s):// URL');
    this.#config = config;
    this.#users = usersOf(config.users, slice);
    if (this.#users.length === 0) throw new MailprobeError('ECONFIG', 'e2e needs mailbox logins: --user, or --users FILE with at least one user per worker');
    this.#part = slice.index;
    this.#templates = new TemplateCache({ sizeBytes: config.sizeBytes, runId: config.runId });
    this.#sessions = new SmtpSessions(config, config.target, this.#seen);
  }

  async start(ctx: ScenarioContext): Promise<void> {
    const tracker = (this.#tracker = new DeliveryTracker(ctx, this.#config.deliveryTimeoutMs));
    const watch = this.#config.watch!.protocol === 'imap' ? watchImap : watchPop3;
    const url = this.#config.watch!.url;
    const started = await Promise.allSettled(this.#users.map(async (u) => watch(this.#config, u, tracker, ctx)));
    this.#watchers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.findIndex((r) => r.status === 'rejected');
    if (failed !== -1) {
      await Promise.all(this.#watchers.map((w) => w.stop()));
      const err = (started[failed] as PromiseRejectedResult).reason as unknown;
      throw new MailprobeError('ECONFIG', `e2e cannot watch ${url} as ${this.#users[failed]!.user}: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
    this.#sweeper = setInterval(() => tracker.sweep(ctx.now()), 1000);
    this.#sweeper.unref();
  }

  async open(slot: SlotInfo, ctx: ScenarioContext): Promise<SmtpSender> {
    const user = this.#users[slot.session % this.#users.length]!;
    const submitAs = this.#config.target.role === 'submission' ? user : undefined;
    const opened = await this.#sessions.open(submitAs, ctx);
    const from = this.#config.from ?? user.user;
    const metrics = (this.#metrics ??= new TransactionMetrics(ctx.metrics, this.#config.timeouts));
    return new SmtpSender(opened.client, opened.pipelining, this.#templates.get(from, [user.user]), (this.#messages[slot.slot] ??= new SlotMessage(this.#part, slot.slot)), metrics, ctx);
  }

  async iterate(sender: SmtpSender, it: IterationInfo, ctx: ScenarioContext): Promise<void> {
    const tracker = this.#tracker!;
    let id: string | undefined;
    const startedAt = ctx.now();
    try {
      await sender.send(it.followedBy, (m) => {
        id = m.messageId();
        tracker.expect(id, startedAt);
      }, it.last);
    } catch (err) {
      if (id !== undefined) tracker.forget(id);
      throw err;
    }
    tracker.accepted(id!, ctx.now());
  }

  close(sender: SmtpSender, ctx: ScenarioContext): Promise<void> {
    return this.#sessions.end(sender, ctx);
  }

  destroy(sender: SmtpSender): void {
    sender.client.destroy();
  }

  async stop(ctx: ScenarioContext): Promise<void> {
    clearInterval(this.#sweeper);
    await this.#tracker?.drain(ctx.now() + this.#config.deliveryTimeoutMs, ctx.signal);
    await Promise.all(this.#watchers.map((w) => w.stop()));
  }

  server(): ReturnType<ServerSeen['get']> {
    return this.#seen.get();
  }
}
