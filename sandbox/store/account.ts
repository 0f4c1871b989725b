/**
 * One user's mail: mailboxes under a `/` hierarchy (INBOX plus special-use folders), their
 * subscriptions, the quota over all of them, and the POP3 maildrop lock. Failures are returned
 * as results carrying the RFC 5530 response code the IMAP front end sends.
 */
import type { SandboxLimits } from '../limits.js';
import { Mailbox, type SpecialUse } from './mailbox.js';
import type { Message } from './message.js';

export const DELIMITER = '/';

/** RFC 5530 codes for refusals (IMAP sends them; POP3 and SMTP map them). */
export type StoreRefusal = { readonly ok: false; readonly code: 'NONEXISTENT' | 'ALREADYEXISTS' | 'CANNOT' | 'OVERQUOTA' | 'LIMIT' | 'TOOBIG'; readonly text: string };
export type StoreResult<T> = { readonly ok: true; readonly value: T } | StoreRefusal;

/** What to do when a delivery does not fit the quota: refuse it, or drop the oldest INBOX mail. */
export type QuotaPolicy = 'reject' | 'evict-oldest';

const SPECIAL: readonly [string, SpecialUse][] = [
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
];
const MAX_NAME_BYTES = 255;
/** Delivery prepends trace fields to a message of up to the SIZE limit: room for them. */
const TRACE_ROOM = 16 * 1024;
const MAX_DEPTH = 16;

function refuse(code: StoreRefusal['code'], text: string): StoreRefusal {
  return { ok: false, code, text };
}

/** INBOX is case-insensitive (RFC 9051 §5.1), as the first level of a hierarchical name too. */
export function normalizeName(name: string): string {
  const first = name.split(DELIMITER, 1)[0]!;
  return first.toUpperCase() === 'INBOX' ? `INBOX${name.slice(first.length)}` : name;
}

export class Account {
  readonly address: string;
  readonly password: string;
  readonly subscriptions = new Set<string>();
  /** The POP3 session holding the maildrop (RFC 1939 §8: exclusive access). */
  pop3Holder: number | undefined;
  readonly #mailboxes = new Map<string, Mailbox>();
  readonly #limits: SandboxLimits;
  readonly #uidValidity: () => number;
  #messages = 0;
  #bytes = 0;

  constructor(address: string, password: string, limits: SandboxLimits, uidValidity: () => number) {
    this.address = address;
    this.password = password;
    this.#limits = limits;
    this.#uidValidity = uidValidity;
    this.#put(new Mailbox('INBOX', uidValidity()));
    this.subscriptions.add('INBOX');
    for (const [name, use] of SPECIAL) {
      this.#put(new Mailbox(name, uidValidity(), use));
      this.subscriptions.add(name);
    }
  }

  get inbox(): Mailbox {
    return this.#mailboxes.get('INBOX')!;
  }

