/**
 * Cleartext authentication, with the user's credentials: on the unencrypted connection, does a
 * password login succeed (SMTP AUTH PLAIN/LOGIN, IMAP LOGIN or AUTHENTICATE PLAIN, POP3
 * USER/PASS or AUTH PLAIN)? The password is only sent where the server offers a cleartext login
 * before TLS (so none is sent where it would be refused anyway), and only when `send` says the
 * user allowed it; otherwise the offer alone is reported. An IMAP PREAUTH greeting on a cleartext
 * port needs no password at all. Transcripts show `***` for every credential.
 */
import type { ImapClient } from '../../drivers/imap/client.js';
import type { Pop3Client } from '../../drivers/pop3/client.js';
import { authMechanisms } from '../../drivers/smtp/capabilities.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply } from '../../drivers/smtp/reply.js';
import type { Protocol } from '../../drivers/target.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { Transport } from '../../drivers/transport.js';
import { probeFinding } from './catalogue.js';
import { evidenceFrom, guarded, report } from './support.js';
import type { ClientFor, Credentials, ProbeContext, ProbeReport } from './types.js';

export interface PlaintextAuthOptions {
  readonly credentials: Credentials;
  /**
   * Send the password over cleartext where a cleartext login is offered (diagnose with --user;
   * check with --starttls never). False: report the offer (auth.plaintext-before-tls) and stop.
   */
  readonly send: boolean;
  /** A sentence appended to what a successful login finding says (why it was tried). */
  readonly note?: string;
}

type Offer = { readonly kind: 'offered'; readonly what: string; readonly evidence: readonly string[] } | { readonly kind: 'none'; readonly what: string };
interface Login {
  readonly ok: boolean;
  readonly reply: string;
}

interface AuthWire<C> {
  transport(client: C): Transport;
  /** PREAUTH (IMAP), a refusal, or undefined for a normal greeting. */
  greeting(client: C): 'ok' | 'preauth' | string;
  offer(client: C, ctx: ProbeContext<Protocol>): Promise<Offer>;
  login(client: C, credentials: Credentials, ctx: ProbeContext<Protocol>): Promise<Login>;
  leave(client: C): Promise<void>;
}

const CLEARTEXT = ['PLAIN', 'LOGIN'];

const SMTP_AUTH: AuthWire<SmtpClient> = {
  transport: (c) => c.transport,
  greeting: (c) => (c.greeting?.code === 220 ? 'ok' : `greeting ${c.greeting ? describeReply(c.greeting) : '(none)'}`),
  async offer(c, ctx) {
    const r = await c.ehlo(ctx.clientName);
    if (r.code !== 250) return { kind: 'none', what: `EHLO got ${describeReply(r)}` };
    const mechs = authMechanisms(c.capabilities).filter((m) => CLEARTEXT.includes(m));
    if (mechs.length === 0) return { kind: 'none', what: 'no AUTH PLAIN or LOGIN is offered before TLS' };
    return { kind: 'offered', what: `AUTH ${mechs.join(' ')} is offered before TLS`, evidence: r.lines.filter((l) => /^AUTH\b/i.test(l)).map((l) => `S: 250 ${l}`) };
  },
  async login(c, credentials) {
    const mech = authMechanisms(c.capabilities).includes('PLAIN') ? 'PLAIN' : 'LOGIN';
    const r = await c.auth(mech, { user: credentials.user, password: credentials.password });
    return { ok: r.code === 235, reply: describeReply(r) };
  },
  leave: async (c) => {
    await c.quit();
  },
};

const IMAP_AUTH: AuthWire<ImapClient> = {
  transport: (c) => c.transport,
  greeting: (c) => (c.greeting.status === 'OK' ? 'ok' : c.greeting.status === 'PREAUTH' ? 'preauth' : `greeting ${renderWireText(c.greeting.raw)}`),
  async offer(c) {
    const r = await c.capability();
    const names = (r.capabilities ?? []).map((n) => n.toUpperCase());
    // RFC 9051 §6.2.3: LOGIN works unless LOGINDISABLED is advertised.
    const login = r.capabilities !== undefined && !names.includes('LOGINDISABLED');
    const sasl = names.filter((n) => n.startsWith('AUTH=') && CLEARTEXT.includes(n.slice(5)));
    if (!login && sasl.length === 0) return { kind: 'none', what: 'LOGINDISABLED, and no AUTH=PLAIN or AUTH=LOGIN before TLS' };
    const what = [login ? 'LOGIN is allowed (no LOGINDISABLED)' : '', sasl.length > 0 ? `${sasl.join(' ')} offered` : ''].filter((w) => w !== '').join(' and ');
    return { kind: 'offered', what: `${what} before TLS`, evidence: [`S: * CAPABILITY ${(r.capabilities ?? []).join(' ')}`] };
  },
  async login(c, credentials) {
    const useLogin = !c.hasCapability('LOGINDISABLED');
    const r = useLogin ? await c.login(credentials.user, credentials.password) : await c.authenticatePlain(credentials.user, credentials.password);
    return { ok: r.status === 'OK', reply: `${r.status} ${r.text}`.trim() };
  },
  leave: async (c) => {
    await c.logout().catch(() => undefined);
    await c.close();
  },
};

