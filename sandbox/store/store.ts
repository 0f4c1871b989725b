/**
 * The in-memory store the three front ends share: accounts by address, authentication, local
 * delivery, and UIDVALIDITY values that never repeat within a run (RFC 9051 §2.3.1.1: a
 * re-created mailbox must not reuse one).
 */
import { timingSafeEqual } from 'node:crypto';
import type { SandboxLimits } from '../limits.js';
import type { SandboxUser } from '../users.js';
import { Account, type QuotaPolicy, type StoreResult } from './account.js';
import type { Message } from './message.js';

export interface StoreStats {
  /** Messages delivered by SMTP into a mailbox. */
  delivered: number;
  /** Recipients outside the sandbox accepted from logged-in users and discarded (never relayed). */
  discarded: number;
  /** Messages dropped from INBOXes to make room under the quota. */
  evicted: number;
}

export class Store {
  readonly domain: string;
  readonly limits: SandboxLimits;
  readonly quotaPolicy: QuotaPolicy;
  readonly stats: StoreStats = { delivered: 0, discarded: 0, evicted: 0 };
  readonly #accounts = new Map<string, Account>();
  #uidValidity: number;

  constructor(options: { domain: string; limits: SandboxLimits; users: readonly SandboxUser[]; quotaPolicy?: QuotaPolicy }) {
    this.domain = options.domain.toLowerCase();
    this.limits = options.limits;
    this.quotaPolicy = options.quotaPolicy ?? 'evict-oldest';
    // Seconds since the epoch: distinct from the values of an earlier run of the sandbox.
    this.#uidValidity = Math.floor(Date.now() / 1000);
    for (const u of options.users) {
      this.#accounts.set(u.address, new Account(u.address, u.password, this.limits, () => this.#nextUidValidity()));
    }
  }

  get accounts(): Account[] {
    return [...this.#accounts.values()];
  }

  /** The account of an address, or of a bare local part on the sandbox's domain. */
  account(name: string): Account | undefined {
    const lower = name.trim().toLowerCase();
    return this.#accounts.get(lower) ?? this.#accounts.get(`${lower}@${this.domain}`);
  }

  /** Check a login; compares in constant time so timing says nothing about the password. */
  authenticate(user: string, password: string): Account | undefined {
    const account = this.account(user);
    const given = Buffer.from(password, 'utf8');
    const expected = Buffer.from(account?.password ?? '\0invalid', 'utf8');
    const same = given.length === expected.length && timingSafeEqual(given, expected);
    return account && same ? account : undefined;
  }

  /** Whether an address is on the sandbox's own domain (delivered here, never relayed). */
  isLocalDomain(address: string): boolean {
    const at = address.lastIndexOf('@');
    return at !== -1 && address.slice(at + 1).toLowerCase() === this.domain;
  }

  /** Deliver into an account's INBOX under the store's quota policy. */
  deliver(account: Account, bytes: Buffer, now = new Date()): StoreResult<Message> {
    const before = account.usage.messages;
    const result = account.append(account.inbox, bytes, [], now, this.quotaPolicy);
    if (result.ok) {
      this.stats.delivered++;
      this.stats.evicted += Math.max(0, before + 1 - account.usage.messages);
    }
    return result;
  }

  #nextUidValidity(): number {
    this.#uidValidity = (this.#uidValidity + 1) % 0xffffffff || 1;
    return this.#uidValidity;
  }
}
