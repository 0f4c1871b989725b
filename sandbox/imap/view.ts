/**
 * One session's view of its selected mailbox: the sequence numbers its client knows, and the
 * changes other sessions made that it has not been told yet. RFC 9051 §7.5.1 (RFC 3501 §7.4.1):
 * EXPUNGE must not be sent while answering FETCH, STORE or SEARCH, so an expunged message stays
 * in the view (still fetchable, RFC 2180 §4.1.2) until a command that may announce it. EXISTS
 * and flag FETCHes may go with any command. IDLE is told about changes as they happen.
 */
import type { Mailbox, MailboxObserver } from '../store/mailbox.js';
import type { Message } from '../store/message.js';

export class SelectedView implements MailboxObserver {
  readonly sessionId: number;
  readonly readWrite: boolean;
  readonly mailbox: Mailbox;
  /** Called on every change (IDLE pushes). */
  onChange: (() => void) | undefined;
  #messages: Message[];
  readonly #expunged = new Set<Message>();
  readonly #flagged = new Set<Message>();
  #hasNew = false;
  #knownExists: number;

  constructor(mailbox: Mailbox, sessionId: number, readWrite: boolean) {
    this.mailbox = mailbox;
    this.sessionId = sessionId;
    this.readWrite = readWrite;
    // RFC 3501 §2.3.2: \Recent goes to the first read-write session; EXAMINE does not take it.
    if (readWrite) mailbox.claimRecent(sessionId);
    this.#messages = [...mailbox.messages];
    this.#knownExists = this.#messages.length;
    mailbox.observe(this);
  }

  /** The client's messages, by sequence number - 1. */
  get messages(): readonly Message[] {
    return this.#messages;
  }

  isRecent(m: Message): boolean {
    return m.recent === this.sessionId;
  }

  get recentCount(): number {
    let n = 0;
    for (const m of this.#messages) if (this.isRecent(m)) n++;
    return n;
  }

  /** The sequence number of a message in this view (by binary search on UID), or 0. */
  seqOf(m: Message): number {
    let lo = 0;
    let hi = this.#messages.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = this.#messages[mid]!;
      if (x.uid === m.uid) return x === m ? mid + 1 : 0;
      if (x.uid < m.uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Still in the mailbox (not expunged by anyone, announced or not). */
  isLive(m: Message): boolean {
    return !this.#expunged.has(m) && this.mailbox.byUid(m.uid) === m;
  }

  appended(): void {
    this.#hasNew = true;
    this.onChange?.();
  }

  expunged(m: Message): void {
    if (this.seqOf(m) === 0) return;
    this.#expunged.add(m);
    this.onChange?.();
  }

  flagsChanged(m: Message): void {
    if (this.seqOf(m) === 0) return;
    this.#flagged.add(m);
    this.onChange?.();
  }

  /**
   * The untagged responses due now: EXPUNGEs (when allowed; each renumbers the rest, so they
   * are numbered as the client will see them), EXISTS/RECENT for new mail, flag changes.
   */
  flush(allowExpunge: boolean): string[] {
    const lines: string[] = [];
    if (allowExpunge && this.#expunged.size > 0) {
      const kept: Message[] = [];
      let removed = 0;
      this.#messages.forEach((m, i) => {
        if (this.#expunged.has(m)) {
          lines.push(`* ${i + 1 - removed} EXPUNGE`);
          removed++;
          this.#flagged.delete(m);
        } else kept.push(m);
      });
      this.#messages = kept;
      this.#knownExists -= removed;
      this.#expunged.clear();
    }
    if (this.#hasNew) {
      this.#hasNew = false;
      const last = this.#messages.length === 0 ? 0 : this.#messages[this.#messages.length - 1]!.uid;
      const all = this.mailbox.messages;
      let start = all.length;
      while (start > 0 && all[start - 1]!.uid > last) start--;
      for (let i = start; i < all.length; i++) this.#messages.push(all[i]!);
    }
    if (this.#messages.length !== this.#knownExists) {
      this.#knownExists = this.#messages.length;
      lines.push(`* ${this.#knownExists} EXISTS`, `* ${this.recentCount} RECENT`);
    }
    for (const m of this.#flagged) {
      const seq = this.seqOf(m);
      if (seq > 0) lines.push(`* ${seq} FETCH (UID ${m.uid} FLAGS (${this.flagsOf(m).join(' ')}))`);
    }
    this.#flagged.clear();
    return lines;
  }

  /** Flags as this session sees them: stored flags plus its own \Recent. */
  flagsOf(m: Message): string[] {
    return this.isRecent(m) ? [...m.flags, '\\Recent'] : m.flags;
  }

  /** Stop watching (UNSELECT, CLOSE, SELECT elsewhere, LOGOUT, disconnect). */
  close(): void {
    this.onChange = undefined;
    this.mailbox.unobserve(this);
  }
}
