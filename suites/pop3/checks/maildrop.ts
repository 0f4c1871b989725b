/**
 * Maildrop consistency (RFC 1939 §3, §5, §7, §11). Code, not YAML: each of these compares
 * numbers across replies (STAT totals against LIST, LIST sizes against RETR bodies, TOP
 * against RETR, a unique-id across two sessions) or looks at how a body was byte-stuffed on
 * the wire, which a suite expectation cannot express.
 */
import type { Pop3Client } from '../../../drivers/pop3/client.js';
import { defineCheck, fail, inconclusive, pass } from '../../../engine/checks/code-check.js';
import { announced, catalogue, headerOf, messageIdOf, opts, preferFixtures, text, type Catalogued, type Ctx } from './util.js';

const DOT = 0x2e;

/** Messages to read whole: fixtures first, at most `limit`, none over `maxOctets`. */
async function readable(ctx: Ctx, c: Pop3Client, limit: number, maxOctets: number): Promise<Catalogued[] | undefined> {
  const all = await catalogue(ctx, c, announced(ctx, 'authenticated', 'TOP'));
  if (!all) return undefined;
  return preferFixtures(all)
    .filter((m) => m.octets <= maxOctets)
    .slice(0, limit);
}

// Code: sums LIST sizes and compares them with STAT.
export const listMatchesStat = defineCheck(
  'pop3',
  {
    id: 'pop3.list.matches-stat',
    title: 'STAT totals agree with LIST: same count, sizes add up, messages numbered 1..n',
    // STAT gives "the number of messages in the maildrop ... and the size of the maildrop in
    // octets"; LIST gives one scan listing "for each message in the maildrop"; §4: "the nth
    // message in a maildrop is assigned a message-number of "n"".
    ref: 'RFC 1939 §4, §5 (STAT, LIST)',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const stat = await c.stat();
    if (!stat.drop) return fail(`STAT did not answer a drop listing: ${text(stat)}`);
    const list = await c.list();
    if (!list.ok) return fail(`LIST was refused: ${text(list)}`);
    if (list.invalid.length > 0) return fail(`LIST has lines that are not scan listings: ${list.invalid.slice(0, 3).join(' | ')}`);
    const { count, octets } = stat.drop;
    const sum = list.entries.reduce((s, e) => s + e.octets, 0);
    if (list.entries.length !== count) return fail(`STAT counts ${count} messages, LIST lists ${list.entries.length}`);
    if (sum !== octets) return fail(`STAT gives ${octets} octets, the LIST sizes add up to ${sum}`);
    const numbers = list.entries.map((e) => e.msg);
    const bad = numbers.findIndex((n, i) => n !== i + 1);
    if (bad !== -1) return fail(`LIST numbers the messages ${numbers.slice(0, 10).join(', ')}…; expected 1..${count} in order`);
    return pass(`${count} messages, ${octets} octets in both`);
  },
);

// Code: compares LIST n's size with the byte length of RETR n's body.
export const retrSizeMatchesList = defineCheck(
  'pop3',
  {
    id: 'pop3.retr.size-matches-list',
    title: "RETR sends exactly as many octets as LIST gives for the message",
    // LIST: "the exact size of the message in octets"; §11: sizes count each end-of-line as
    // two octets (CRLF) and byte-stuffing "need not (and must not) be counted".
    ref: 'RFC 1939 §5 (LIST), §11',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const candidates = await readable(ctx, c, 5, 1_048_576);
    if (!candidates) return fail('LIST was refused in the TRANSACTION state');
    const checked: string[] = [];
    for (const m of candidates) {
      const r = await c.retr(m.msg, opts(ctx));
      if (!r.ok || !r.message) continue; // removed by another session meanwhile
      if (r.message.length !== m.octets) {
        return fail(`message ${m.msg}${m.messageId ? ` ${m.messageId}` : ''}: LIST gives ${m.octets} octets, RETR sent ${r.message.length} (after removing the byte-stuffing)`);
      }
      checked.push(`${m.msg} (${m.octets})`);
    }
    if (checked.length === 0) return inconclusive('no message to retrieve: the maildrop is empty (or its messages are over 1 MiB)');
    return pass(`sizes agree for message ${checked.join(', ')}`);
  },
);

