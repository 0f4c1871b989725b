/**
 * User enumeration (RFC 5321 §3.5.3, §7.3): do VRFY, EXPN or RCPT tell an address that exists
 * from one that cannot (a random name)? Each question compares two answers on one session, so a
 * server that answers VRFY with 252 for everything ("cannot verify, but will take the message",
 * what §3.5.3 suggests for sites that do not disclose) or refuses it outright (502) shows nothing.
 * The RCPT comparison opens a transaction and stops after the two RCPTs (RSET, never DATA).
 */
import type { SmtpReply } from '../../drivers/smtp/reply.js';
import { probeFinding } from './catalogue.js';
import { isOk, readySmtp, show, smtpCommand, type SmtpContext } from './smtp-session.js';
import { domainOf, evidenceFrom, guarded, report, token } from './support.js';
import type { ProbeReport } from './types.js';

export interface EnumerationOptions {
  /** --rcpt: an address that exists; without it VRFY/EXPN ask about `postmaster` (RFC 5321 §4.5.1). */
  readonly rcpt: string | undefined;
}

/** 250/251: the address was confirmed (or expanded), a disclosure on its own. */
const discloses = (r: SmtpReply): boolean => r.code === 250 || r.code === 251;

async function compare(ctx: SmtpContext, verb: 'VRFY' | 'EXPN', options: EnumerationOptions): Promise<ProbeReport> {
  return guarded(`${verb} probe`, async () => {
    const client = await ctx.open();
    try {
      const ready = await readySmtp(ctx, client);
      if (ready !== undefined) return report('inconclusive', `not tested: ${ready}`);
      const domain = domainOf(options.rcpt);
      const existing = verb === 'VRFY' ? (options.rcpt ?? 'postmaster') : 'postmaster';
      const made = `mailprobe-nonexistent-${token()}${verb === 'VRFY' && domain ? `@${domain}` : ''}`;
      const mark = client.transport.snapshot().length;
      const a = await smtpCommand(ctx, client, `${verb} ${existing}`);
      const b = await smtpCommand(ctx, client, `${verb} ${made}`);
      const evidence = evidenceFrom(client.transport, mark);
      const id = verb === 'VRFY' ? 'smtp.vrfy-enabled' : 'smtp.expn-enabled';
      if (discloses(a) || a.code !== b.code) {
        const seen = `${verb} ${existing} got ${show(a)} and ${verb} of a made-up name got ${show(b)}: the answers tell which addresses exist.`;
        return report('done', seen, [probeFinding(id, seen, evidence)]);
      }
      if (a.code === 502 || a.code === 500 || a.code === 504) return report('done', `${verb} is refused (${show(a)})`);
      return report('done', `${verb} gives the same answer for an existing and a made-up name (${show(a)}): nothing disclosed`);
    } finally {
      await client.quit().catch(() => undefined);
    }
  });
}

export function probeVrfy(ctx: SmtpContext, options: EnumerationOptions): Promise<ProbeReport> {
  return compare(ctx, 'VRFY', options);
}

export function probeExpn(ctx: SmtpContext, options: EnumerationOptions): Promise<ProbeReport> {
  return compare(ctx, 'EXPN', options);
}

/** RCPT for --rcpt and for a made-up name in its domain, in one transaction from the null sender. */
export async function probeRcptEnumeration(ctx: SmtpContext, rcpt: string): Promise<ProbeReport> {
  return guarded('RCPT enumeration probe', async () => {
    const domain = domainOf(rcpt);
    if (domain === undefined) return report('inconclusive', `--rcpt ${rcpt} is not an address`);
    const client = await ctx.open();
    try {
      const ready = await readySmtp(ctx, client);
      if (ready !== undefined) return report('inconclusive', `not tested: ${ready}`);
      const mark = client.transport.snapshot().length;
      const mail = await smtpCommand(ctx, client, 'MAIL FROM:<>');
      if (!isOk(mail)) return report(mail.code >= 500 ? 'not-applicable' : 'inconclusive', `no transaction without authentication: MAIL FROM:<> got ${show(mail)}`);
      const known = await smtpCommand(ctx, client, `RCPT TO:<${rcpt}>`);
      const made = `mailprobe-nonexistent-${token()}@${domain}`;
      const unknown = await smtpCommand(ctx, client, `RCPT TO:<${made}>`);
      await smtpCommand(ctx, client, 'RSET');
      const evidence = evidenceFrom(client.transport, mark);
      // A submission port refuses every recipient without AUTH: nothing is disclosed there.
      if (!isOk(known)) return report(known.code >= 500 ? 'not-applicable' : 'inconclusive', `the recipient you gave was refused (${show(known)}): nothing to compare with`);
      if (unknown.code >= 500) {
        const seen = `RCPT TO:<${rcpt}> got ${show(known)} and RCPT TO:<${made}> got ${show(unknown)}.`;
        return report('done', seen, [probeFinding('smtp.rcpt-enumeration', seen, evidence)]);
      }
      return report('done', `RCPT gives the same kind of answer for the recipient you gave and a made-up one (${show(known)}, ${show(unknown)})`);
    } finally {
      await client.quit().catch(() => undefined);
    }
  });
}
