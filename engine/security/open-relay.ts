/**
 * Open relay (RFC 2505 §2, RFC 5321 §3.6.1): without logging in, does the server accept a
 * recipient in a domain it is not responsible for? One session, never DATA: each transaction
 * stops after its RCPTs and is reset (RSET), then QUIT. External domains are reserved names
 * (example.com, example.net: RFC 2606), so nothing could ever be delivered to a real party, and
 * no message is ever sent.
 *
 * Recipient forms: the plain external address; the %-hack (`user%example.com@LOCAL`); a source
 * route (`<@LOCAL:user@example.com>`, whose mailbox is external, RFC 5321 §3.6.1 / Appendix C);
 * a quoted local part that holds an external address, bare and `@LOCAL`. LOCAL is the domain
 * of --rcpt, else the server's address literal. Forms that name LOCAL are only conclusive when
 * the server refuses an unknown local recipient (a control address): a server that accepts any
 * local part may accept them as local mailboxes, so such an acceptance is only reported as info.
 * A second transaction tries the external recipient with a sender in LOCAL (relay permitted for
 * "local" senders, which anyone can forge).
 */
import { isIP } from 'node:net';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import { probeFinding } from './catalogue.js';
import { isOk, readySmtp, show, smtpCommand, type SmtpContext } from './smtp-session.js';
import { domainOf, evidenceFrom, guarded, report, token } from './support.js';
import type { ProbeFinding, ProbeReport } from './types.js';

/** Reserved for documentation (RFC 2606): never a real recipient. */
export const EXTERNAL_SENDER = 'mailprobe-relay-test@example.net';
export const EXTERNAL_DOMAIN = 'example.com';
const EXTERNAL_USER = 'mailprobe-relay-test';

interface RelayForm {
  readonly name: string;
  readonly rcpt: (local: string) => string;
  /** The form names LOCAL, so a server that accepts any local part may take it as local. */
  readonly namesLocal: boolean;
}

export const RELAY_FORMS: readonly RelayForm[] = [
  { name: 'external recipient', rcpt: () => `<${EXTERNAL_USER}@${EXTERNAL_DOMAIN}>`, namesLocal: false },
  { name: '%-hack', rcpt: (local) => `<${EXTERNAL_USER}%${EXTERNAL_DOMAIN}@${local}>`, namesLocal: true },
  { name: 'source route', rcpt: (local) => `<@${local}:${EXTERNAL_USER}@${EXTERNAL_DOMAIN}>`, namesLocal: false },
  { name: 'quoted local part', rcpt: () => `<"${EXTERNAL_USER}@${EXTERNAL_DOMAIN}">`, namesLocal: true },
  { name: 'quoted local part at the local domain', rcpt: (local) => `<"${EXTERNAL_USER}@${EXTERNAL_DOMAIN}"@${local}>`, namesLocal: true },
];

export interface RelayOptions {
  /** --rcpt: its domain is the server's own ("LOCAL"); never used as a recipient here. */
  readonly rcpt: string | undefined;
  /** The address connected to, for the address literal when there is no --rcpt. */
  readonly address: string;
}

/** `[192.0.2.1]`, `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3), or a name as it is. */
export function addressLiteral(address: string): string {
  const v = isIP(address);
  return v === 4 ? `[${address}]` : v === 6 ? `[IPv6:${address}]` : address;
}

