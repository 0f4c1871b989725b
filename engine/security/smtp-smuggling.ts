/**
 * SMTP smuggling (SEC Consult, Dec 2023; CVE-2023-51764 Postfix, -51765 Sendmail, -51766 Exim):
 * one deterministic probe per non-standard end-of-data sequence. Each opens a fresh session
 * and a transaction to the user's --rcpt only (null sender, so nothing can bounce anywhere):
 *
 *   MAIL FROM:<>  RCPT TO:<rcpt>  DATA
 *   headers, a line of text, then VARIANT, then
 *   MAIL FROM:<> / RCPT TO:<rcpt> / DATA / a second small message / <CR><LF>.<CR><LF>
 *
 * and then QUIT once the first reply to the message came. A server for which only
 * <CR><LF>.<CR><LF> ends the data (RFC 5321 §4.1.1.4) answers the whole message once (or
 * rejects it), then 221. One that also ended the data at VARIANT runs the embedded commands:
 * their replies come before the 221, which needs no timing to see. Every message that can be
 * delivered goes to --rcpt, on the target's own domain.
 */
import { isMailprobeError } from '../../drivers/errors.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import { renderWireText, splitWireLines } from '../../drivers/transcript.js';
import { probeFinding } from './catalogue.js';
import { isOk, readySmtp, show, smtpCommand, type SmtpContext } from './smtp-session.js';
import { evidenceFrom, guarded, report, token } from './support.js';
import type { Credentials, ProbeReport } from './types.js';

export interface SmugglingVariant {
  readonly id: string;
  /** As the findings name it. */
  readonly label: string;
  /** The bytes that follow the first line of text in the body. */
  readonly bytes: string;
  /** `end`: a sequence some servers take for the end of the data; `content`: a bare CR/LF inside a line. */
  readonly kind: 'end' | 'content';
}

/** The sequences of the SMTP smuggling research, then bare CR and LF inside a line. */
export const SMUGGLING_VARIANTS: readonly SmugglingVariant[] = [
  { id: 'lf-dot-lf', label: '<LF>.<LF>', bytes: '\n.\n', kind: 'end' },
  { id: 'crlf-dot-lf', label: '<CR><LF>.<LF>', bytes: '\r\n.\n', kind: 'end' },
  { id: 'lf-dot-crlf', label: '<LF>.<CR><LF>', bytes: '\n.\r\n', kind: 'end' },
  { id: 'cr-dot-cr', label: '<CR>.<CR>', bytes: '\r.\r', kind: 'end' },
  { id: 'cr-dot-crlf', label: '<CR>.<CR><LF>', bytes: '\r.\r\n', kind: 'end' },
  { id: 'crlf-nul-dot-crlf', label: '<CR><LF>\\0.<CR><LF>', bytes: '\r\n\0.\r\n', kind: 'end' },
  { id: 'bare-lf', label: 'a bare <LF> inside a line', bytes: ' (bare LF follows)\nstill the same line\r\n', kind: 'content' },
  { id: 'bare-cr', label: 'a bare <CR> inside a line', bytes: ' (bare CR follows)\rstill the same line\r\n', kind: 'content' },
];

/**
 * `rejected`: the message was refused (or the connection closed) without running anything;
 * `normalised`: one reply for the whole message, so the sequence did not end the data;
 * `accepted`: the sequence ended the data and the commands after it were answered.
 */
export type SmugglingOutcome = 'rejected' | 'normalised' | 'accepted' | 'inconclusive';

export interface SmugglingResult extends ProbeReport {
  readonly variant: SmugglingVariant;
  readonly outcome: SmugglingOutcome;
  /** The transaction could not even start (MAIL, RCPT or DATA refused): other variants cannot either. */
  readonly blocked: boolean;
}

export interface SmugglingOptions {
  /** The local recipient (--rcpt): the only address any probe message goes to. */
  readonly rcpt: string;
  /** Log in (inside TLS only) before the transaction, for submission ports. */
  readonly login?: Credentials;
}

/** Replies read after the message: the embedded group is four replies, then QUIT's 221. */
const MAX_REPLIES_AFTER = 8;

export async function probeSmuggling(ctx: SmtpContext, variant: SmugglingVariant, options: SmugglingOptions): Promise<SmugglingResult> {
  let blocked = false;
  let outcome: SmugglingOutcome = 'inconclusive';
  const base = await guarded(`${variant.label}`, async () => {
    const client = await ctx.open();
    try {
      const ready = await readySmtp(ctx, client, options.login);
      if (ready !== undefined) {
        blocked = true;
        return report('inconclusive', `${variant.label} not tested: ${ready}`);
      }
      for (const line of ['MAIL FROM:<>', `RCPT TO:<${options.rcpt}>`]) {
        const r = await smtpCommand(ctx, client, line);
        if (!isOk(r)) {
          blocked = true;
          return report('inconclusive', `${variant.label} not tested: ${line} was refused: ${show(r)}`);
        }
      }
      const data = await smtpCommand(ctx, client, 'DATA');
      if (data.code !== 354) {
        blocked = true;
        return report('inconclusive', `${variant.label} not tested: DATA was refused: ${show(data)}`);
      }
      const mark = client.transport.snapshot().length;
      const body = smugglingBody(variant, options.rcpt);
      await client.transport.write(body, { display: splitWireLines(Buffer.from(body, 'latin1')).map(renderWireText), timeoutMs: ctx.timeoutMs });
      const judged = await judge(ctx, client, variant, mark);
      outcome = judged.outcome;
      return judged.report;
    } finally {
      await client.quit().catch(() => undefined);
    }
  });
  return { ...base, variant, outcome, blocked };
}