  get usage(): { messages: number; bytes: number } {
    return { messages: this.#messages, bytes: this.#bytes };
  }

  /** The mailbox of that name (placeholders included), if any. */
  mailbox(name: string): Mailbox | undefined {
    return this.#mailboxes.get(normalizeName(name));
  }

  /** Every mailbox, sorted by name. */
  mailboxes(): Mailbox[] {
    return [...this.#mailboxes.values()].sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  hasChildren(name: string): boolean {
    const prefix = normalizeName(name) + DELIMITER;
    for (const key of this.#mailboxes.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** CREATE (RFC 9051 §6.3.4): superior names are created as needed. */
  create(rawName: string): StoreResult<Mailbox> {
    const name = normalizeName(rawName.endsWith(DELIMITER) ? rawName.slice(0, -1) : rawName);
    const invalid = invalidName(name);
    if (invalid) return refuse('CANNOT', invalid);
    const existing = this.#mailboxes.get(name);
    if (existing && !existing.noselect) return refuse('ALREADYEXISTS', 'Mailbox already exists');
    const levels = name.split(DELIMITER);
    const missing = levels.map((_, i) => levels.slice(0, i + 1).join(DELIMITER)).filter((n) => !this.#mailboxes.has(n));
    if (this.#mailboxes.size + missing.length > this.#limits.maxMailboxesPerUser) return refuse('LIMIT', 'Too many mailboxes');
    if (existing) this.#mailboxes.delete(name); // a \Noselect placeholder becomes a real mailbox
    for (const n of missing) if (n !== name) this.#put(new Mailbox(n, this.#uidValidity()));
    const created = new Mailbox(name, this.#uidValidity());
    this.#put(created);
    return { ok: true, value: created };
  }

  /**
   * DELETE (RFC 9051 §6.3.5): INBOX cannot be deleted; a mailbox with children loses its
   * messages and stays as a \Noselect placeholder; deleting such a placeholder is an error.
   */
  delete(rawName: string): StoreResult<Mailbox> {
    const name = normalizeName(rawName);
    if (name === 'INBOX') return refuse('CANNOT', 'INBOX cannot be deleted');
    const box = this.#mailboxes.get(name);
    if (!box) return refuse('NONEXISTENT', 'Mailbox does not exist');
    if (this.hasChildren(name)) {
      if (box.noselect) return refuse('CANNOT', 'Mailbox has children and no messages to delete');
      this.expunge(box, box.messages);
      box.noselect = true;
      return { ok: true, value: box };
    }
    this.expunge(box, box.messages);
    this.#mailboxes.delete(name);
    return { ok: true, value: box };
  }

  /**
   * RENAME (RFC 9051 §6.3.6): children move along; renaming INBOX moves its messages to a new
   * mailbox and leaves INBOX empty.
   */
  rename(rawFrom: string, rawTo: string): StoreResult<Mailbox> {
    const from = normalizeName(rawFrom);
    const to = normalizeName(rawTo);
    const box = this.#mailboxes.get(from);
    if (!box) return refuse('NONEXISTENT', 'Mailbox does not exist');
    const invalid = invalidName(to);
    if (invalid) return refuse('CANNOT', invalid);
    if (this.#mailboxes.has(to)) return refuse('ALREADYEXISTS', 'Target mailbox already exists');
    if (to.startsWith(from + DELIMITER)) return refuse('CANNOT', 'Cannot rename a mailbox into itself');
    if (from === 'INBOX') {
      const created = this.create(to);
      if (!created.ok) return created;
      for (const m of box.messages) created.value.add(m.bytes, m.flags, m.internalDate);
      this.#count(box.messages, -1);
      this.#count(created.value.messages, +1);
      box.remove([...box.messages]);
      return created;
    }
    const moving = [...this.#mailboxes.values()].filter((b) => b.name === from || b.name.startsWith(from + DELIMITER));
    const parents = to.split(DELIMITER).slice(0, -1);
    for (let i = 1; i <= parents.length; i++) {
      const parent = parents.slice(0, i).join(DELIMITER);
      if (!this.#mailboxes.has(parent) && !moving.some((b) => b.name === parent)) this.#put(new Mailbox(parent, this.#uidValidity()));
    }
    for (const b of moving) {
      this.#mailboxes.delete(b.name);
      b.name = to + b.name.slice(from.length);
      this.#put(b);
    }
    return { ok: true, value: box };
  }

  /** Whether `bytes` more (and one more message) fit the quota. */
  fits(bytes: number, messages = 1): boolean {
    return this.#messages + messages <= this.#limits.maxMessagesPerUser && this.#bytes + bytes <= this.#limits.maxBytesPerUser;
  }

  /**
   * Store a message. Over the quota it is refused (OVERQUOTA), unless the policy lets the oldest
   * INBOX messages make room (a load test then runs as long as it likes in bounded memory).
   */
  append(box: Mailbox, bytes: Buffer, flags: Iterable<string>, internalDate: Date, policy: QuotaPolicy = 'reject'): StoreResult<Message> {
    if (bytes.length > this.#limits.maxMessageBytes + TRACE_ROOM) return refuse('TOOBIG', 'Message too large');
    if (box.noselect) return refuse('NONEXISTENT', 'Mailbox does not exist');
    if (!this.fits(bytes.length) && policy === 'evict-oldest') {
      const inbox = this.inbox.messages;
      let freeBytes = 0;
      let n = 0;
      while (n < inbox.length && !this.fits(bytes.length - freeBytes, 1 - n)) freeBytes += inbox[n++]!.size;
      if (this.fits(bytes.length - freeBytes, 1 - n)) this.expunge(this.inbox, inbox.slice(0, n));
    }
    if (!this.fits(bytes.length)) return refuse('OVERQUOTA', 'Quota exceeded (mailbox is full)');
    const message = box.add(bytes, flags, internalDate);
    this.#count([message], +1);
    return { ok: true, value: message };
  }

  /** Remove messages from a mailbox (EXPUNGE, MOVE, POP3 UPDATE, eviction). */
  expunge(box: Mailbox, messages: readonly Message[]): Message[] {
    const removed = box.remove(messages);
    this.#count(removed, -1);
    return removed;
  }

  #count(messages: readonly Message[], sign: 1 | -1): void {
    for (const m of messages) {
      this.#messages += sign;
      this.#bytes += sign * m.size;
    }
  }

  #put(box: Mailbox): void {
    this.#mailboxes.set(box.name, box);
  }
}

/** Why a mailbox name cannot be created, or undefined when it can. */
function invalidName(name: string): string | undefined {
  if (name === '') return 'Empty mailbox name';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return 'Mailbox name too long';
  if (/[\x00-\x1f\x7f*%]/.test(name)) return 'Mailbox name contains wildcards or control characters';
  const levels = name.split(DELIMITER);
  if (levels.length > MAX_DEPTH) return 'Mailbox hierarchy too deep';
  if (levels.some((l) => l === '')) return 'Empty hierarchy level in mailbox name';
  return undefined;
}