export async function probeOpenRelay(ctx: SmtpContext, options: RelayOptions): Promise<ProbeReport> {
  return guarded('open relay probe', async () => {
    const local = domainOf(options.rcpt) ?? addressLiteral(options.address);
    const client = await ctx.open();
    try {
      const ready = await readySmtp(ctx, client);
      if (ready !== undefined) return report('inconclusive', `not tested: ${ready}`);
      const mark = client.transport.snapshot().length;
      const mail = await startTransaction(ctx, client);
      if (mail.kind === 'refused') {
        // No transaction without logging in: nothing can be relayed by anyone who cannot.
        return mail.reply.code >= 500
          ? report('done', `the server refuses mail transactions without authentication (${describeReply(mail.reply)}): nothing can be relayed through it without logging in`)
          : report('inconclusive', `not tested: MAIL was refused for now (${describeReply(mail.reply)})`);
      }
      const control = await smtpCommand(ctx, client, `RCPT TO:<mailprobe-nonexistent-${token()}@${local}>`);
      const acceptsAnyLocal = !(control.code >= 500);
      const accepted: { form: RelayForm; rcpt: string; reply: SmtpReply }[] = [];
      for (const form of RELAY_FORMS) {
        const rcpt = form.rcpt(local);
        const reply = await smtpCommand(ctx, client, `RCPT TO:${rcpt}`);
        if (isOk(reply)) accepted.push({ form, rcpt, reply });
      }
      await smtpCommand(ctx, client, 'RSET');
      // Relay for anyone who claims a local sender.
      let spoofed: SmtpReply | undefined;
      let spoofRefused = false;
      const localSender = local.startsWith('[') ? undefined : `postmaster@${local}`;
      if (localSender !== undefined) {
        const m = await smtpCommand(ctx, client, `MAIL FROM:<${localSender}>`);
        if (isOk(m)) {
          const r = await smtpCommand(ctx, client, `RCPT TO:<${EXTERNAL_USER}@${EXTERNAL_DOMAIN}>`);
          if (isOk(r)) spoofed = r;
          else spoofRefused = true;
        }
        await smtpCommand(ctx, client, 'RSET');
      }
      const evidence = evidenceFrom(client.transport, mark);
      const findings: ProbeFinding[] = [];
      const conclusive = accepted.filter((a) => !(a.form.namesLocal && acceptsAnyLocal)).map((a) => `RCPT TO:${a.rcpt} (${a.form.name}): ${show(a.reply)}`);
      if (spoofed !== undefined) conclusive.push(`RCPT TO:<${EXTERNAL_USER}@${EXTERNAL_DOMAIN}> after a forged local sender MAIL FROM:<${localSender ?? ''}>: ${show(spoofed)}`);
      if (conclusive.length > 0) {
        const seen = `Without authentication (MAIL FROM:<${mail.sender}>) the server accepted recipients in ${EXTERNAL_DOMAIN}, a domain it is not responsible for: ${conclusive.join('; ')}.`;
        findings.push(probeFinding('smtp.open-relay', seen, evidence));
      }
      const ambiguous = accepted.filter((a) => a.form.namesLocal && acceptsAnyLocal);
      if (ambiguous.length > 0) {
        const seen = `Without authentication the server accepted ${ambiguous.map((a) => `RCPT TO:${a.rcpt} (${a.form.name})`).join(', ')}, but it also accepts an unknown local recipient (${show(control)}), so it may take these for local mailboxes: whether it would relay them to ${EXTERNAL_DOMAIN} cannot be told without sending mail.`;
        findings.push(probeFinding('smtp.open-relay', seen, evidence, 'info'));
      }
      const summary =
        findings[0]?.severity === 'critical'
          ? findings[0].seen
          : `relaying refused: ${RELAY_FORMS.length - accepted.length} of ${RELAY_FORMS.length} external recipient forms refused${spoofRefused ? ', and the external recipient also with a local sender' : ''}${ambiguous.length > 0 ? ` (${ambiguous.length} accepted as possibly local)` : ''}; the session stopped before DATA and was reset`;
      return report('done', summary, findings);
    } finally {
      await client.quit().catch(() => undefined);
    }
  });
}

type Transaction = { readonly kind: 'open'; readonly sender: string } | { readonly kind: 'refused'; readonly reply: SmtpReply };

/** MAIL with an external sender, else the null sender (servers that check sender domains). */
async function startTransaction(ctx: SmtpContext, client: SmtpClient): Promise<Transaction> {
  const external = await smtpCommand(ctx, client, `MAIL FROM:<${EXTERNAL_SENDER}>`);
  if (isOk(external)) return { kind: 'open', sender: EXTERNAL_SENDER };
  const empty = await smtpCommand(ctx, client, 'MAIL FROM:<>');
  if (isOk(empty)) return { kind: 'open', sender: '' };
  return { kind: 'refused', reply: empty.code < 500 ? empty : external.code < 500 ? external : empty };
}
