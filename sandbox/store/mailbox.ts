/**
 * A mailbox: messages in UID order, its UIDVALIDITY and UIDNEXT (RFC 9051 §2.3.1.1), and the
 * sessions watching it. Every change is announced to observers, which queue it and report it to
 * their client when the protocol allows (IMAP: EXISTS, EXPUNGE, FETCH FLAGS; IDLE pushes).
 */
import { Message } from './message.js';

/** A session that has the mailbox selected. */
export interface MailboxObserver {
  /** The session that caused a change does not hear about it again. */
  readonly sessionId: number;
  /** Opened with SELECT (not EXAMINE): it may claim \Recent. */
  readonly readWrite: boolean;
  appended(message: Message): void;
  expunged(message: Message): void;
  flagsChanged(message: Message): void;
}

/** RFC 6154 special-use attributes the sandbox creates folders for. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk';

export class Mailbox {
  name: string;
  readonly specialUse: SpecialUse | undefined;
  readonly uidValidity: number;
  uidNext = 1;
  /** A placeholder left when a mailbox with children is deleted (RFC 9051 §6.3.5): \Noselect. */
  noselect = false;
  readonly #messages: Message[] = [];
  readonly #observers = new Set<MailboxObserver>();
  readonly #keywords = new Map<string, string>();

  constructor(name: string, uidValidity: number, specialUse?: SpecialUse) {
    this.name = name;
    this.uidValidity = uidValidity;
    this.specialUse = specialUse;
  }

  get messages(): readonly Message[] {
    return this.#messages;
  }

  get count(): number {
    return this.#messages.length;
  }

  get bytes(): number {
    let total = 0;
    for (const m of this.#messages) total += m.size;
    return total;
  }

  /** Keywords ever set in this mailbox, for the FLAGS response. */
  get keywords(): string[] {
    return [...this.#keywords.values()];
  }

  get observers(): ReadonlySet<MailboxObserver> {
    return this.#observers;
  }

  observe(observer: MailboxObserver): void {
    this.#observers.add(observer);
  }

  unobserve(observer: MailboxObserver): void {
    this.#observers.delete(observer);
    // \Recent lasts for the session that claimed it (RFC 3501 §2.3.2).
    for (const m of this.#messages) if (m.recent === observer.sessionId) m.recent = 'gone';
  }

  byUid(uid: number): Message | undefined {
    let lo = 0;
    let hi = this.#messages.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.#messages[mid]!;
      if (m.uid === uid) return m;
      if (m.uid < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Add a message with the next UID; observers learn of it. */
  add(bytes: Buffer, flags: Iterable<string>, internalDate: Date): Message {
    const message = new Message(this.uidNext++, bytes, internalDate, flags);
    this.#noteKeywords(message);
    // The first read-write session that sees a new message holds its \Recent.
    const claimer = [...this.#observers].find((o) => o.readWrite);
    if (claimer) message.recent = claimer.sessionId;
    this.#messages.push(message);
    for (const o of this.#observers) o.appended(message);
    return message;
  }

  /** Remove messages; observers queue EXPUNGE responses for them. */
  remove(messages: Iterable<Message>): Message[] {
    const doomed = new Set(messages);
    const removed: Message[] = [];
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const m = this.#messages[i]!;
      if (doomed.has(m)) {
        this.#messages.splice(i, 1);
        removed.unshift(m);
      }
    }
    for (const m of removed) for (const o of this.#observers) o.expunged(m);
    return removed;
  }

  /** Tell other sessions a message's flags changed (the caller changed them). */
  flagsChanged(message: Message, by: number | undefined): void {
    this.#noteKeywords(message);
    for (const o of this.#observers) if (o.sessionId !== by) o.flagsChanged(message);
  }

  /** Hand unclaimed \Recent messages to a session that selects the mailbox read-write. */
  claimRecent(sessionId: number): void {
    for (const m of this.#messages) if (m.recent === 'unclaimed') m.recent = sessionId;
  }

  #noteKeywords(message: Message): void {
    for (const f of message.flags) if (!f.startsWith('\\') && this.#keywords.size < 256) this.#keywords.set(f.toLowerCase(), f);
  }
}
