/**
 * `imap-session`: sessions that connect, STARTTLS (policy), LOGIN, SELECT, run the command mix
 * once per iteration (`--mix`, in order) and LOGOUT after `--messages-per-session` iterations.
 * Users come round-robin from this part's users (`--users FILE`), one login per session.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { usersOf } from '../../engine/load/slice.js';
import type { IterationInfo, LoadScenario, ScenarioContext, Slice, SlotInfo } from '../../engine/load/types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { closeImap, openImap } from './imap-open.js';
import { runOp, type MixState } from './imap-mix.js';
import { PIPELINABLE, runGroup } from './imap-pipeline.js';
import { imapMetrics } from './metric-names.js';
import { rawMessage } from './raw-message.js';
import { ServerSeen } from './smtp-session.js';

export class ImapSessionScenario implements LoadScenario<MixState> {
  readonly #config: ScenarioConfig;
  readonly #users: BenchUser[];
  readonly #names: ReadonlySet<string>;
  readonly #message: Buffer;
  readonly #seen = new ServerSeen();

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
    return { client: o.client, exchanges: o.exchanges, mailbox: this.#config.mailbox, uidplus: o.uidplus, message: this.#message, exists: o.exists, appended: undefined, cursor: 0, flagged: false };
  }

  async iterate(s: MixState, _it: IterationInfo, ctx: ScenarioContext): Promise<void> {
    s.appended = undefined;
    const mix = this.#config.mix;
    if (!this.#config.pipeline) {
      for (const op of mix) await runOp(s, op);
      return;
    }
    for (let i = 0; i < mix.length; ) {
      let j = i;
      while (j < mix.length && PIPELINABLE.has(mix[j]!)) j++;
      if (j - i >= 2) {
        await runGroup(s, mix.slice(i, j), ctx.metrics);
        i = j;
      } else {
        await runOp(s, mix[i]!);
        i++;
      }
    }
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
