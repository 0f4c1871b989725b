/** Bring an IMAP connection to a check's start state: greeted, tls, authenticated, selected. */
import { ImapClient } from '../../drivers/imap/client.js';
import { responseText } from '../match/imap.js';
import type { StartState } from '../suite/schema.js';
import { cleartextLoginRefusal, type CheckEnvironment } from './environment.js';
import { notReady, type Opened } from './opened.js';
import { ImapStepSession } from './session-imap.js';

const RANK: Readonly<Record<string, number>> = { connected: 1, greeted: 1, tls: 2, authenticated: 3, selected: 4 };

export async function openImap(env: CheckEnvironment, start: StartState): Promise<Opened> {
  const t = env.target;
  const client = await ImapClient.connect({ host: t.host, port: t.port, implicitTls: t.implicitTls, tls: env.tls, timeouts: env.timeouts, ...(env.signal ? { signal: env.signal } : {}) });
  try {
    return await establish(client, env, start);
  } catch (err) {
    client.destroy();
    throw err;
  }
}

async function establish(client: ImapClient, env: CheckEnvironment, start: StartState): Promise<Opened> {
  const fail = (kind: 'skip' | 'inconclusive', reason: string): Opened => {
    const transcript = client.transport.snapshot();
    client.destroy();
    return notReady(kind, reason, transcript);
  };
  const greeting = client.greeting;
  if (greeting.status === 'BYE') return fail('inconclusive', `the server refused the session: ${responseText(greeting)}`);
  const rank = RANK[start] ?? 1;
  if (rank === 1) return { kind: 'ready', session: new ImapStepSession(client, greeting), client };
  if (!client.tls && env.starttls !== 'never') {
    if (client.capabilities === undefined) await client.capability();
    if (client.hasCapability('STARTTLS')) {
      const res = await client.starttls();
      if (!res.upgraded) return fail('inconclusive', `STARTTLS was refused: ${res.status} ${res.text}`);
    } else if (rank === 2) {
      return fail('skip', 'STARTTLS is not offered');
    }
  } else if (!client.tls && rank === 2) {
    return fail('skip', 'TLS is disabled (--starttls never)');
  }
  if (rank === 2) return { kind: 'ready', session: new ImapStepSession(client, undefined), client };
  if (greeting.status !== 'PREAUTH') {
    const creds = env.fixtures.credentials;
    if (!creds) return fail('inconclusive', 'needs a login: pass --user and a password');
    const refusal = cleartextLoginRefusal(client.tls !== undefined, env.starttls);
    if (refusal) return fail('inconclusive', refusal);
    // RFC 9051 §6.2.3: under LOGINDISABLED a client MUST NOT send LOGIN.
    if (!client.tls && client.hasCapability('LOGINDISABLED')) return fail('inconclusive', 'the server disables LOGIN without TLS (LOGINDISABLED)');
    const res = await client.login(creds.user, creds.password);
    if (res.status !== 'OK') return fail('inconclusive', `login as ${creds.user} failed: ${res.status} ${res.text}`);
  }
  if (rank === 4) {
    const res = await client.select(env.fixtures.mailbox);
    if (res.status !== 'OK') return fail('inconclusive', `SELECT ${env.fixtures.mailbox} failed: ${res.status} ${res.text}`);
  }
  return { kind: 'ready', session: new ImapStepSession(client, undefined), client };
}
