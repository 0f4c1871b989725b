/**
 * `imap-session`: sessions that connect, STARTTLS (policy), LOGIN, SELECT, run the command mix
 * once per iteration (`--mix`, in order) and LOGOUT after `--messages-per-session` iterations.
 * Users come round-robin from this part's users (`--users FILE`), one login per session.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { usersOf } from '../../engine/load/slice.js';
import type { LoadScenario, ScenarioContext, Slice, SlotInfo } from '../../engine/load/types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { closeImap, openImap } from './imap-open.js';
import { LeanImap, LeanMetrics } from './imap-lean.js';
import { runMix, type MixState } from './imap-mix.js';
import { imapMetrics } from './metric-names.js';
import { rawMessage } from './raw-message.js';
import { ServerSeen } from './smtp-session.js';

export class ImapSessionScenario implements LoadScenario<MixState> {
  readonly #config: ScenarioConfig;
  readonly #users: BenchUser[];
  readonly #names: ReadonlySet<string>;
  readonly #message: Buffer;
  readonly #seen = new ServerSeen();
  #lean: LeanMetrics | undefined;

  constructor(config: ScenarioConfig, slice: Slice) {
    this.#config = config;
    this.#users = usersOf(config.users, slice);
    if (this.#users.length === 0) throw new MailprobeError('ECONFIG', 'imap-session needs a login: --user, or --users FILE with at least one user per worker');
    this.#names = new Set(imapMetrics(config.mix));
    this.#message = rawMessage(config);
  }

  async open(slot: SlotInfo, ctx: ScenarioContext): Promise<MixState> {
    const user = this.#users[slot.session % this.#users.length]!;
    const o = await openImap(this.#config, this.#config.target, user, ctx, this.#names, this.#seen, { select: true });
    const lean = new LeanImap(o.client, this.#config.mailbox, (this.#lean ??= new LeanMetrics(ctx.metrics)));
    return { client: o.client, exchanges: o.exchanges, lean, mailbox: this.#config.mailbox, uidplus: o.uidplus, message: this.#message, exists: o.exists, appended: undefined, cursor: 0, flagged: false };
  }

  iterate(s: MixState): Promise<void> {
    s.appended = undefined;
    return runMix(s, this.#config.mix, this.#config.pipeline);
  }

  close(s: MixState): Promise<void> {
    return closeImap(s.client);
  }

  destroy(s: MixState): void {
    s.client.destroy();
  }

  server(): ReturnType<ServerSeen['get']> {
    return this.#seen.get();
  }
}
