/**
 * Authentication throttling (informational): after a few failed logins in a row, does the
 * server slow down (a reply delay of a second or more, replies getting markedly slower, or no
 * reply within the deadline) or hang up? A bounded number of attempts (default 5, at most 10) on
 * ONE connection, inside TLS where the server offers it, with a made-up user name and a random
 * password: no real account can be locked out. Thousands of attempts from many addresses are
 * what real throttling is for; this only shows whether the first line of defence is there.
 */
import { astring } from '../../drivers/imap/command-encoder.js';
import type { ImapClient } from '../../drivers/imap/client.js';
import type { Pop3Client } from '../../drivers/pop3/client.js';
import { secret, type Secret } from '../../drivers/redact.js';
import { loginPasswordResponse, loginUserResponse, plainResponse } from '../../drivers/sasl.js';
import { authMechanisms } from '../../drivers/smtp/capabilities.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply } from '../../drivers/smtp/reply.js';
import type { Protocol } from '../../drivers/target.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { Transport } from '../../drivers/transport.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { probeFinding } from './catalogue.js';
import { readySmtp } from './smtp-session.js';
import { evidenceFrom, guarded, report, token } from './support.js';
import type { ClientFor, ProbeContext, ProbeReport } from './types.js';

export const DEFAULT_ATTEMPTS = 5;
export const MAX_ATTEMPTS = 10;
/** A failed login answered this slowly counts as slowed down (Dovecot's auth_failure_delay is 2 s). */
export const SLOW_MS = 1_000;

export interface ThrottlingOptions {
  /** Failed logins to try (1…10, default 5). */
  readonly attempts?: number;
  /** Domain for the made-up user name (the --rcpt or --user domain), if known. */
  readonly domain?: string | undefined;
}

type Outcome = { readonly kind: 'failed' | 'accepted' | 'closed'; readonly reply: string } | { readonly kind: 'refused'; readonly reply: string };

interface ThrottleWire<C> {
  transport(client: C): Transport;
  /** Bring the session to where a login can be tried (TLS when offered); why not, or undefined. */
  prepare(client: C, ctx: ProbeContext<Protocol>): Promise<string | undefined>;
  attempt(client: C, user: string, password: Secret, timeoutMs: number): Promise<Outcome>;
  leave(client: C): Promise<void>;
}

const SMTP_THROTTLE: ThrottleWire<SmtpClient> = {
  transport: (c) => c.transport,
  async prepare(c, ctx) {
    const problem = await readySmtp(ctx as ProbeContext<'smtp'>, c);
    if (problem !== undefined) return problem;
    const mechs = authMechanisms(c.capabilities);
    return mechs.includes('PLAIN') || mechs.includes('LOGIN') ? undefined : 'no AUTH PLAIN or LOGIN is offered';
  },
  async attempt(c, user, password, timeoutMs) {
    const creds = { user, password };
    let r;
    if (authMechanisms(c.capabilities).includes('PLAIN')) {
      r = await c.command(['AUTH', 'PLAIN', plainResponse(creds)], { timeoutMs, name: 'smtp.auth' });
    } else {
      r = await c.command('AUTH LOGIN', { timeoutMs, name: 'smtp.auth' });
      if (r.code === 334) r = await c.command([loginUserResponse(creds)], { timeoutMs, name: 'smtp.auth' });
      if (r.code === 334) r = await c.command([loginPasswordResponse(creds)], { timeoutMs, name: 'smtp.auth' });
    }
    const reply = describeReply(r);
    if (r.code === 235) return { kind: 'accepted', reply };
    if (r.code === 421) return { kind: 'closed', reply };
    return { kind: 'failed', reply };
  },
  leave: async (c) => {
    await c.quit();
  },
};

const IMAP_THROTTLE: ThrottleWire<ImapClient> = {
  transport: (c) => c.transport,
  async prepare(c, ctx) {
    if (c.greeting.status !== 'OK') return `greeting ${renderWireText(c.greeting.raw)}`;
    if (!c.tls && ctx.starttls) {
      if (c.capabilities === undefined) await c.capability();
      if (c.hasCapability('STARTTLS')) {
        const up = await c.starttls();
        if (!up.upgraded) return `STARTTLS was refused: ${up.status} ${up.text}`;
      }
    }
    await c.capability();
    return !c.hasCapability('LOGINDISABLED') || c.hasCapability('AUTH=PLAIN') ? undefined : 'LOGIN is disabled and AUTH=PLAIN not offered';
  },
  async attempt(c, user, password, timeoutMs) {
    const r = c.hasCapability('LOGINDISABLED')
      ? await c.command('AUTHENTICATE', ['PLAIN'], { timeoutMs, redactContinuations: true, onContinuation: () => plainResponse({ user, password }) })
      : await c.command('LOGIN', [astring(user), astring(password)], { timeoutMs });
    const reply = renderWireText(r.tagged.raw);
    if (r.untagged.some((u) => u.kind === 'condition' && u.status === 'BYE')) return { kind: 'closed', reply };
    return { kind: r.status === 'OK' ? 'accepted' : 'failed', reply };
  },
  leave: async (c) => {
    await c.logout().catch(() => undefined);
    await c.close();
  },
};

