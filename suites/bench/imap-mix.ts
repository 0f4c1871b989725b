/**
 * The IMAP command mix of `imap-session`: each op is one (or two) commands, timed under its
 * own metric (`imap.fetch` for a header FETCH, `imap.fetch_body` for a whole message, …).
 * Ops that read a message use the one this iteration APPENDed when there is one, else walk
 * the mailbox by sequence number; with an empty mailbox they are skipped. Nothing is ever
 * deleted that the run did not add itself (`expunge` removes only its own APPENDs, by UID).
 */
import type { ImapClient } from '../../drivers/imap/client.js';
import type { CommandResult } from '../../drivers/imap/connection.js';
import type { ExchangeMetrics } from './connection.js';
import type { ImapOp } from './config.js';
import { refusedBy } from './imap-open.js';

/** What one session knows between ops. */
export interface MixState {
  readonly client: ImapClient;
  readonly exchanges: ExchangeMetrics;
  readonly mailbox: string;
  readonly uidplus: boolean;
  /** The raw message APPEND sends (built once per thread). */
  readonly message: Buffer;
  exists: number;
  /** UID of the message this iteration appended, if any. */
  appended: number | undefined;
  /** Sequence number walk over existing messages. */
  cursor: number;
  /** Alternates +FLAGS / -FLAGS so `store` leaves flags as it found them. */
  flagged: boolean;
}

export async function runOp(s: MixState, op: ImapOp): Promise<void> {
  switch (op) {
    case 'append': {
      const r = await labelled(s, 'imap.append', () => s.client.append(s.mailbox, s.message, { flags: ['\\Seen'] }));
      if (r.status !== 'OK') throw refusedBy('imap.append', r);
      s.exists++;
      s.appended = r.appendUid?.uid;
      return;
    }
    case 'fetch':
    case 'fetch-body': {
      const target = pick(s);
      if (target === undefined) return;
      const items = op === 'fetch' ? '(UID FLAGS BODY.PEEK[HEADER])' : '(UID FLAGS BODY.PEEK[])';
      const name = op === 'fetch' ? 'imap.fetch' : 'imap.fetch_body';
      const r = await labelled(s, name, () => s.client.fetch(target.set, items, { uid: target.uid }));
      if (r.status !== 'OK') throw refusedBy(name, r);
      return;
    }
    case 'search': {
      const r = await labelled(s, 'imap.search', () => s.client.search('UNSEEN', { uid: true }));
      if (r.status !== 'OK') throw refusedBy('imap.search', r);
      return;
    }
    case 'store': {
      const target = pick(s);
      if (target === undefined) return;
      s.flagged = !s.flagged;
      const r = await labelled(s, 'imap.store', () => s.client.store(target.set, s.flagged ? '+FLAGS.SILENT' : '-FLAGS.SILENT', '(\\Flagged)', { uid: target.uid }));
      if (r.status !== 'OK') throw refusedBy('imap.store', r);
      return;
    }
    case 'expunge': {
      const uid = s.appended;
      if (uid === undefined || !s.uidplus) return;
      const del = await labelled(s, 'imap.store', () => s.client.store(String(uid), '+FLAGS.SILENT', '(\\Deleted)', { uid: true }));
      if (del.status !== 'OK') throw refusedBy('imap.store', del);
      const r = await labelled(s, 'imap.expunge', () => s.client.expunge({ uidSet: String(uid) }));
      if (r.status !== 'OK') throw refusedBy('imap.expunge', r);
      s.appended = undefined;
      s.exists = Math.max(0, s.exists - 1);
      return;
    }
    case 'idle': {
      const started = await labelled(s, 'imap.idle', async () => {
        const start = await s.client.idle();
        return start.started ? start.session.done() : start.result;
      });
      if (started.status !== 'OK') throw refusedBy('imap.idle', started);
      return;
    }
    case 'noop': {
      const r = await labelled(s, 'imap.noop', () => s.client.noop());
      if (r.status !== 'OK') throw refusedBy('imap.noop', r);
      return;
    }
    case 'status': {
      const r = await labelled(s, 'imap.status', () => s.client.status(s.mailbox, ['MESSAGES', 'UNSEEN']));
      if (r.status !== 'OK') throw refusedBy('imap.status', r);
      return;
    }
    case 'list': {
      const r = await labelled(s, 'imap.list', () => s.client.list('', '*'));
      if (r.status !== 'OK') throw refusedBy('imap.list', r);
      return;
    }
  }
}

/** The message an op reads: this iteration's APPEND by UID, else the next by sequence number. */
function pick(s: MixState): { set: string; uid: boolean } | undefined {
  if (s.appended !== undefined) return { set: String(s.appended), uid: true };
  if (s.exists === 0) return undefined;
  s.cursor = (s.cursor % s.exists) + 1;
  return { set: String(s.cursor), uid: false };
}

/** Run `fn` with its exchanges recorded under `name`. */
async function labelled<T extends CommandResult>(s: MixState, name: string, fn: () => Promise<T>): Promise<T> {
  s.exchanges.label = name;
  try {
    return await fn();
  } finally {
    s.exchanges.label = undefined;
  }
}
