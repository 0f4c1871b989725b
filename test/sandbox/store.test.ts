/**
 * The store without sockets: quotas (evict or refuse), the mailbox hierarchy, UIDVALIDITY
 * never reused, and change notifications to observers.
 */
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../sandbox/limits.js';
import type { MailboxObserver } from '../../sandbox/store/mailbox.js';
import type { Message } from '../../sandbox/store/message.js';
import { Store } from '../../sandbox/store/store.js';

const users = [{ address: 'alice@sandbox.test', password: 'pw' }];
const msg = (n: number): Buffer => Buffer.from(`Subject: ${n}\r\n\r\n${'x'.repeat(90)}\r\n`);

function store(quotaPolicy: 'evict-oldest' | 'reject', maxMessagesPerUser = 3): Store {
  return new Store({ domain: 'sandbox.test', users, quotaPolicy, limits: resolveLimits({ maxMessagesPerUser }) });
}

describe('store', () => {
  it('authenticates by address or local part, in constant time, and nothing else', () => {
    const s = store('reject');
    expect(s.authenticate('alice@sandbox.test', 'pw')?.address).toBe('alice@sandbox.test');
    expect(s.authenticate('ALICE', 'pw')?.address).toBe('alice@sandbox.test');
    expect(s.authenticate('alice', 'pw2')).toBeUndefined();
    expect(s.authenticate('mallory', 'pw')).toBeUndefined();
  });

  it('evicts the oldest INBOX mail for deliveries over the quota (evict-oldest)', () => {
    const s = store('evict-oldest');
    const a = s.account('alice')!;
    for (let i = 1; i <= 5; i++) expect(s.deliver(a, msg(i)).ok).toBe(true);
    expect(a.inbox.messages.map((m) => m.uid)).toEqual([3, 4, 5]);
    expect(s.stats).toMatchObject({ delivered: 5, evicted: 2 });
    // APPEND (the client's own action) is refused rather than evicting
    expect(a.append(a.mailbox('Sent')!, msg(6), [], new Date())).toMatchObject({ ok: false, code: 'OVERQUOTA' });
  });

  it('refuses deliveries over the quota with the reject policy', () => {
    const s = store('reject');
    const a = s.account('alice')!;
    for (let i = 1; i <= 3; i++) s.deliver(a, msg(i));
    expect(s.deliver(a, msg(4))).toMatchObject({ ok: false, code: 'OVERQUOTA' });
    expect(a.usage.messages).toBe(3);
  });

  it('keeps the hierarchy: CREATE makes parents, DELETE leaves \\Noselect parents, RENAME moves children', () => {
    const a = store('reject').account('alice')!;
    expect(a.create('a/b/c').ok).toBe(true);
    expect(a.mailbox('a/b')).toBeDefined();
    expect(a.create('inbox')).toMatchObject({ ok: false, code: 'ALREADYEXISTS' });
    expect(a.create('x*')).toMatchObject({ ok: false, code: 'CANNOT' });
    expect(a.delete('a').ok).toBe(true);
    expect(a.mailbox('a')?.noselect).toBe(true);
    expect(a.delete('a')).toMatchObject({ ok: false, code: 'CANNOT' });
    expect(a.rename('a/b', 'z/y').ok).toBe(true);
    expect(a.mailboxes().map((m) => m.name)).toEqual(expect.arrayContaining(['z', 'z/y', 'z/y/c']));
    expect(a.rename('z', 'z/inner')).toMatchObject({ ok: false, code: 'CANNOT' });
    expect(a.delete('INBOX')).toMatchObject({ ok: false, code: 'CANNOT' });
  });

  it('never reuses a UIDVALIDITY for a re-created mailbox, and RENAME INBOX empties it', () => {
    const a = store('reject').account('alice')!;
    const first = a.create('box');
    if (!first.ok) throw new Error('create failed');
    a.delete('box');
    const second = a.create('box');
    if (!second.ok) throw new Error('create failed');
    expect(second.value.uidValidity).toBeGreaterThan(first.value.uidValidity);
    a.append(a.inbox, msg(1), [], new Date());
    expect(a.rename('INBOX', 'old-inbox').ok).toBe(true);
    expect(a.inbox.count).toBe(0);
    expect(a.mailbox('old-inbox')?.count).toBe(1);
    expect(a.usage.messages).toBe(1);
  });

  it('tells observers about appends, expunges and others’ flag changes', () => {
    const a = store('reject').account('alice')!;
    const seen: string[] = [];
    const observer = (id: number): MailboxObserver => ({
      sessionId: id,
      readWrite: true,
      appended: (m: Message) => seen.push(`${id} append ${m.uid}`),
      expunged: (m: Message) => seen.push(`${id} expunge ${m.uid}`),
      flagsChanged: (m: Message) => seen.push(`${id} flags ${m.uid}`),
    });
    a.inbox.observe(observer(1));
    a.inbox.observe(observer(2));
    const m = a.append(a.inbox, msg(1), [], new Date());
    if (!m.ok) throw new Error('append failed');
    expect(m.value.recent).toBe(1);
    m.value.addFlag('\\seen');
    expect(m.value.flags).toEqual(['\\Seen']);
    a.inbox.flagsChanged(m.value, 1);
    a.expunge(a.inbox, [m.value]);
    expect(seen).toEqual(['1 append 1', '2 append 1', '2 flags 1', '1 expunge 1', '2 expunge 1']);
  });
});
