/**
 * Bring an SMTP connection to a check's start state: connected, greeted, ehlo, tls,
 * authenticated. This is policy (the engine's), built from driver mechanisms.
 */
import { SmtpClient } from '../../drivers/smtp/client.js';
import { authMechanisms, hasCapability } from '../../drivers/smtp/capabilities.js';
import { describeReply } from '../../drivers/smtp/reply.js';
import type { StartState } from '../suite/schema.js';
import { cleartextLoginRefusal, type CheckEnvironment } from './environment.js';
import { notReady, type Opened } from './opened.js';
import { SmtpStepSession } from './session-smtp.js';

const RANK: Readonly<Record<string, number>> = { connected: 0, greeted: 1, ehlo: 2, tls: 3, authenticated: 4 };

export async function openSmtp(env: CheckEnvironment, start: StartState): Promise<Opened> {
  const t = env.target;
  const client = await SmtpClient.connect({
    host: t.host,
    port: t.port,
    implicitTls: t.implicitTls,
    tls: env.tls,
    timeouts: env.timeouts,
    ...(env.signal ? { signal: env.signal } : {}),
    readGreeting: start !== 'connected',
  });
  try {
    return await establish(client, env, start);
  } catch (err) {
    client.destroy();
    throw err;
  }
}

async function establish(client: SmtpClient, env: CheckEnvironment, start: StartState): Promise<Opened> {
  const fail = (kind: 'skip' | 'inconclusive', reason: string): Opened => {
    const transcript = client.transport.snapshot();
    client.destroy();
    return notReady(kind, reason, transcript);
  };
  const rank = RANK[start] ?? 1;
  if (rank === 0) return { kind: 'ready', session: new SmtpStepSession(client, undefined), client };
  const greeting = client.greeting!;
  if (greeting.code !== 220) return fail('inconclusive', `the server is not accepting mail: greeting ${describeReply(greeting)}`);
  if (rank === 1) return { kind: 'ready', session: new SmtpStepSession(client, greeting), client };

  const ehlo = await client.ehlo(env.fixtures.clientName);
  if (ehlo.code !== 250) return fail('inconclusive', `EHLO was refused: ${describeReply(ehlo)}`);
  if (rank >= 3 && !client.tls) {
    if (env.starttls === 'never') {
      if (rank === 3) return fail('skip', 'TLS is disabled (--starttls never)');
    } else if (!hasCapability(client.capabilities, 'STARTTLS')) {
      if (rank === 3 || env.starttls === 'required') return fail(rank === 3 ? 'skip' : 'inconclusive', 'STARTTLS is not offered');
    } else {
      const res = await client.starttls();
      if (!res.tls) return fail('inconclusive', `STARTTLS was refused: ${describeReply(res.reply)}`);
      const again = await client.ehlo(env.fixtures.clientName);
      if (again.code !== 250) return fail('inconclusive', `EHLO after STARTTLS was refused: ${describeReply(again)}`);
    }
  }
  if (rank === 4) {
    const creds = env.fixtures.credentials;
    if (!creds) return fail('inconclusive', 'needs a login: pass --user and a password');
    const refusal = cleartextLoginRefusal(client.tls !== undefined, env.starttls);
    if (refusal) return fail('inconclusive', refusal);
    const mechs = authMechanisms(client.capabilities);
    const mech = mechs.includes('PLAIN') ? 'PLAIN' : mechs.includes('LOGIN') ? 'LOGIN' : undefined;
    if (!mech) return fail('inconclusive', `no AUTH PLAIN or LOGIN offered${client.tls ? '' : ' (before TLS)'}`);
    const reply = await client.auth(mech, { user: creds.user, password: creds.password });
    if (reply.code !== 235) return fail('inconclusive', `login as ${creds.user} failed: ${describeReply(reply)}`);
  }
  return { kind: 'ready', session: new SmtpStepSession(client, undefined), client };
}
