/**
 * Mail store of the broken IMAP server: mailboxes, messages, the sessions that have them
 * selected, and how each session learns about changes (EXISTS, EXPUNGE, FLAGS) as a server
 * must (RFC 9051 §5.2, §7.5.1): no EXPUNGE during FETCH, STORE or SEARCH.
 */

export interface Message {
  readonly uid: number;
  flags: Set<string>;
  readonly body: Buffer;
  modseq: number;
}

export class Mailbox {
  readonly uidValidity: number;
  uidNext = 1;
  highestModseq = 1;
  messages: Message[] = [];
  /** Special-use attribute (RFC 6154), e.g. \Sent. */
  readonly specialUse: string | undefined;

  constructor(
    readonly name: string,
    uidValidity: number,
    specialUse?: string,
  ) {
    this.uidValidity = uidValidity;
    this.specialUse = specialUse;
  }

  add(body: Buffer, flags: Iterable<string>): Message {
    const m: Message = { uid: this.uidNext++, flags: new Set(flags), body, modseq: ++this.highestModseq };
    this.messages.push(m);
    return m;
  }

  byUid(uid: number): Message | undefined {
    return this.messages.find((m) => m.uid === uid);
  }

  touch(m: Message): void {
    m.modseq = ++this.highestModseq;
  }
}

/** What a session has been told about its selected mailbox. */
export interface Selection {
  box: Mailbox;
  readOnly: boolean;
  /** UIDs in message sequence number order, as this session knows them. */
  view: number[];
  /** Flags last reported to this session, per UID. */
  known: Map<number, string>;
}

export interface StoreSession {
  selection: Selection | undefined;
  condstore: boolean;
  /** The tag of a running IDLE, if any. */
  idleTag: string | undefined;
  write(text: string): void;
}

export function flagList(flags: Iterable<string>): string {
  return `(${[...flags].join(' ')})`;
}

export interface SyncOptions {
  /** EXPUNGE responses may be sent (not during FETCH, STORE, SEARCH). */
  expunge: boolean;
  /** Report messages other sessions added (EXISTS). */
  exists: boolean;
  /** Report flag changes made by others (FETCH). */
  flags: boolean;
}

/** Bring a session's view up to date; returns the untagged lines to send. */
export function sync(s: StoreSession, options: SyncOptions): string[] {
  const sel = s.selection;
  if (!sel) return [];
  const out: string[] = [];
  const present = new Set(sel.box.messages.map((m) => m.uid));
  if (options.expunge) {
    for (let i = 0; i < sel.view.length; ) {
      const uid = sel.view[i]!;
      if (present.has(uid)) {
        i++;
        continue;
      }
      out.push(`* ${i + 1} EXPUNGE`);
      sel.view.splice(i, 1);
      sel.known.delete(uid);
    }
  }
  if (options.exists) {
    const max = sel.view.length > 0 ? sel.view[sel.view.length - 1]! : 0;
    const fresh = sel.box.messages.filter((m) => m.uid > max);
    if (fresh.length > 0) {
      for (const m of fresh) {
        sel.view.push(m.uid);
        sel.known.set(m.uid, flagList(m.flags));
      }
      out.push(`* ${sel.view.length} EXISTS`);
    }
  }
  if (options.flags) {
    sel.view.forEach((uid, i) => {
      const m = sel.box.byUid(uid);
      if (!m) return;
      const now = flagList(m.flags);
      if (sel.known.get(uid) === now) return;
      sel.known.set(uid, now);
      out.push(`* ${i + 1} FETCH (UID ${uid} FLAGS ${now}${s.condstore ? ` MODSEQ (${m.modseq})` : ''})`);
    });
  }
  return out;
}

/** Parse a sequence set (`1:3,5`, `*`); undefined when a number is out of range or zero. */
export function parseSeqSet(set: string, count: number): number[] | undefined {
  const out = new Set<number>();
  for (const part of set.split(',')) {
    const [a, b] = part.split(':');
    const n = (x: string): number => (x === '*' ? count : Number(x));
    const lo = n(a!);
    const hi = b === undefined ? lo : n(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < 1 || lo > count || hi > count) return undefined;
    for (let i = Math.min(lo, hi); i <= Math.max(lo, hi); i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Parse a UID set against the UIDs a session knows; non-existent UIDs are ignored. */
export function parseUidSet(set: string, uids: readonly number[]): number[] {
  const max = uids.length > 0 ? uids[uids.length - 1]! : 0;
  const out = new Set<number>();
  for (const part of set.split(',')) {
    const [a, b] = part.split(':');
    const n = (x: string): number => (x === '*' ? max : Number(x));
    const lo = n(a!);
    const hi = b === undefined ? lo : n(b);
    for (const uid of uids) if (uid >= Math.min(lo, hi) && uid <= Math.max(lo, hi)) out.add(uid);
  }
  return [...out].sort((x, y) => x - y);
}