const POP3_AUTH: AuthWire<Pop3Client> = {
  transport: (c) => c.transport,
  greeting: (c) => (c.greeting.ok ? 'ok' : `greeting ${renderWireText(c.greeting.raw)}`),
  async offer(c) {
    const r = await c.capa();
    // RFC 2449 is optional: a server without CAPA may still take USER (it answers USER first,
    // before any password is sent).
    if (!r.ok) return { kind: 'offered', what: 'the server lists no capabilities (no CAPA), so USER/PASS may work', evidence: [`S: ${renderWireText(r.raw)}`] };
    const user = r.capabilities.has('USER');
    const sasl = (r.capabilities.get('SASL') ?? []).map((m) => m.toUpperCase()).filter((m) => CLEARTEXT.includes(m));
    if (!user && sasl.length === 0) return { kind: 'none', what: 'neither USER nor SASL PLAIN/LOGIN is offered before TLS' };
    const lines = [...r.capabilities].map(([k, p]) => [k, ...p].join(' ')).filter((l) => /^(USER|SASL)\b/i.test(l));
    return { kind: 'offered', what: `${lines.join(' and ')} offered before TLS`, evidence: lines.map((l) => `S: ${l}`) };
  },
  async login(c, credentials) {
    const caps = c.capabilities;
    if (caps === undefined || caps.has('USER')) {
      const user = await c.user(credentials.user);
      // A refused USER ends it before the password is sent.
      if (!user.ok) return { ok: false, reply: renderWireText(user.raw) };
      const pass = await c.pass(credentials.password);
      return { ok: pass.ok, reply: renderWireText(pass.raw) };
    }
    const r = await c.authPlain(credentials.user, credentials.password);
    return { ok: r.ok, reply: renderWireText(r.raw) };
  },
  leave: async (c) => {
    await c.quit().catch(() => undefined);
    c.destroy();
  },
};

const AUTH_WIRES: { readonly [P in Protocol]: AuthWire<ClientFor[P]> } = { smtp: SMTP_AUTH, imap: IMAP_AUTH, pop3: POP3_AUTH };

export async function probePlaintextAuth<P extends Protocol>(ctx: ProbeContext<P>, options: PlaintextAuthOptions): Promise<ProbeReport> {
  if (ctx.implicitTls) return report('not-applicable', 'the port starts with TLS: nothing is sent in cleartext');
  const wire = AUTH_WIRES[ctx.protocol] as unknown as AuthWire<ClientFor[P]>;
  return guarded('cleartext login probe', async () => {
    const client = await ctx.open();
    const transport = wire.transport(client);
    try {
      const greeting = wire.greeting(client);
      if (greeting === 'preauth') {
        const seen = 'The IMAP greeting on the cleartext port is PREAUTH: the session is logged in before any credentials.';
        return report('done', seen, [probeFinding('auth.preauth-greeting', seen, evidenceFrom(transport))]);
      }
      if (greeting !== 'ok') return report('inconclusive', `not tested: ${greeting}`);
      const offer = await wire.offer(client, ctx);
      if (offer.kind === 'none') return report('done', `${offer.what}: no password was sent`);
      if (!options.send) {
        const seen = `Before TLS, ${offer.what}; the password was not sent (a check sends it in cleartext only with --starttls never).`;
        return report('done', seen, [probeFinding('auth.plaintext-before-tls', seen, offer.evidence)]);
      }
      const mark = transport.snapshot().length;
      const r = await wire.login(client, options.credentials, ctx);
      const evidence = [...offer.evidence, ...evidenceFrom(transport, mark).filter((l) => !l.startsWith('I:'))];
      if (r.ok) {
        const seen = `Logging in as ${options.credentials.user} over the unencrypted connection succeeded (${r.reply})${options.note === undefined ? '.' : `; ${options.note}`}`;
        return report('done', seen, [probeFinding('auth.plaintext-accepted', seen, evidence)]);
      }
      return report('done', `${offer.what}, but the cleartext login was refused (${r.reply})`);
    } finally {
      if (transport.closed) transport.destroy();
      else await wire.leave(client).catch(() => transport.destroy());
    }
  });
}