/**
 * The first reply ends the message as the server saw it; QUIT then flushes out everything else
 * the server answers: replies before the 221 belong to commands it found after `variant`.
 */
async function judge(ctx: SmtpContext, client: SmtpClient, variant: SmugglingVariant, mark: number): Promise<{ outcome: SmugglingOutcome; report: ProbeReport }> {
  const first = await readOrClosed(client, 2 * ctx.timeoutMs);
  if (first === 'closed') return { outcome: 'rejected', report: report('done', `${variant.label}: the server closed the connection on the message without a reply (rejected)`) };
  const after: SmtpReply[] = [];
  let quitAnswered = false;
  if (!client.transport.closed) {
    await client.transport.write('QUIT\r\n', { display: 'QUIT', timeoutMs: ctx.timeoutMs }).catch((err: unknown) => {
      if (!isMailprobeError(err, 'ECLOSED')) throw err;
    });
    for (let i = 0; i < MAX_REPLIES_AFTER; i++) {
      const r = await readOrClosed(client, ctx.timeoutMs);
      if (r === 'closed') break;
      if (r.code === 221) {
        quitAnswered = true;
        break;
      }
      after.push(r);
    }
  }
  // The headers say nothing; the variant, the embedded commands and the replies do.
  const evidence = evidenceFrom(client.transport, mark).filter((l) => !/^C: ((From|To|Subject|Message-ID|Date): |$)/.test(l));
  if (after.length > 0) {
    // 354 then a 2xx: the smuggled message itself was taken.
    const dataAt = after.findIndex((r) => r.code === 354);
    const smuggled = dataAt !== -1 && after.slice(dataAt + 1).some(isOk);
    const answers = after.map(describeReply).join(', ');
    const seen = `The server ended the message at ${variant.label} (${describeReply(first)}) and answered the commands that followed it inside the message body (${answers})${smuggled ? ': the smuggled message was accepted too' : ''}.`;
    return { outcome: 'accepted', report: report('done', seen, [probeFinding('smtp.smuggling', seen, evidence, smuggled ? 'critical' : 'high')]) };
  }
  if (!quitAnswered && !client.transport.closed) return { outcome: 'inconclusive', report: report('inconclusive', `${variant.label}: no reply to QUIT after the message (${describeReply(first)})`) };
  if (isOk(first)) {
    const what = variant.kind === 'end' ? 'did not end the data' : 'was taken as message content';
    return { outcome: 'normalised', report: report('done', `${variant.label} ${what}: one reply for the whole message (${describeReply(first)})`) };
  }
  return { outcome: 'rejected', report: report('done', `${variant.label}: the message was rejected (${describeReply(first)})`) };
}

async function readOrClosed(client: SmtpClient, timeoutMs: number): Promise<SmtpReply | 'closed'> {
  try {
    return await client.readReply({ timeoutMs });
  } catch (err) {
    if (isMailprobeError(err, 'ECLOSED')) return 'closed';
    throw err;
  }
}

/** The message: headers, one line, the variant, the embedded transaction, the real end. */
export function smugglingBody(variant: SmugglingVariant, rcpt: string): string {
  const id = token();
  const headers = (subject: string): string =>
    `From: mailprobe <${rcpt}>\r\nTo: <${rcpt}>\r\nSubject: ${subject}\r\nMessage-ID: <${token()}.${id}@mailprobe.invalid>\r\nDate: ${new Date().toUTCString()}\r\n\r\n`;
  return (
    headers(`mailprobe SMTP smuggling probe (${variant.id})`) +
    `This message was sent by mailprobe to test SMTP smuggling (${variant.id}); you can delete it.` +
    variant.bytes +
    `MAIL FROM:<>\r\nRCPT TO:<${rcpt}>\r\nDATA\r\n` +
    headers(`mailprobe smuggled message (${variant.id})`) +
    `If this arrived as a message of its own, the server ended the previous one at ${variant.label}.\r\n` +
    '.\r\n'
  );
}

/**
 * Every variant, one after another on fresh connections (deterministic, one transaction in flight
 * at a time). Stops early when the first transaction cannot even start: the others could not.
 */
export async function probeAllSmuggling(ctx: SmtpContext, options: SmugglingOptions, variants: readonly SmugglingVariant[] = SMUGGLING_VARIANTS): Promise<SmugglingResult[]> {
  const out: SmugglingResult[] = [];
  for (const v of variants) {
    const r = await probeSmuggling(ctx, v, options);
    out.push(r);
    if (r.blocked) break;
  }
  return out;
}

/** One line per variant: `<LF>.<LF>: accepted`, for the summary finding and messages. */
export function smugglingTable(results: readonly SmugglingResult[]): string[] {
  return results.map((r) => `${r.variant.label}: ${r.outcome}`);
}

/** The info finding that reports every tested variant's outcome (none when nothing could be tested). */
export function smugglingSummary(results: readonly SmugglingResult[]): ProbeReport {
  const tested = results.filter((r) => r.outcome !== 'inconclusive');
  if (tested.length === 0) return report('inconclusive', results[0]?.summary ?? 'no variant could be tested');
  const accepted = tested.filter((r) => r.outcome === 'accepted').map((r) => r.variant.label);
  const seen = `Of ${results.length} non-standard sequences sent inside a message to the recipient you gave, ${
    accepted.length === 0 ? 'none ended the data' : `${accepted.join(', ')} ended the data`
  }: ${smugglingTable(results).join('; ')}.`;
  return report('done', seen, [probeFinding('smtp.smuggling-variants', seen, smugglingTable(results).map((l) => `I: ${l}`))]);
}
