/** Bring a POP3 connection to a check's start state: greeted, tls, authenticated (TRANSACTION). */
import { Pop3Client } from '../../drivers/pop3/client.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { StartState } from '../suite/schema.js';
import { cleartextLoginRefusal, type CheckEnvironment } from './environment.js';
import { notReady, type Opened } from './opened.js';
import { Pop3StepSession } from './session-pop3.js';

const RANK: Readonly<Record<string, number>> = { connected: 1, greeted: 1, tls: 2, authenticated: 3 };

export async function openPop3(env: CheckEnvironment, start: StartState): Promise<Opened> {
  const t = env.target;
  const client = await Pop3Client.connect({ host: t.host, port: t.port, implicitTls: t.implicitTls, tls: env.tls, timeouts: env.timeouts, ...(env.signal ? { signal: env.signal } : {}) });
  try {
    return await establish(client, env, start);
  } catch (err) {
    client.destroy();
    throw err;
  }
}

async function establish(client: Pop3Client, env: CheckEnvironment, start: StartState): Promise<Opened> {
  const fail = (kind: 'skip' | 'inconclusive', reason: string): Opened => {
    const transcript = client.transport.snapshot();
    client.destroy();
    return notReady(kind, reason, transcript);
  };
  if (!client.greeting.ok) return fail('inconclusive', `the server refused the session: ${renderWireText(client.greeting.raw)}`);
  const rank = RANK[start] ?? 1;
  if (rank === 1) return { kind: 'ready', session: new Pop3StepSession(client, client.greeting), client };
  let caps = (await client.capa()).capabilities;
  if (!client.tls && env.starttls !== 'never') {
    if (caps.has('STLS')) {
      const res = await client.stls();
      if (!res.upgraded) return fail('inconclusive', `STLS was refused: ${renderWireText(res.raw)}`);
      caps = (await client.capa()).capabilities;
    } else if (rank === 2) {
      return fail('skip', 'STLS is not offered');
    }
  } else if (!client.tls && rank === 2) {
    return fail('skip', 'TLS is disabled (--starttls never)');
  }
  if (rank === 2) return { kind: 'ready', session: new Pop3StepSession(client, undefined), client };
  const creds = env.fixtures.credentials;
  if (!creds) return fail('inconclusive', 'needs a login: pass --user and a password');
  const refusal = cleartextLoginRefusal(client.tls !== undefined, env.starttls);
  if (refusal) return fail('inconclusive', refusal);
  const sasl = caps.get('SASL') ?? [];
  let reply: { ok: boolean; raw: Buffer };
  if (caps.size === 0 || caps.has('USER')) {
    const user = await client.user(creds.user);
    reply = user.ok ? await client.pass(creds.password) : user;
  } else if (sasl.map((m) => m.toUpperCase()).includes('PLAIN')) {
    reply = await client.authPlain(creds.user, creds.password);
  } else {
    return fail('inconclusive', 'neither USER nor SASL PLAIN is offered');
  }
  if (!reply.ok) return fail('inconclusive', `login as ${creds.user} failed: ${renderWireText(reply.raw)}`);
  return { kind: 'ready', session: new Pop3StepSession(client, undefined), client };
}
