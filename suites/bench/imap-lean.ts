/**
 * The read and flag ops of the imap-session mix (fetch, fetch-body, search, store, noop,
 * status, list) on the hot path: the mix acts on none of their data, so they skip the driver's
 * parser and result objects. Commands are encoded once per session where they never change,
 * written one at a time or, with --pipeline, a run of them in one write (RFC 9051 §5.5: the
 * client may send several commands without waiting; completions are matched by tag), and read
 * to their completions by imap-wire.ts.
 *
 * Metrics are the driver path's: each command under its op's name (imap.fetch, imap.fetch_body,
 * …), timed from the write of its group to its tagged completion, ok when the status is OK; a
 * NO or BAD then fails the op (refusedBy), the first one of a group once all are read. A
 * failure before the completions records nothing, as in the driver (no exchange was completed).
 *
 * APPEND (APPENDUID), EXPUNGE and IDLE stay on the driver (imap-mix.ts), and so does STATUS
 * when the mailbox name cannot be sent as a quoted string (it would need a literal go-ahead).
 */
import { astring, encodeCommand, type CommandArg } from '../../drivers/imap/command-encoder.js';
import type { ImapClient } from '../../drivers/imap/client.js';
import { writtenAtOnce, type Transport } from '../../drivers/transport.js';
import type { Metric, MetricsRegistry } from '../../engine/load/metrics.js';
import type { ImapOp } from './config.js';
import { refusedBy } from './imap-open.js';
import { ImapWire, WAITING, type CompletionReceiver } from './imap-wire.js';

/** The metric each lean op is timed under. */
const METRIC: Readonly<Partial<Record<ImapOp, string>>> = {
  fetch: 'imap.fetch',
  'fetch-body': 'imap.fetch_body',
  search: 'imap.search',
  store: 'imap.store',
  noop: 'imap.noop',
  status: 'imap.status',
  list: 'imap.list',
};

/** FETCH items of the two fetch ops. */
const HEADER_ITEMS = ' (UID FLAGS BODY.PEEK[HEADER])\r\n';
const MESSAGE_ITEMS = ' (UID FLAGS BODY.PEEK[])\r\n';
/** Encoded once, quoted strings only: a command that needs a literal is not lean. */
const NO_LITERALS = { literalPlus: false, literalMinus: false };

/** Where the lean ops keep their place between iterations (the mix's MixState). */
export interface LeanCursor {
  readonly exists: number;
  /** UID of the message this iteration appended, if any. */
  readonly appended: number | undefined;
  /** Sequence number walk over existing messages. */
  cursor: number;
  /** Alternates +FLAGS / -FLAGS so `store` leaves flags as it found them. */
  flagged: boolean;
}

/**
 * Metric handles of one scenario thread, taken on first use: an op that never ran (fetch on
 * an empty mailbox) adds no metric to the report, as with the driver's exchange hook.
 */
export class LeanMetrics {
  readonly #registry: MetricsRegistry;
  readonly #handles: Partial<Record<ImapOp, Metric>> = {};

  constructor(registry: MetricsRegistry) {
    this.#registry = registry;
  }

  of(op: ImapOp): Metric {
    return (this.#handles[op] ??= this.#registry.metric(METRIC[op] ?? 'imap.other'));
  }
}

/** One session's lean ops. */
export class LeanImap {
  readonly #t: Transport;
  readonly #wire: ImapWire;
  readonly #metrics: LeanMetrics;
  /** The commands that never change, without tags; STATUS only when quotable. */
  readonly #fixed: Partial<Record<ImapOp, Buffer>>;
  /** The group being run (reused: one session runs one group at a time). */
  readonly #bodies: Buffer[] = [];
  readonly #timed: Metric[] = [];
  /** runEach's place: the cursor, the ops, the next op to write, the end, its promise. */
  #eachCursor: LeanCursor | undefined;
  #eachOps: readonly ImapOp[] = [];
  #eachAt = 0;
  #eachEnd = 0;
  #eachResolve: (() => void) | undefined;
  #eachReject: ((err: unknown) => void) | undefined;
  readonly #eachReceiver: CompletionReceiver = {
    completed: (index) => this.#eachCompleted(index),
    failed: (err) => this.#eachDone(err),
  };
  readonly #eachWritten = (): void => this.#eachWrittenOut();
  readonly #eachFailed = (err: unknown): void => this.#eachDone(err);

