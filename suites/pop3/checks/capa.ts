/**
 * CAPA in both states (RFC 2449 §5, RFC 5034 §3). Code, not YAML: the check compares the
 * list announced in AUTHORIZATION with the one after login on the same connection, and must
 * tell "CAPA not implemented" (skip) from "CAPA missing after login" (fail).
 */
import type { Pop3Client } from '../../../drivers/pop3/client.js';
import { defineCheck, fail, inconclusive, pass, skip, type CodeVerdict } from '../../../engine/checks/code-check.js';
import { login, text, type Ctx } from './util.js';

interface BothStates {
  readonly before: ReadonlyMap<string, readonly string[]>;
  readonly after: Awaited<ReturnType<Pop3Client['capa']>>;
}

/** CAPA in AUTHORIZATION (after STLS when offered), log in on the same connection, CAPA again. */
async function capaBothStates(ctx: Ctx): Promise<BothStates | { verdict: CodeVerdict }> {
  const c = await ctx.open('tls');
  const before = await c.capa();
  if (!before.ok) return { verdict: skip(`CAPA is not implemented in AUTHORIZATION (${text(before)}; -ERR is allowed, RFC 2449 §5)`) };
  const auth = await login(ctx, c, 'tls');
  if (!auth.ok) return { verdict: inconclusive(`login as ${ctx.env.fixtures.credentials!.user} failed: ${text(auth)}`) };
  return { before: before.capabilities, after: await c.capa() };
}

// Code: tells "CAPA not implemented" (skip) from "CAPA refused after login" (fail).
export const capaTransaction = defineCheck(
  'pop3',
  {
    id: 'pop3.capa.transaction',
    title: 'CAPA works in the TRANSACTION state as in AUTHORIZATION',
    // "The POP3 CAPA command returns a list of capabilities supported by the POP3 server. It
    // is available in both the AUTHORIZATION and TRANSACTION states."
    ref: 'RFC 2449 §5',
    level: 'MUST',
    needs: ['login'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const got = await capaBothStates(ctx);
    if ('verdict' in got) return got.verdict;
    if (!got.after.ok) return fail(`CAPA worked before login but got ${text(got.after)} in the TRANSACTION state`);
    return pass(`CAPA lists ${got.after.capabilities.size} capabilities after login`);
  },
);

// Code: compares two CAPA lists of the same connection.
export const capaAuthCapsKept = defineCheck(
  'pop3',
  {
    id: 'pop3.capa.auth-caps-kept',
    title: 'Capabilities announced in AUTHORIZATION are announced after login too',
    // RFC 2449 §5: "Capabilities available in the AUTHORIZATION state MUST be announced in
    // both states." RFC 5034 §3: "as required by [RFC2449], implementations MUST continue to
    // include the SASL capability even after a successful AUTH command has been completed".
    // STLS is left out: RFC 2595 §4 has it name a command "permitted in the current state",
    // and STLS is not permitted in TRANSACTION.
    ref: 'RFC 2449 §5, RFC 5034 §3',
    level: 'MUST',
    needs: ['login'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const got = await capaBothStates(ctx);
    if ('verdict' in got) return got.verdict;
    if (!got.after.ok) return inconclusive(`CAPA got ${text(got.after)} after login (see pop3.capa.transaction)`);
    const missing = [...got.before.keys()].filter((tag) => tag !== 'STLS' && !got.after.capabilities.has(tag));
    if (missing.length > 0) {
      return fail(
        `announced before login but not after: ${missing.join(', ')} (before: ${[...got.before.keys()].join(' ')}; after: ${[...got.after.capabilities.keys()].join(' ')})`,
      );
    }
    return pass(`all ${got.before.size} AUTHORIZATION capabilities are announced after login too`);
  },
);
