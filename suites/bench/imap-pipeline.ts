/**
 * `--pipeline` for imap-session: consecutive ops of the mix that need no go-ahead and no
 * result of the one before (FETCH, SEARCH, STORE, NOOP, STATUS, LIST) are written together
 * and their completions read by tag (RFC 9051 §5.5), like SMTP PIPELINING: one write and one
 * round trip for the group. Each command is timed from the group's write to its completion.
 */
import { astring } from '../../drivers/imap/command-encoder.js';
import type { PipelinedCommand } from '../../drivers/imap/connection.js';
import type { ImapOp } from './config.js';
import { refusedBy } from './imap-open.js';
import type { MixState } from './imap-mix.js';

/** The ops a group may hold. */
export const PIPELINABLE: ReadonlySet<ImapOp> = new Set(['fetch', 'fetch-body', 'search', 'store', 'noop', 'status', 'list']);

/** The metric each pipelinable op is timed under. */
const METRIC: Readonly<Partial<Record<ImapOp, string>>> = {
  fetch: 'imap.fetch',
  'fetch-body': 'imap.fetch_body',
  search: 'imap.search',
  store: 'imap.store',
  noop: 'imap.noop',
  status: 'imap.status',
  list: 'imap.list',
};

/** A label the exchange recorder skips: the group's results are recorded here instead. */
export const SKIP = '';

/** The command of `op`, or undefined when it has nothing to act on (empty mailbox). */
function commandFor(s: MixState, op: ImapOp): PipelinedCommand | undefined {
  switch (op) {
    case 'fetch':
    case 'fetch-body': {
      const target = pickTarget(s);
      if (target === undefined) return undefined;
      return { name: target.uid ? 'UID FETCH' : 'FETCH', args: [target.set, op === 'fetch' ? '(UID FLAGS BODY.PEEK[HEADER])' : '(UID FLAGS BODY.PEEK[])'] };
    }
    case 'search':
      return { name: 'UID SEARCH', args: ['UNSEEN'] };
    case 'store': {
      const target = pickTarget(s);
      if (target === undefined) return undefined;
      s.flagged = !s.flagged;
      return { name: target.uid ? 'UID STORE' : 'STORE', args: [target.set, s.flagged ? '+FLAGS.SILENT' : '-FLAGS.SILENT', '(\\Flagged)'] };
    }
    case 'noop':
      return { name: 'NOOP' };
    case 'status':
      return { name: 'STATUS', args: [astring(s.mailbox), '(MESSAGES UNSEEN)'] };
    case 'list':
      return { name: 'LIST', args: ['""', '*'] };
    default:
      return undefined;
  }
}

/** Same choice as the unpipelined ops: this iteration's APPEND, else the next by sequence. */
function pickTarget(s: MixState): { set: string; uid: boolean } | undefined {
  if (s.appended !== undefined) return { set: String(s.appended), uid: true };
  if (s.exists === 0) return undefined;
  s.cursor = (s.cursor % s.exists) + 1;
  return { set: String(s.cursor), uid: false };
}

/** Run `ops` (all pipelinable) as one group. */
export async function runGroup(s: MixState, ops: readonly ImapOp[], metrics: { metric(name: string): { record(startedAt: number, ms: number, ok?: boolean): void } }): Promise<void> {
  const names: string[] = [];
  const commands: PipelinedCommand[] = [];
  for (const op of ops) {
    const c = commandFor(s, op);
    if (c === undefined) continue;
    commands.push(c);
    names.push(METRIC[op]!);
  }
  if (commands.length === 0) return;
  s.exchanges.label = SKIP;
  let results;
  try {
    results = await s.client.pipeline(commands);
  } finally {
    s.exchanges.label = undefined;
  }
  let refusal: Error | undefined;
  results.forEach((r, i) => {
    const ok = r.status === 'OK';
    metrics.metric(names[i]!).record(r.timing.startedAt, r.timing.totalMs, ok);
    if (!ok) refusal ??= refusedBy(names[i]!, r);
  });
  if (refusal) throw refusal;
}
