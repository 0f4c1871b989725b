/**
 * Logins that need code (RFC 1939 §4, §7; RFC 5034 §4; RFC 2449 §8). Why not YAML:
 * - the AUTH PLAIN response is base64 of the credentials, which a suite file cannot compute;
 * - a suite expectation cannot ask for the `+ ` SASL continuation (status is +OK or -ERR), nor
 *   for its exact bytes;
 * - telling a refusal of the mechanism from wrong credentials takes a second login;
 * - APOP timestamps of two greetings and two concurrent sessions must be compared;
 * - after a failed PASS the server may close the connection (RFC 1939 §4), which a suite step
 *   cannot tell from a failed expectation.
 */
import { isMailprobeError } from '../../../drivers/errors.js';
import { secret } from '../../../drivers/redact.js';
import { plainResponse } from '../../../drivers/sasl.js';
import { renderWireText } from '../../../drivers/transcript.js';
import type { Pop3Reply } from '../../../drivers/pop3/types.js';
import { defineCheck, fail, inconclusive, pass, skip, warn, type CodeVerdict } from '../../../engine/checks/code-check.js';
import { announced, login, opts, text, transientCode, type Ctx } from './util.js';

/** Whether the credentials work with USER/PASS on a fresh connection (undefined: cannot tell). */
async function userPassWorks(ctx: Ctx): Promise<boolean | undefined> {
  if (!announced(ctx, 'tls', 'USER')) return undefined;
  const c = await ctx.open('tls');
  const creds = ctx.env.fixtures.credentials!;
  const u = await c.user(creds.user);
  if (!u.ok) return undefined;
  const p = await c.pass(creds.password);
  return p.ok ? true : transientCode(p) ? undefined : false;
}

/** The verdict when a SASL login with good credentials was refused. */
async function refusedLogin(ctx: Ctx, what: string, reply: Pop3Reply): Promise<CodeVerdict> {
  if (transientCode(reply)) return inconclusive(`${what} got ${text(reply)}`);
  const works = await userPassWorks(ctx);
  if (works) return fail(`${what} got ${text(reply)}, while USER/PASS accepts the same credentials`);
  return inconclusive(`${what} got ${text(reply)}; the credentials could not be confirmed another way`);
}

