/**
 * The UPDATE state (RFC 1939 §6): QUIT after DELE removes the message, a session that ends
 * any other way removes nothing. Code, not YAML: both need a second session and must find the
 * same message again by its Message-ID (message-numbers are per session).
 *
 * Only pop3.quit.update-removes really deletes, and only a message whose Message-ID starts
 * with `<mailprobe-deletable-` (put there for that purpose, e.g. by the calibration test).
 */
import type { Pop3Client } from '../../../drivers/pop3/client.js';
import { defineCheck, fail, inconclusive, pass } from '../../../engine/checks/code-check.js';
import { announced, catalogue, DELETABLE_PREFIX, preferFixtures, text, type Ctx } from './util.js';

/** Whether a message with this Message-ID is in the maildrop of a new session. */
async function present(ctx: Ctx, c: Pop3Client, messageId: string): Promise<boolean | undefined> {
  const all = await catalogue(ctx, c, announced(ctx, 'authenticated', 'TOP'));
  return all?.some((m) => m.messageId === messageId);
}

// Code: finds the deletable fixture by Message-ID, then checks a second session.
export const quitUpdateRemoves = defineCheck(
  'pop3',
  {
    id: 'pop3.quit.update-removes',
    title: 'QUIT after DELE removes the message (UPDATE state)',
    // "When the client issues the QUIT command from the TRANSACTION state, the POP3 session
    // enters the UPDATE state." QUIT: "The POP3 server removes all messages marked as deleted
    // from the maildrop and replies as to the status of this operation."
    ref: 'RFC 1939 §6',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const all = await catalogue(ctx, c, announced(ctx, 'authenticated', 'TOP'));
    if (!all) return fail('LIST was refused in the TRANSACTION state');
    const victim = all.find((m) => m.messageId?.startsWith(DELETABLE_PREFIX));
    if (!victim?.messageId) {
      return inconclusive(`no message the check may delete: put one with a Message-ID starting ${DELETABLE_PREFIX} in the maildrop`);
    }
    const dele = await c.dele(victim.msg);
    if (!dele.ok) return inconclusive(`DELE ${victim.msg} (${victim.messageId}) got ${text(dele)}; another session may have removed it`);
    const quit = await c.quit();
    // "-ERR some deleted messages not removed" is a permitted answer: then nothing is judged.
    if (!quit.ok) return quit.status === 'err' ? inconclusive(`QUIT got ${text(quit)}`) : fail(`QUIT got ${text(quit)}`);
    const again = await ctx.open();
    const still = await present(ctx, again, victim.messageId);
    if (still === undefined) return fail('LIST was refused in the second session');
    if (still) return fail(`${victim.messageId} was marked deleted and QUIT answered +OK, but it is still in the maildrop`);
    return pass(`${victim.messageId} is gone after DELE and QUIT`);
  },
);

// Code: a second session must still show the message, found by Message-ID.
export const quitDropKeeps = defineCheck(
  'pop3',
  {
    id: 'pop3.quit.drop-keeps',
    title: 'A session that ends without QUIT removes nothing, even after DELE',
    // "If a session terminates for some reason other than a client-issued QUIT command, the
    // POP3 session does NOT enter the UPDATE state and MUST not remove any messages from the
    // maildrop."
    ref: 'RFC 1939 §6',
    level: 'MUST',
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const all = await catalogue(ctx, c, announced(ctx, 'authenticated', 'TOP'));
    if (!all) return fail('LIST was refused in the TRANSACTION state');
    const counts = new Map<string, number>();
    for (const m of all) if (m.messageId) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    // Never a deletable fixture: another check may remove those on purpose meanwhile.
    const pick = preferFixtures(all).find((m) => m.messageId !== undefined && counts.get(m.messageId) === 1);
    if (!pick?.messageId) return inconclusive('no message with a Message-ID of its own to follow across sessions (the maildrop is empty?)');
    const dele = await c.dele(pick.msg);
    if (!dele.ok) return inconclusive(`DELE ${pick.msg} got ${text(dele)}`);
    // Drop the connection: no QUIT, so no UPDATE state.
    await c.close();
    const again = await ctx.open();
    const still = await present(ctx, again, pick.messageId);
    if (still === undefined) return fail('LIST was refused in the second session');
    if (!still) return fail(`${pick.messageId} was marked deleted, the session ended without QUIT, and the message is gone`);
    return pass(`${pick.messageId} is still there after DELE and a dropped connection`);
  },
);