// Code: needs the wire statistics of the body (lines that came unstuffed).
export const retrByteStuffing = defineCheck(
  'pop3',
  {
    id: 'pop3.retr.byte-stuffing',
    title: 'RETR byte-stuffs lines that begin with "."',
    // "If any line of the multi-line response begins with the termination octet, the line is
    // "byte-stuffed" by pre-pending the termination octet to that line of the response."
    // RETR: "being careful to byte-stuff the termination character".
    ref: 'RFC 1939 §3, §5 (RETR)',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const candidates = await readable(ctx, c, 10, 262_144);
    if (!candidates) return fail('LIST was refused in the TRANSACTION state');
    for (const m of candidates) {
      const r = await c.retr(m.msg, opts(ctx));
      if (!r.ok || !r.lines || !r.body) continue;
      if (r.body.unstuffedDotLines > 0) {
        return fail(`message ${m.msg}: ${r.body.unstuffedDotLines} line(s) began with a single "." on the wire; they must be sent as ".."`);
      }
      // The connection must still be in step: an unstuffed "." line would have ended the body
      // early and left the rest of the message to be read as replies.
      const noop = await c.noop();
      if (!noop.ok) return fail(`NOOP after RETR ${m.msg} got ${text(noop)}: the body and the replies are out of step`);
      const dotted = r.lines.filter((l) => l[0] === DOT).length;
      if (dotted > 0) return pass(`message ${m.msg}: ${dotted} line(s) starting with "." came byte-stuffed`);
    }
    return inconclusive('no message has a line starting with "."; put one in the maildrop (a "mailprobe-fixture" message has them) to judge byte-stuffing');
  },
);

// Code: compares TOP n k byte for byte with the start of RETR n.
export const topLines = defineCheck(
  'pop3',
  {
    id: 'pop3.top.lines',
    title: 'TOP n k sends the header, the blank line and k body lines',
    // "the POP3 server sends the headers of the message, the blank line separating the
    // headers from the body, and then the number of lines of the indicated message's body
    // ... if the number of lines requested ... is greater than than the number of lines in
    // the body, then the POP3 server sends the entire message."
    ref: 'RFC 1939 §7 (TOP)',
    level: 'MUST',
    requires: ['TOP'],
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const candidates = await readable(ctx, c, 3, 262_144);
    if (!candidates) return fail('LIST was refused in the TRANSACTION state');
    for (const m of candidates) {
      const full = await c.retr(m.msg, opts(ctx));
      if (!full.ok || !full.lines || !full.message) continue;
      const header = headerOf(full.message);
      const headerLines = full.lines.findIndex((l) => l.length <= 2 && (l.toString('latin1') === '\r\n' || l.toString('latin1') === '\n')) + 1;
      const bodyLines = full.lines.slice(headerLines > 0 ? headerLines : full.lines.length);
      for (const k of [0, 2]) {
        const top = await c.top(m.msg, k, opts(ctx));
        if (!top.ok || !top.message) return fail(`TOP ${m.msg} ${k} got ${text(top)} after RETR ${m.msg} worked`);
        const want = Buffer.concat([header, ...bodyLines.slice(0, k)]);
        if (!top.message.equals(want)) {
          return fail(
            `TOP ${m.msg} ${k} sent ${top.message.length} octets in ${top.lines?.length ?? 0} lines; expected the ${header.length}-octet header, ` +
              `the blank line and ${Math.min(k, bodyLines.length)} body line(s): ${want.length} octets`,
          );
        }
      }
      return pass(`TOP ${m.msg} 0 and TOP ${m.msg} 2 match the start of RETR ${m.msg}`);
    }
    return inconclusive('no message to compare: the maildrop is empty');
  },
);

