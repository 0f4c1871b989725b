/**
 * The IMAP command mix of `imap-session`: each op is one (or two) commands, timed under its
 * own metric (`imap.fetch` for a header FETCH, `imap.fetch_body` for a whole message, …).
 * Ops that read a message use the one this iteration APPENDed when there is one, else walk
 * the mailbox by sequence number; with an empty mailbox they are skipped. Nothing is ever
 * deleted that the run did not add itself (`expunge` removes only its own APPENDs, by UID).
 *
 * The read and flag ops run on the lean path (imap-lean.ts); the ops that need the server's
 * data or a go-ahead (APPEND's APPENDUID, EXPUNGE, IDLE) run on the driver, timed by its
 * exchange hook under the op's label.
 */
import type { ImapClient } from '../../drivers/imap/client.js';
import type { CommandResult } from '../../drivers/imap/connection.js';
import type { ExchangeMetrics } from './connection.js';
import type { ImapOp } from './config.js';
import type { LeanCursor, LeanImap } from './imap-lean.js';
import { refusedBy } from './imap-open.js';

/** What one session knows between ops. */
export interface MixState extends LeanCursor {
  readonly client: ImapClient;
  readonly exchanges: ExchangeMetrics;
  readonly lean: LeanImap;
  readonly mailbox: string;
  readonly uidplus: boolean;
  /** The raw message APPEND sends (built once per thread). */
  readonly message: Buffer;
  exists: number;
  /** UID of the message this iteration appended, if any. */
  appended: number | undefined;
}

/**
 * One iteration: the mix in order. With `pipeline`, each run of consecutive lean ops goes as
 * one group (one write, one round trip); without, every op on its own, one after another.
 */
export async function runMix(s: MixState, mix: readonly ImapOp[], pipeline: boolean): Promise<void> {
  const lean = s.lean;
  for (let i = 0; i < mix.length; ) {
    if (!lean.has(mix[i]!)) {
      await runOp(s, mix[i]!);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < mix.length && lean.has(mix[j]!)) j++;
    await (pipeline ? lean.run(s, mix, i, j) : lean.runEach(s, mix, i, j));
    i = j;
  }
}

/** An op the lean path does not run, on the driver. */
async function runOp(s: MixState, op: ImapOp): Promise<void> {
  switch (op) {
    case 'append': {
      const r = await labelled(s, 'imap.append', () => s.client.append(s.mailbox, s.message, { flags: ['\\Seen'] }));
      if (r.status !== 'OK') throw refusedBy('imap.append', r);
      s.exists++;
      s.appended = r.appendUid?.uid;
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
    case 'status': {
      // Here only when the mailbox name needs a literal (imap-lean.ts sends quotable ones).
      const r = await labelled(s, 'imap.status', () => s.client.status(s.mailbox, ['MESSAGES', 'UNSEEN']));
      if (r.status !== 'OK') throw refusedBy('imap.status', r);
      return;
    }
    default:
      throw new Error(`imap-session: ${op} runs on the lean path`);
  }
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