  constructor(client: ImapClient, mailbox: string, metrics: LeanMetrics) {
    this.#t = client.transport;
    this.#wire = new ImapWire(client.transport, client, client.transport.timeouts.commandMs);
    this.#metrics = metrics;
    const status = encoded('STATUS', [astring(mailbox), '(MESSAGES UNSEEN)']);
    this.#fixed = {
      search: encoded('UID SEARCH', ['UNSEEN']),
      noop: encoded('NOOP', []),
      list: encoded('LIST', ['""', '*']),
      ...(status === undefined ? {} : { status }),
    };
  }

  /** Whether `op` runs here (else on the driver). */
  has(op: ImapOp): boolean {
    switch (op) {
      case 'fetch':
      case 'fetch-body':
      case 'store':
      case 'search':
      case 'noop':
      case 'list':
        return true;
      case 'status':
        return this.#fixed.status !== undefined;
      default:
        return false;
    }
  }

  /**
   * Run `ops[from..to)` (all `has`) as one group: one write, each command timed from it to
   * its completion. A group of one is a command on its own.
   */
  async run(s: LeanCursor, ops: readonly ImapOp[], from: number, to: number): Promise<void> {
    // The first `count` entries are this group's; the arrays are overwritten, never truncated
    // (setting an array's length is a runtime call, once per command here).
    const bodies = this.#bodies;
    const timed = this.#timed;
    let count = 0;
    for (let i = from; i < to; i++) {
      const op = ops[i]!;
      const body = this.#body(s, op);
      if (body === undefined) continue;
      bodies[count] = body;
      timed[count] = this.#metrics.of(op);
      count++;
    }
    if (count === 0) return;
    const w = this.#wire;
    const written = w.send(bodies, count);
    // A write the socket took at once is not awaited: a microtask less per command.
    if (!writtenAtOnce(written)) await written;
    const at = w.startedAt;
    let refusal: Error | undefined;
    for (let left = count; left > 0; left--) {
      const read = w.next();
      const i = typeof read === 'number' ? read : await read;
      const ok = w.status === 'OK';
      const metric = timed[i]!;
      metric.record(at, this.#t.now() - at, ok);
      if (!ok) refusal ??= refusedBy(metric.name, w);
    }
    if (refusal) throw refusal;
  }

  /**
   * Run `ops[from..to)` (all `has`) one at a time: each written once the one before it is
   * completed, timed from its own write; a NO or BAD fails the op and ends the run there. The
   * same as run() for each op in turn, with one promise for all of them instead of a few per
   * command (completions come by callback, ImapWire.nextTo).
   */
  runEach(s: LeanCursor, ops: readonly ImapOp[], from: number, to: number): Promise<void> {
    if (this.#eachResolve !== undefined) return Promise.reject(new Error('LeanImap.runEach() while a run is in flight'));
    return new Promise<void>((resolve, reject) => {
      this.#eachCursor = s;
      this.#eachOps = ops;
      this.#eachAt = from;
      this.#eachEnd = to;
      this.#eachResolve = resolve;
      this.#eachReject = reject;
      this.#eachStep();
    });
  }

  /** Write the next ops, taking completions already buffered, until one has to be waited for. */
  #eachStep(): void {
    const w = this.#wire;
    try {
      while (this.#eachAt < this.#eachEnd) {
        const op = this.#eachOps[this.#eachAt]!;
        const body = this.#body(this.#eachCursor!, op);
        if (body === undefined) {
          this.#eachAt++;
          continue;
        }
        this.#bodies[0] = body;
        this.#timed[0] = this.#metrics.of(op);
        const written = w.send(this.#bodies, 1);
        if (!writtenAtOnce(written)) {
          written.then(this.#eachWritten, this.#eachFailed);
          return;
        }
        const done = w.nextTo(this.#eachReceiver);
        if (done === WAITING) return;
        this.#eachTook(done);
      }
    } catch (err) {
      this.#eachDone(err);
      return;
    }
    this.#eachDone(undefined);
  }

  /** A write that had to be waited for is out: its completion now, or later. */
  #eachWrittenOut(): void {
    let done: number;
    try {
      done = this.#wire.nextTo(this.#eachReceiver);
    } catch (err) {
      this.#eachDone(err);
      return;
    }
    if (done !== WAITING) this.#eachCompleted(done);
  }

  /** The op in flight completed (heard later): record it, then go on with the next ones. */
  #eachCompleted(index: number): void {
    try {
      this.#eachTook(index);
    } catch (err) {
      this.#eachDone(err);
      return;
    }
    this.#eachStep();
  }

  /** Record the completed op in flight and move past it; a refusal throws. */
  #eachTook(index: number): void {
    const w = this.#wire;
    const ok = w.status === 'OK';
    const metric = this.#timed[index]!;
    const at = w.startedAt;
    metric.record(at, this.#t.now() - at, ok);
    if (!ok) throw refusedBy(metric.name, w);
    this.#eachAt++;
  }

  #eachDone(err: unknown): void {
    const resolve = this.#eachResolve;
    const reject = this.#eachReject;
    this.#eachResolve = this.#eachReject = undefined;
    this.#eachCursor = undefined;
    if (err !== undefined) reject?.(err);
    else resolve?.();
  }

  /** The command of `op` without its tag; undefined when it has nothing to act on (empty mailbox). */
  #body(s: LeanCursor, op: ImapOp): Buffer | undefined {
    switch (op) {
      case 'fetch':
      case 'fetch-body':
        return targeted(s, 'FETCH', op === 'fetch' ? HEADER_ITEMS : MESSAGE_ITEMS);
      case 'store': {
        const body = targeted(s, 'STORE', s.flagged ? ' -FLAGS.SILENT (\\Flagged)\r\n' : ' +FLAGS.SILENT (\\Flagged)\r\n');
        if (body !== undefined) s.flagged = !s.flagged;
        return body;
      }
      default:
        return this.#fixed[op];
    }
  }
}

/**
 * ` [UID ]VERB set<tail>`: this iteration's APPEND by UID when there is one, else the next
 * message by sequence number (RFC 9051 §6.4.9 for the UID form).
 */
function targeted(s: LeanCursor, verb: string, tail: string): Buffer | undefined {
  if (s.appended !== undefined) return Buffer.from(` UID ${verb} ${s.appended}${tail}`, 'latin1');
  if (s.exists === 0) return undefined;
  s.cursor = (s.cursor % s.exists) + 1;
  return Buffer.from(` ${verb} ${s.cursor}${tail}`, 'latin1');
}

/**
 * A fixed command's bytes after the tag: the driver's encoder with an empty tag gives
 * ` NAME args\r\n`. Undefined when an argument needs a literal (a go-ahead to wait for).
 */
function encoded(name: string, args: readonly CommandArg[]): Buffer | undefined {
  const e = encodeCommand('', name, args, NO_LITERALS);
  return e.segments.length === 1 ? e.segments[0]!.wire : undefined;
}
