/**
 * `pop3-session`: connect, greeting, STLS by policy, USER/PASS, then per iteration STAT, LIST,
 * UIDL and RETR of the next message (walking the maildrop; skipped when it is empty), and QUIT
 * after `--messages-per-session` iterations. Nothing is deleted.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import type { Pop3Reply } from '../../drivers/pop3/types.js';
import { secret } from '../../drivers/redact.js';
import { RejectedReply } from '../../engine/load/classify.js';
import { usersOf } from '../../engine/load/slice.js';
import type { IterationInfo, LoadScenario, ScenarioContext, Slice, SlotInfo } from '../../engine/load/types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { ExchangeMetrics, failedBeforeGreeting, recordConnect, recordConnectFailure, transportOptions } from './connection.js';
import { POP3_METRICS } from './metric-names.js';
import { ServerSeen } from './smtp-session.js';

const NAMES: ReadonlySet<string> = new Set(POP3_METRICS);

interface Pop3Session {
  readonly client: Pop3Client;
  count: number;
  cursor: number;
}

function refused(metric: string, r: Pop3Reply): RejectedReply {
  return new RejectedReply(metric, 'err', `-ERR ${r.text}`);
}

export class Pop3SessionScenario implements LoadScenario<Pop3Session> {
  readonly #config: ScenarioConfig;
  readonly #users: BenchUser[];
  readonly #seen = new ServerSeen();

  constructor(config: ScenarioConfig, slice: Slice) {
    this.#config = config;
    this.#users = usersOf(config.users, slice);
    if (this.#users.length === 0) throw new MailprobeError('ECONFIG', 'pop3-session needs a login: --user, or --users FILE with at least one user per worker');
  }

  async open(slot: SlotInfo, ctx: ScenarioContext): Promise<Pop3Session> {
    const user = this.#users[slot.session % this.#users.length]!;
    const config = this.#config;
    const target = config.target;
    const metrics = ctx.metrics;
    const startedAt = ctx.now();
    let client: Pop3Client;
    try {
      client = await Pop3Client.connect({ ...transportOptions(config, target, ctx.signal), onExchange: new ExchangeMetrics(metrics, NAMES, 'pop3.other').listener });
    } catch (err) {
      if (failedBeforeGreeting(err)) recordConnectFailure(metrics, 'pop3', startedAt);
      throw err;
    }
    try {
      recordConnect(metrics, 'pop3', client.transport, startedAt);
      if (!client.greeting.ok) throw refused('pop3.greeting', client.greeting);
      if (!client.tls && config.starttls !== 'never') {
        const capa = await client.capa();
        if (capa.ok && capa.capabilities.has('STLS')) {
          const at = ctx.now();
          const res = await client.stls();
          if (!res.upgraded) throw refused('pop3.stls', res);
          metrics.metric('pop3.tls').record(at, ctx.now() - at - res.timing.totalMs);
        } else if (config.starttls === 'required') {
          throw new MailprobeError('ESTARTTLS', `${target.url} does not offer STLS (--starttls required)`);
        }
      }
      this.#seen.add(target.url, { greeting: client.greeting.text, capabilities: [...(client.capabilities?.keys() ?? [])] });
      const u = await client.user(user.user);
      if (!u.ok) throw refused('pop3.user', u);
      const p = await client.pass(secret(user.password));
      if (!p.ok) throw refused('pop3.pass', p);
      return { client, count: 0, cursor: 0 };
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  async iterate(s: Pop3Session, _it: IterationInfo): Promise<void> {
    const c = s.client;
    const stat = await c.stat();
    if (!stat.ok) throw refused('pop3.stat', stat);
    s.count = stat.drop?.count ?? 0;
    const list = await c.list();
    if (!list.ok) throw refused('pop3.list', list);
    const uidl = await c.uidl();
    if (!uidl.ok) throw refused('pop3.uidl', uidl);
    if (s.count > 0) {
      s.cursor = (s.cursor % s.count) + 1;
      const retr = await c.retr(s.cursor);
      if (!retr.ok) throw refused('pop3.retr', retr);
    }
  }

  async close(s: Pop3Session): Promise<void> {
    await s.client.quit();
  }

  destroy(s: Pop3Session): void {
    s.client.destroy();
  }

  server(): ReturnType<ServerSeen['get']> {
    return this.#seen.get();
  }
}
