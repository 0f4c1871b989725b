/**
 * How e2e learns that a message arrived: a watcher per mailbox (one per user of this part).
 * IMAP: a session in IDLE on the mailbox; on EXISTS it leaves IDLE, fetches the Message-ID of
 * every new message by UID, reports ours and deletes them (UID EXPUNGE, only our UIDs), and
 * idles again. POP3: a new session every pollMs (a maildrop is fixed at login): UIDL, TOP n 0
 * for messages not looked at yet, DELE ours, QUIT.
 *
 * Watchers record into a private metrics registry: their commands are not the load.
 */
import { isMailprobeError } from '../../drivers/errors.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import { secret } from '../../drivers/redact.js';
import { MetricsRegistry } from '../../engine/load/metrics.js';
import type { ScenarioContext } from '../../engine/load/types.js';
import type { BenchUser, ScenarioConfig } from './config.js';
import { transportOptions } from './connection.js';
import type { DeliveryTracker } from './e2e-tracker.js';
import { openImap } from './imap-open.js';
import { ServerSeen } from './smtp-session.js';

export interface Watcher {
  /** Stop watching (after a last look) and close. Never throws. */
  stop(): Promise<void>;
}

/** How long one IDLE wait lasts before the watcher looks at its stop flag and stragglers. */
const IDLE_SLICE_MS = 500;
const MESSAGE_ID = /^message-id:\s*(<[^>\r\n]*>)/im;

function messageIdOf(header: Buffer | null | undefined): string | undefined {
  return header ? MESSAGE_ID.exec(header.toString('latin1'))?.[1] : undefined;
}

/** A context for watcher connections: the run's signal and clock, a throwaway registry. */
function watcherContext(ctx: ScenarioContext): ScenarioContext {
  return { metrics: new MetricsRegistry(), signal: ctx.signal, now: () => ctx.now(), reportError: () => {} };
}

export async function watchImap(config: ScenarioConfig, user: BenchUser, tracker: DeliveryTracker, ctx: ScenarioContext): Promise<Watcher> {
  const wctx = watcherContext(ctx);
  const o = await openImap(config, config.watch!, user, wctx, new Set(), new ServerSeen(), { select: true });
  const client = o.client;
  // Only messages that arrive from now on: start above the highest UID present.
  const probe = await client.fetch('*', '(UID)', { uid: true });
  let lastUid = probe.messages.reduce((m, r) => Math.max(m, r.attributes.uid ?? 0), 0);
  let stopping = false;

  const fetchNew = async (): Promise<void> => {
    const r = await client.fetch(`${lastUid + 1}:*`, '(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])', { uid: true });
    const now = ctx.now();
    const ours: number[] = [];
    for (const m of r.messages) {
      const uid = m.attributes.uid ?? 0;
      if (uid <= lastUid) continue; // `n:*` also returns the last message when n > the highest UID
      lastUid = Math.max(lastUid, uid);
      const id = messageIdOf([...m.attributes.bodies.values()][0]?.bytes);
      if (id !== undefined && tracker.has(id)) {
        tracker.seen(id, now);
        ours.push(uid);
      }
    }
    if (ours.length > 0 && o.uidplus) {
      const set = ours.join(',');
      await client.store(set, '+FLAGS.SILENT', '(\\Deleted)', { uid: true });
      await client.expunge({ uidSet: set });
    }
  };

  const loop = (async () => {
    while (!stopping) {
      const start = await client.idle({ maxIdleMs: 25 * 60_000 });
      if (!start.started) throw new Error(`IDLE refused: ${start.result.status} ${start.result.text}`);
      for (;;) {
        const ev = await start.session.next(IDLE_SLICE_MS);
        if (ev.kind === 'completed') break;
        // New mail (EXISTS), a stop, or — while deliveries are owed — a look every slice in
        // case a push was missed.
        if (ev.kind === 'untagged' || stopping || tracker.size > 0) {
          await start.session.done();
          break;
        }
      }
      await fetchNew();
    }
  })().catch((err: unknown) => {
    if (!stopping && !isMailprobeError(err, 'EABORTED')) ctx.reportError(err, ctx.now());
  });

  return {
    async stop() {
      stopping = true;
      await loop;
      try {
        await client.logout();
      } catch {
        // The run is over; a watcher that cannot say goodbye is simply dropped.
      }
      client.destroy();
    },
  };
}

export function watchPop3(config: ScenarioConfig, user: BenchUser, tracker: DeliveryTracker, ctx: ScenarioContext): Watcher {
  let stopping = false;
  let wake: (() => void) | undefined;
  /** UIDs already looked at that are still in the maildrop (bounded by its size). */
  let looked = new Set<string>();

  const poll = async (): Promise<void> => {
    const client = await Pop3Client.connect(transportOptions(config, config.watch!, ctx.signal));
    try {
      if (!client.tls && config.starttls !== 'never') {
        const capa = await client.capa();
        if (capa.ok && capa.capabilities.has('STLS')) await client.stls();
      }
      const u = await client.user(user.user);
      const p = u.ok ? await client.pass(secret(user.password)) : u;
      if (!p.ok) throw new Error(`POP3 login as ${user.user} failed: ${p.text}`);
      const uidl = await client.uidl();
      const still = new Set<string>();
      for (const e of uidl.entries) {
        still.add(e.uid);
        if (looked.has(e.uid)) continue;
        const top = await client.top(e.msg, 0);
        const id = messageIdOf(top.message);
        if (id !== undefined && tracker.has(id)) {
          tracker.seen(id, ctx.now());
          await client.dele(e.msg);
        }
      }
      looked = still;
      await client.quit();
    } finally {
      client.destroy();
    }
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        await poll();
      } catch (err) {
        if (stopping || isMailprobeError(err, 'EABORTED')) return;
        ctx.reportError(err, ctx.now());
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