const POP3_THROTTLE: ThrottleWire<Pop3Client> = {
  transport: (c) => c.transport,
  async prepare(c, ctx) {
    if (!c.greeting.ok) return `greeting ${renderWireText(c.greeting.raw)}`;
    let caps = await c.capa();
    if (!c.tls && ctx.starttls && caps.ok && caps.capabilities.has('STLS')) {
      const up = await c.stls();
      if (!up.upgraded) return `STLS was refused: ${renderWireText(up.raw)}`;
      caps = await c.capa();
    }
    if (!caps.ok) return undefined;
    const sasl = (caps.capabilities.get('SASL') ?? []).map((m) => m.toUpperCase());
    return caps.capabilities.has('USER') || sasl.includes('PLAIN') ? undefined : 'neither USER nor SASL PLAIN is offered';
  },
  async attempt(c, user, password, timeoutMs) {
    const caps = c.capabilities;
    let r;
    if (caps === undefined || caps.has('USER')) {
      r = await c.command(['USER', user], { timeoutMs });
      if (r.ok) r = await c.command(['PASS', password], { timeoutMs });
    } else {
      r = await c.command(['AUTH', 'PLAIN', plainResponse({ user, password })], { timeoutMs });
    }
    return { kind: r.ok ? 'accepted' : 'failed', reply: renderWireText(r.raw) };
  },
  leave: async (c) => {
    await c.quit().catch(() => undefined);
    c.destroy();
  },
};

const THROTTLE_WIRES: { readonly [P in Protocol]: ThrottleWire<ClientFor[P]> } = { smtp: SMTP_THROTTLE, imap: IMAP_THROTTLE, pop3: POP3_THROTTLE };

export async function probeAuthThrottling<P extends Protocol>(ctx: ProbeContext<P>, options: ThrottlingOptions = {}): Promise<ProbeReport> {
  const wire = THROTTLE_WIRES[ctx.protocol] as unknown as ThrottleWire<ClientFor[P]>;
  const attempts = Math.min(MAX_ATTEMPTS, Math.max(1, Math.floor(options.attempts ?? DEFAULT_ATTEMPTS)));
  return guarded('login throttling probe', async () => {
    const client = await ctx.open();
    const transport = wire.transport(client);
    try {
      const problem = await wire.prepare(client, ctx);
      if (problem !== undefined) return report('not-applicable', `no login to try: ${problem}`);
      const user = `mailprobe-nonexistent-${token()}${options.domain ? `@${options.domain}` : ''}`;
      const mark = transport.snapshot().length;
      const latencies: number[] = [];
      let stop: string | undefined;
      for (let i = 1; i <= attempts && stop === undefined; i++) {
        const t0 = transport.now();
        let outcome: Outcome;
        try {
          outcome = await wire.attempt(client, user, secret(token(12)), ctx.timeoutMs);
        } catch (err) {
          if (isMailprobeError(err, 'ETIMEDOUT')) {
            stop = `no answer to failed login ${i} within ${ctx.timeoutMs} ms: the server holds failed logins back`;
            break;
          }
          if (isMailprobeError(err, 'ECLOSED')) {
            stop = `the server closed the connection on failed login ${i}`;
            break;
          }
          throw err;
        }
        latencies.push(Math.round(transport.now() - t0));
        if (outcome.kind === 'accepted') return report('inconclusive', `a made-up login was accepted (${outcome.reply}): the server takes any password here, nothing to measure`);
        if (outcome.kind === 'closed' || transport.closed) stop = `the server ended the session after failed login ${i} (${outcome.reply})`;
      }
      const times = latencies.map((ms) => `${ms} ms`).join(', ');
      if (stop !== undefined) return report('done', `${stop}${latencies.length > 0 ? ` (earlier replies after ${times})` : ''}`);
      const first = latencies[0] ?? 0;
      const last = latencies.at(-1) ?? 0;
      const slowest = Math.max(...latencies);
      if (slowest >= SLOW_MS) return report('done', `failed logins are slowed down: replies after ${times}`);
      if (last >= 3 * first && last - first >= SLOW_MS / 2) return report('done', `failed logins get slower: replies after ${times}`);
      const seen = `${attempts} failed logins with a made-up user on one connection were each answered within ${slowest} ms (${times}) and the connection stayed open.`;
      return report('done', seen, [probeFinding('auth.no-throttling', seen, evidenceFrom(transport, mark).slice(0, 12))]);
    } finally {
      if (transport.closed) transport.destroy();
      else await wire.leave(client).catch(() => transport.destroy());
    }
  });
}
