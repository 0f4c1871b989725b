/** Small helpers shared by the SMTP code checks. */
import { isMailprobeError } from '../../drivers/errors.js';
import { Secret } from '../../drivers/redact.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import type { CodeCheckContext } from '../../engine/checks/code-check.js';

export type SmtpContext = CodeCheckContext<'smtp'>;

/** A variable as text ($from, $rcpt, $domain, $uniq); secrets are never needed here. */
export function variable(ctx: SmtpContext, name: string): string {
  const v = ctx.vars.get(name);
  if (v === undefined || v instanceof Secret) throw new Error(`variable $${name} is not available`);
  return v;
}

/** One command under the step deadline (the driver's own default is minutes). */
export function send(ctx: SmtpContext, client: SmtpClient, command: string): Promise<SmtpReply> {
  return client.command(command, { timeoutMs: ctx.env.stepTimeoutMs });
}

/**
 * The next reply if one comes within `ms`, else undefined (silence). The connection is dropped
 * after a silent wait (the driver cannot match a late reply to a command any more), and a
 * hang-up also counts as silence: both mean the server did not answer.
 */
export async function replyWithin(client: SmtpClient, ms: number): Promise<SmtpReply | 'closed' | undefined> {
  try {
    return await client.readReply({ timeoutMs: ms });
  } catch (err) {
    if (isMailprobeError(err, 'ETIMEDOUT')) return undefined;
    if (isMailprobeError(err, 'ECLOSED')) return 'closed';
    throw err;
  }
}

export function show(reply: SmtpReply): string {
  return `"${describeReply(reply)}"`;
}

/** Domain or address literal at the start of a greeting or EHLO first line (RFC 5321 §4.1.2, §4.2). */
export const DOMAIN_OR_LITERAL = /^(?:\[[^\]\s]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?: |$)/i;

/** `X.Y.Z ` at the start of a reply line's text (RFC 2034 §4, RFC 3463 §2). */
export const ENHANCED_PREFIX = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;
