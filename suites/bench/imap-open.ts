/**
 * Opening an IMAP bench session: connect, greeting, STARTTLS by policy, LOGIN, SELECT; and
 * LOGOUT at the end. Every exchange is timed by the driver (imap.greeting, imap.capability,
 * imap.starttls, imap.login, imap.select, imap.logout); the TLS handshake after STARTTLS is
 * imap.tls.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { ImapClient } from '../../drivers/imap/client.js';
import type { CommandResult } from '../../drivers/imap/connection.js';
import { secret } from '../../drivers/redact.js';
import type { Target } from '../../drivers/target.js';
import { RejectedReply } from '../../engine/load/classify.js';
import type { ScenarioContext } from '../../engine/load/types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { ExchangeMetrics, failedBeforeGreeting, recordConnect, recordConnectFailure, transportOptions } from './connection.js';
import type { ServerSeen } from './smtp-session.js';

export interface OpenedImap {
  readonly client: ImapClient;
  readonly exchanges: ExchangeMetrics;
  /** EXISTS after SELECT. */
  readonly exists: number;
  readonly uidplus: boolean;
}

/** A NO/BAD completion as the failure of the command labelled `metric`. */
export function refusedBy(metric: string, r: Pick<CommandResult, 'status' | 'text'>): RejectedReply {
  return new RejectedReply(metric, r.status === 'BAD' ? 'bad' : 'no', `${r.status} ${r.text}`);
}

export async function openImap(
  config: ScenarioConfig,
  target: Target,
  user: BenchUser,
  ctx: ScenarioContext,
  names: ReadonlySet<string>,
  seen: ServerSeen,
  options: { select: boolean },
): Promise<OpenedImap> {
  const metrics = ctx.metrics;
  const exchanges = new ExchangeMetrics(metrics, names, 'imap.other');
  const startedAt = ctx.now();
  let client: ImapClient;
  try {
    client = await ImapClient.connect({ ...transportOptions(config, target, ctx.signal), onExchange: exchanges.listener });
  } catch (err) {
    if (failedBeforeGreeting(err)) recordConnectFailure(metrics, 'imap', startedAt);
    throw err;
  }
  try {
    recordConnect(metrics, 'imap', client.transport, startedAt);
    if (client.greeting.status === 'BYE') throw new RejectedReply('imap.greeting', 'no', `BYE ${client.greeting.text}`);
    if (!client.tls && config.starttls !== 'never') {
      if (client.capabilities === undefined) await client.capability();
      if (client.hasCapability('STARTTLS')) {
        const at = ctx.now();
        const res = await client.starttls();
        if (!res.upgraded) throw refusedBy('imap.starttls', res);
        metrics.metric('imap.tls').record(at, ctx.now() - at - res.timing.totalMs);
      } else if (config.starttls === 'required') {
        throw new MailprobeError('ESTARTTLS', `${target.url} does not offer STARTTLS (--starttls required)`);
      }
    }
    seen.add(target.url, { greeting: `${client.greeting.status} ${client.greeting.text}`, capabilities: [...(client.capabilities ?? [])] });
    const login = await client.login(user.user, secret(user.password));
    if (login.status !== 'OK') throw refusedBy('imap.login', login);
    let exists = 0;
    if (options.select) {
      const sel = await client.select(config.mailbox);
      if (sel.status !== 'OK') throw refusedBy('imap.select', sel);
      exists = sel.mailbox.exists ?? 0;
    }
    if (client.capabilities === undefined) await client.capability();
    return { client, exchanges, exists, uidplus: client.hasCapability('UIDPLUS') };
  } catch (err) {
    client.destroy();
    throw err;
  }
}

/** LOGOUT (imap.logout), then close. */
export async function closeImap(client: ImapClient): Promise<void> {
  try {
    await client.logout();
  } finally {
    await client.close();
  }
}
