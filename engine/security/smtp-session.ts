/**
 * SMTP sessions for the probes: commands under the probe's deadline, and a session brought to
 * the point where a mail transaction can start (EHLO, STARTTLS when offered, EHLO again,
 * optionally AUTH, never before TLS).
 */
import { authMechanisms, hasCapability, parseEhlo } from '../../drivers/smtp/capabilities.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import type { Credentials, ProbeContext } from './types.js';

export type SmtpContext = ProbeContext<'smtp'>;

/** One command line under the probe's reply deadline. */
export function smtpCommand(ctx: SmtpContext, client: SmtpClient, line: string): Promise<SmtpReply> {
  return client.command(line, { timeoutMs: ctx.timeoutMs });
}

/** `"250 2.1.0 Ok"`, for messages. */
export function show(reply: SmtpReply): string {
  return `"${describeReply(reply)}"`;
}

export const isOk = (r: SmtpReply): boolean => r.code >= 200 && r.code < 300;

/**
 * Greeting, EHLO (HELO for a server without extensions), STARTTLS and EHLO again when offered
 * and allowed, and AUTH with `login` only once TLS is up. Returns why the session is not
 * usable, or undefined when it is.
 */
export async function readySmtp(ctx: SmtpContext, client: SmtpClient, login?: Credentials): Promise<string | undefined> {
  const greeting = client.greeting;
  if (greeting === undefined || greeting.code !== 220) return `the server is not accepting mail: greeting ${greeting ? show(greeting) : '(none)'}`;
  const hello = await ehlo(ctx, client);
  if (hello !== undefined) return hello;
  if (!client.tls && ctx.starttls && hasCapability(client.capabilities, 'STARTTLS')) {
    const up = await client.starttls();
    if (up.tls) {
      const again = await ehlo(ctx, client);
      if (again !== undefined) return `after STARTTLS: ${again}`;
    }
  }
  if (login !== undefined) {
    if (!client.tls) return 'no TLS: mailprobe does not log in over a cleartext connection here';
    const mechs = authMechanisms(client.capabilities);
    const mech = mechs.includes('PLAIN') ? 'PLAIN' : mechs.includes('LOGIN') ? 'LOGIN' : undefined;
    if (mech === undefined) return 'no AUTH PLAIN or LOGIN offered inside TLS';
    const reply = await client.auth(mech, { user: login.user, password: login.password });
    if (reply.code !== 235) return `login as ${login.user} failed: ${show(reply)}`;
  }
  return undefined;
}

/** EHLO under the deadline (capabilities parsed), HELO when the server has no extensions. */
async function ehlo(ctx: SmtpContext, client: SmtpClient): Promise<string | undefined> {
  const reply = await smtpCommand(ctx, client, `EHLO ${ctx.clientName}`);
  if (reply.code === 250) {
    client.capabilities = parseEhlo(reply);
    return undefined;
  }
  // RFC 5321 §4.1.4: a server without extensions answers EHLO with 500/502; HELO still works.
  if (reply.code !== 500 && reply.code !== 502) return `EHLO was refused: ${show(reply)}`;
  const helo = await smtpCommand(ctx, client, `HELO ${ctx.clientName}`);
  return helo.code === 250 ? undefined : `HELO was refused: ${show(helo)}`;
}