// Code: arithmetic on two STAT replies and a LIST size.
export const deleStatExcludes = defineCheck(
  'pop3',
  {
    id: 'pop3.dele.stat-excludes',
    title: 'A message marked as deleted is not counted by STAT',
    // STAT: "Note that messages marked as deleted are not counted in either total." The mark
    // is undone with RSET and the session ends without QUIT (no UPDATE state).
    ref: 'RFC 1939 §5 (STAT, DELE)',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    try {
      const before = await c.stat();
      if (!before.drop) return fail(`STAT did not answer a drop listing: ${text(before)}`);
      if (before.drop.count === 0) return inconclusive('the maildrop is empty; put a message in it to run this check');
      const one = await c.list(1);
      const size = one.entries[0]?.octets;
      if (!one.ok || size === undefined) return fail(`LIST 1 got ${text(one)}`);
      const dele = await c.dele(1);
      if (!dele.ok) return fail(`DELE 1 got ${text(dele)}`);
      const after = await c.stat();
      if (!after.drop) return fail(`STAT after DELE did not answer a drop listing: ${text(after)}`);
      const want = { count: before.drop.count - 1, octets: before.drop.octets - size };
      if (after.drop.count !== want.count || after.drop.octets !== want.octets) {
        return fail(`after DELE 1 (${size} octets) STAT gives ${after.drop.count} ${after.drop.octets}; expected ${want.count} ${want.octets}`);
      }
      return pass(`STAT went from ${before.drop.count} ${before.drop.octets} to ${after.drop.count} ${after.drop.octets}`);
    } finally {
      await c.rset().catch(() => undefined);
    }
  },
);

// Code: two sessions, the same message found again by its Message-ID.
export const uidlStable = defineCheck(
  'pop3',
  {
    id: 'pop3.uidl.stable',
    title: 'A unique-id stays the same in the next session, even after a session without QUIT',
    // The unique-id "uniquely identifies a message within a maildrop and which persists
    // across sessions. This persistence is required even if a session ends without entering
    // the UPDATE state."
    ref: 'RFC 1939 §7 (UIDL)',
    level: 'MUST',
    requires: ['UIDL', 'TOP'],
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const first = await ctx.open();
    const all = await catalogue(ctx, first, true);
    if (!all) return fail('LIST was refused in the TRANSACTION state');
    // A Message-ID names one message only if no other message in the maildrop has it.
    const counts = new Map<string, number>();
    for (const m of all) if (m.messageId) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    const pick = preferFixtures(all).find((m) => m.messageId !== undefined && counts.get(m.messageId) === 1);
    if (!pick) return inconclusive('no message with a Message-ID of its own to follow across sessions (the maildrop is empty?)');
    const u1 = await first.uidl(pick.msg);
    const uid = u1.entries[0]?.uid;
    if (!u1.ok || uid === undefined) return fail(`UIDL ${pick.msg} got ${text(u1)}`);
    // End the session without QUIT: the RFC requires the unique-id to survive that too.
    await first.close();

    const second = await ctx.open();
    const u2 = await second.uidl();
    if (!u2.ok) return fail(`UIDL got ${text(u2)} in the second session`);
    const same = u2.entries.find((e) => e.uid === uid);
    if (same) {
      const top = await second.top(same.msg, 0, opts(ctx));
      if (!top.ok || !top.message) return inconclusive(`message ${same.msg} (unique-id ${uid}) could not be read: ${text(top)}`);
      const id = messageIdOf(headerOf(top.message));
      if (id !== pick.messageId) return fail(`unique-id ${uid} named ${pick.messageId} in the first session and ${id ?? 'a message without Message-ID'} in the second`);
      return pass(`${pick.messageId} kept unique-id ${uid}`);
    }
    const now = await catalogue(ctx, second, true);
    const moved = now?.find((m) => m.messageId === pick.messageId);
    if (moved) {
      const u3 = await second.uidl(moved.msg);
      return fail(`${pick.messageId} had unique-id ${uid} and now has ${u3.entries[0]?.uid ?? text(u3)}`);
    }
    return inconclusive(`${pick.messageId} was removed from the maildrop between the two sessions`);
  },
);