// Code: the server may close the connection after the failed PASS (allowed).
export const userWrongPassword = defineCheck(
  'pop3',
  {
    id: 'pop3.user.wrong-password',
    title: 'A wrong PASS gets -ERR, the session stays in AUTHORIZATION and a new USER/PASS works',
    // PASS "Possible Responses: +OK maildrop locked and ready / -ERR invalid password"; §4: after
    // a negative status indicator the server may close the connection, and if it does not,
    // "the client may either issue a new authentication command and start again"; USER may be
    // given "after an unsuccessful USER or PASS command". RFC 1939 §3: STAT in AUTHORIZATION
    // MUST get -ERR.
    ref: 'RFC 1939 §4, §7 (USER, PASS)',
    level: 'MUST',
    requires: ['USER'],
    needs: ['login'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const creds = ctx.env.fixtures.credentials!;
    const c = await ctx.open();
    const user = await c.user(creds.user);
    if (!user.ok) return inconclusive(`USER ${creds.user} got ${text(user)}`);
    const wrong = await c.pass(secret(`mailprobe-wrong-${String(ctx.vars.get('uniq'))}`));
    if (wrong.status !== 'err') return fail(`PASS with a wrong password got ${text(wrong)}`);
    let stat: Pop3Reply;
    try {
      stat = await c.stat();
    } catch (err) {
      if (isMailprobeError(err, 'ECLOSED')) return pass('-ERR, then the server closed the connection (allowed after a failed login, RFC 1939 §4)');
      throw err;
    }
    if (stat.ok) return fail(`STAT got ${text(stat)} after a failed PASS: the session must still be in AUTHORIZATION`);
    const again = await c.user(creds.user);
    if (!again.ok) return transientCode(again) ? inconclusive(`the second USER got ${text(again)}`) : fail(`USER after a failed PASS got ${text(again)}`);
    const right = await c.pass(creds.password);
    if (!right.ok) {
      return transientCode(right) ? inconclusive(`the second PASS got ${text(right)}`) : fail(`the right password after a failed one got ${text(right)}`);
    }
    return pass('-ERR for the wrong password, -ERR for STAT, then USER/PASS logged in');
  },
);

// Code: base64 of the credentials; a refusal is judged against USER/PASS.
export const authPlainInitialResponse = defineCheck(
  'pop3',
  {
    id: 'pop3.auth.plain-initial-response',
    title: 'AUTH PLAIN with an initial response logs in',
    // AUTH mechanism [initial-response]; "Should the client successfully complete the
    // exchange, the server issues a +OK reply. Additionally, upon success, the POP3 session
    // enters the TRANSACTION state." "client and server implementations of this extension
    // MUST implement the PLAIN SASL mechanism [RFC4616] running over TLS".
    ref: 'RFC 5034 §4',
    level: 'MUST',
    requires: ['SASL=PLAIN'],
    needs: ['login'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const creds = ctx.env.fixtures.credentials!;
    const c = await ctx.open();
    const r = await c.authPlain(creds.user, creds.password);
    if (r.challenges.length > 0 && !r.ok) return fail(`the server answered the initial response with a challenge ("+ ${r.challenges[0]}") instead of a result`);
    if (!r.ok) return refusedLogin(ctx, 'AUTH PLAIN with an initial response', r);
    const stat = await c.stat();
    if (!stat.ok) return fail(`AUTH PLAIN got +OK but STAT then got ${text(stat)}: the session is not in TRANSACTION`);
    return pass('AUTH PLAIN with an initial response: +OK, then STAT works');
  },
);

// Code: expects the "+ " continuation and its exact bytes.
export const authPlainContinuation = defineCheck(
  'pop3',
  {
    id: 'pop3.auth.plain-continuation',
    title: 'AUTH PLAIN without an initial response gets the empty challenge "+ ", then logs in',
    // "If the initial response argument is omitted and the chosen mechanism requires an
    // initial client response, the server MUST proceed by issuing an empty challenge ... In
    // POP3, an empty server challenge is defined as a line with only a "+", followed by a
    // single space. It MUST NOT contain any other data."
    ref: 'RFC 5034 §4',
    level: 'MUST',
    requires: ['SASL=PLAIN'],
    needs: ['login'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const creds = ctx.env.fixtures.credentials!;
    const c = await ctx.open();
    const first = await c.command('AUTH PLAIN', opts(ctx));
    if (first.status !== 'continue') {
      if (transientCode(first)) return inconclusive(`AUTH PLAIN got ${text(first)}`);
      return fail(`AUTH PLAIN without an initial response got ${text(first)}; expected the empty challenge "+ "`);
    }
    const raw = first.raw.toString('latin1');
    if (raw !== '+ \r\n') return fail(`the empty challenge must be exactly "+ " CRLF, got ${JSON.stringify(raw)} (${renderWireText(first.raw)})`);
    const r = await c.continueAuth(plainResponse({ user: creds.user, password: creds.password }), opts(ctx));
    if (r.status === 'continue') return fail(`the server sent another challenge after the PLAIN response: ${text(r)}`);
    if (!r.ok) return refusedLogin(ctx, 'AUTH PLAIN with the response after "+ "', r);
    return pass('"+ " then +OK');
  },
);

// Code: expects the "+ " continuation before sending "*".
export const authCancel = defineCheck(
  'pop3',
  {
    id: 'pop3.auth.cancel',
    title: 'A "*" response cancels AUTH with -ERR, and the session stays in AUTHORIZATION',
    // "If the client wishes to cancel the authentication exchange, it issues a line with a
    // single "*". If the server receives such a response, it MUST reject the AUTH command by
    // sending an -ERR reply." and after a failed AUTH "the server MUST behave as if the client
    // had not issued the AUTH command".
    ref: 'RFC 5034 §4',
    level: 'MUST',
    requires: ['SASL=PLAIN'],
    start: 'tls',
  },
  import.meta.url,
  async (ctx) => {
    const c = await ctx.open();
    const first = await c.command('AUTH PLAIN', opts(ctx));
    if (first.status !== 'continue') return inconclusive(`AUTH PLAIN did not start an exchange (${text(first)}), so there is nothing to cancel`);
    const cancel = await c.continueAuth('*', opts(ctx));
    if (cancel.status !== 'err') return fail(`"*" got ${text(cancel)}; the AUTH command must be rejected with -ERR`);
    const stat = await c.stat();
    if (stat.ok) return fail(`STAT got ${text(stat)} after the cancelled AUTH`);
    return pass(`"*" got ${text(cancel)}; STAT is still refused`);
  },
);

// Code: compares the timestamps of two greetings.
export const apopTimestampUnique = defineCheck(
  'pop3',
  {
    id: 'pop3.apop.timestamp-unique',
    title: 'The APOP timestamp differs in every greeting',
    // "A POP3 server which implements the APOP command will include a timestamp in its banner
    // greeting. The syntax of the timestamp corresponds to the `msg-id' in [RFC822], and MUST
    // be different each time the POP3 server issues a banner greeting."
    ref: 'RFC 1939 §7 (APOP)',
    level: 'MUST',
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => {
    const first = (await ctx.open()).greeting;
    if (!first.timestamp) return skip('the greeting has no APOP timestamp, so APOP is not offered');
    const second = (await ctx.open()).greeting;
    if (!second.timestamp) return fail(`the first greeting had the timestamp ${first.timestamp}, the second none: ${renderWireText(second.raw)}`);
    if (second.timestamp === first.timestamp) return fail(`two greetings carried the same timestamp ${first.timestamp}: a digest could be replayed`);
    return pass(`${first.timestamp} then ${second.timestamp}`);
  },
);

// Code: two concurrent sessions.
export const respCodesInUse = defineCheck(
  'pop3',
  {
    id: 'pop3.resp-codes.in-use',
    title: 'A login refused because the maildrop is in use says [IN-USE]',
    // RFC 2449 §8.1.2: IN-USE "occurs on an -ERR response to an AUTH, APOP, or PASS command.
    // It indicates the authentication was successful, but the user's maildrop is currently in
    // use". Response codes are optional (§8: "permit an optional response code") and RFC
    // 1939 §4 locks the maildrop only "as necessary": letting the second session in is fine.
    // Latitude: never a failure.
    ref: 'RFC 2449 §8, §8.1.2',
    level: 'MAY',
    requires: ['RESP-CODES'],
    needs: ['login'],
    start: 'authenticated',
  },
  import.meta.url,
  async (ctx) => {
    await ctx.open(); // holds the maildrop
    const second = await ctx.open('tls');
    const r = await login(ctx, second, 'tls');
    if (r.ok) return pass('a second session was let in while the first is open (no exclusive lock)');
    const code = r.code?.toUpperCase();
    if (code === 'IN-USE') return pass(`the second session was refused with ${text(r)}`);
    if (code !== undefined) return inconclusive(`the second login got ${text(r)}`);
    return warn(`the second login, while a session holds the maildrop, got ${text(r)} without a response code; RESP-CODES is announced and [IN-USE] would tell clients why`);
  },
);
