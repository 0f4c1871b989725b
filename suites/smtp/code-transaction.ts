/**
 * SMTP code checks inside a mail transaction: the recipients buffer, what ends the mail data,
 * the SIZE arithmetic, UTF-8 mailboxes. Each says why it is not YAML.
 */
import { sizeLimit, hasCapability } from '../../drivers/smtp/capabilities.js';
import type { SmtpReply } from '../../drivers/smtp/reply.js';
import { defineCheck, fail, inconclusive, pass, skip, type CodeCheck } from '../../engine/checks/code-check.js';
import { replyWithin, send, show, variable } from './code-support.js';

const RECIPIENTS = 100;
const PIPELINE_BATCH = 25;

/**
 * Not YAML: a hundred RCPT commands (a YAML check has no repetition), and the verdict on an early
 * refusal depends on why: a "too many recipients" refusal before the 100th is the violation, a
 * refusal for another reason (a policy on duplicates) cannot decide it.
 */
const hundredRecipients = defineCheck(
  'smtp',
  {
    id: 'smtp.rcpt.hundred-recipients',
    title: 'A transaction accepts at least 100 recipients',
    ref: 'RFC 5321 §4.5.3.1.8',
    level: 'MUST',
    roles: ['mx'],
    needs: ['rcpt'],
    start: 'ehlo',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    const mail = await send(ctx, client, `MAIL FROM:<${variable(ctx, 'from')}>`);
    if (mail.code !== 250) return inconclusive(`MAIL was refused, no transaction to test: ${show(mail)}`);
    const rcpt = `RCPT TO:<${variable(ctx, 'rcpt')}>`;
    const replies: SmtpReply[] = [];
    const pipelining = hasCapability(client.capabilities, 'PIPELINING');
    while (replies.length < RECIPIENTS) {
      const n = pipelining ? Math.min(PIPELINE_BATCH, RECIPIENTS - replies.length) : 1;
      const batch = n === 1 ? [await send(ctx, client, rcpt)] : await client.pipeline(Array.from({ length: n }, () => rcpt), { timeoutMs: ctx.env.stepTimeoutMs });
      replies.push(...batch);
      const refused = replies.findIndex((r) => r.code !== 250 && r.code !== 251);
      if (refused !== -1) {
        const r = replies[refused]!;
        const tooMany = r.code === 452 || r.code === 552 || /too many/i.test(r.lines.join(' '));
        const what = `recipient ${refused + 1} of ${RECIPIENTS} (the same local recipient each time) was refused: ${show(r)}`;
        return tooMany ? fail(`${what}; fewer than 100 recipients must never be refused as too many`) : inconclusive(`${what}, for a reason other than their number`);
      }
    }
    await send(ctx, client, 'RSET');
    return pass(`${RECIPIENTS} recipients accepted`);
  },
);

/**
 * Not YAML: after the message, silence and a hang-up both prove the bytes after the bare
 * <LF>.<LF> were not run as commands; a YAML step can expect one or the other, not either.
 */
const bareLfDot = defineCheck(
  'smtp',
  {
    id: 'smtp.data.lf-dot-lf-not-end',
    title: '<LF>.<LF> does not end the mail data (no SMTP smuggling)',
    ref: 'RFC 5321 §4.1.1.4',
    level: 'MUST',
    roles: ['mx'],
    needs: ['rcpt'],
    start: 'ehlo',
    timeout: '15s',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    for (const command of [`MAIL FROM:<${variable(ctx, 'from')}>`, `RCPT TO:<${variable(ctx, 'rcpt')}>`]) {
      const r = await send(ctx, client, command);
      if (r.code !== 250 && r.code !== 251) return inconclusive(`${command} was refused, no transaction to test: ${show(r)}`);
    }
    const data = await send(ctx, client, 'DATA');
    if (data.code !== 354) return inconclusive(`DATA was refused: ${show(data)}`);
    const body = `From: <${variable(ctx, 'from')}>\r\nTo: <${variable(ctx, 'rcpt')}>\r\nSubject: mailprobe ${variable(ctx, 'uniq')} bare LF probe\r\n\r\nfirst line\n.\nNOOP\r\n.\r\n`;
    await client.sendRaw(body, { display: ['(message body with "\\n.\\n" followed by NOOP, then CRLF.CRLF)'] });
    const first = await replyWithin(client, ctx.env.stepTimeoutMs);
    if (first === undefined) return inconclusive('no reply to the message within the step timeout');
    if (first === 'closed') return pass('the server closed the connection on the bare LF without a reply');
    const second = await replyWithin(client, 800);
    if (second === undefined || second === 'closed') return pass(`one reply for the whole message (${show(first)})`);
    return fail(`the message ended at "\\n.\\n": ${show(first)}, then the NOOP inside the body was answered: ${show(second)}`);
  },
);

/**
 * Not YAML: the declared size must be computed from the advertised limit (n + 1), and a limit of
 * 0 or none at all means there is nothing to exceed.
 */
const sizeOverLimit = defineCheck(
  'smtp',
  {
    id: 'smtp.size.declared-over-limit',
    title: 'MAIL with a SIZE above the advertised maximum is refused with 552 (or 452)',
    ref: 'RFC 1870 §6.1, §7',
    level: 'MUST',
    roles: ['mx'],
    requires: ['SIZE'],
    start: 'ehlo',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    const limit = sizeLimit(client.capabilities);
    if (limit === undefined || limit === 0) return skip('SIZE announces no fixed maximum (RFC 1870 §4: 0 or no parameter)');
    const over = (BigInt(limit) + 1n).toString();
    if (over.length > 20) return skip(`the advertised maximum ${limit} leaves no valid larger size-value (1*20DIGIT)`);
    const reply = await send(ctx, client, `MAIL FROM:<${variable(ctx, 'from')}> SIZE=${over}`);
    if (reply.code === 552 || reply.code === 452) return pass(`SIZE=${over} refused: ${show(reply)}`);
    if (reply.code >= 200 && reply.code < 400) return fail(`SIZE=${over} (one more than the advertised ${limit}) was accepted: ${show(reply)}`);
    if ([500, 501, 504, 555].includes(reply.code)) return fail(`the SIZE parameter itself was refused: ${show(reply)}`);
    return inconclusive(`MAIL was refused for another reason: ${show(reply)}`);
  },
);

/**
 * Not YAML: a refusal of the UTF-8 mailbox (501/553/555, or the X.6.7 enhanced code of RFC 6531
 * §3.5) is the violation, while a policy refusal of the sender (550 without X.6.7) cannot decide
 * it; the enhanced code and the reply code have to be looked at together.
 */
const utf8Mailbox = defineCheck(
  'smtp',
  {
    id: 'smtp.smtputf8.utf8-mailbox',
    title: 'With SMTPUTF8 announced, a UTF-8 mailbox in MAIL ... SMTPUTF8 is accepted',
    ref: 'RFC 6531 §3.2',
    level: 'MUST',
    roles: ['mx'],
    requires: ['SMTPUTF8'],
    start: 'ehlo',
  },
  import.meta.url,
  async (ctx) => {
    const client = await ctx.open();
    const ascii = await send(ctx, client, `MAIL FROM:<${variable(ctx, 'from')}> SMTPUTF8`);
    if (ascii.code !== 250) return inconclusive(`MAIL with an ASCII sender was refused, nothing to compare with: ${show(ascii)}`);
    await send(ctx, client, 'RSET');
    const reply = await send(ctx, client, `MAIL FROM:<prüfung-${variable(ctx, 'uniq')}@${variable(ctx, 'domain')}> SMTPUTF8`);
    if (reply.code >= 200 && reply.code < 300) return pass();
    if ([500, 501, 553, 555].includes(reply.code) || /^\d\.6\.7$/.test(reply.enhanced ?? '')) {
      return fail(`the UTF-8 mailbox was refused as such: ${show(reply)}`);
    }
    return inconclusive(`the UTF-8 sender was refused, apparently by policy: ${show(reply)}`);
  },
);

export const TRANSACTION_CODE_CHECKS: readonly CodeCheck<'smtp'>[] = [hundredRecipients, bareLfDot, sizeOverLimit, utf8Mailbox];
