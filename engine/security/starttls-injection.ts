/**
 * STARTTLS command injection (CVE-2011-0411 class; Poddebniak et al., USENIX Security 2021) for
 * SMTP, IMAP and POP3, on one plaintext connection:
 *
 * 1. STARTTLS/STLS and a harmless second command in ONE write. RFC 3207 §4.2, RFC 9051 §6.2.1
 *    and RFC 2595 §4: the server must discard what it read before the handshake (or take it as
 *    the start of the handshake, which then fails).
 * 2. After the handshake, wait briefly and look for anything the server sends before our first
 *    command inside TLS: an answer to the injected line arrives exactly there.
 * 3. The capability command inside TLS: a late answer to the injected line comes first.
 *
 * Plaintext after the go-ahead is injection too. A handshake broken by non-TLS bytes ("wrong
 * version number") is the same bug when the answer arrives just after we stopped reading
 * plaintext, but could be a fluke: a second attempt must show it again. A server that hangs up
 * on pipelined STARTTLS (Dovecot does) is safe.
 *
 * A second probe on a clean upgrade looks at STARTTLS inside TLS: offered again (RFC 3207 §4.2:
 * MUST NOT) or accepted a second time.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { ImapClient } from '../../drivers/imap/client.js';
import type { ImapResponse } from '../../drivers/imap/response-types.js';
import type { Pop3Client } from '../../drivers/pop3/client.js';
import { parseCapabilities } from '../../drivers/pop3/maildrop.js';
import { hasCapability, parseEhlo } from '../../drivers/smtp/capabilities.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply } from '../../drivers/smtp/reply.js';
import type { Protocol } from '../../drivers/target.js';
import { renderWireText, type TranscriptEntry } from '../../drivers/transcript.js';
import type { Transport } from '../../drivers/transport.js';
import { classifyTlsError } from '../diagnose/raw-stream.js';
import { probeFinding } from './catalogue.js';
import { evidenceOf, guarded, maybe, pause, report } from './support.js';
import type { ClientFor, ProbeContext, ProbeFinding, ProbeReport } from './types.js';

/** A verb no server implements: its answer (an error) cannot be mistaken for the capability reply. */
export const INJECTED_VERB = 'XMAILPROBE-INJECTED';
/** How long to listen inside TLS before sending anything: answers to injected lines come at once. */
export const EARLY_RESPONSE_MS = 200;
/** How long to wait for a second reply when the first one inside TLS looks like an error. */
const LATE_ANSWER_MS = 2_000;

type Ctx = Pick<ProbeContext<Protocol>, 'timeoutMs' | 'clientName'>;

interface GoAhead {
  readonly accepted: boolean;
  readonly reply: string;
}

interface Inside {
  /** The reply that answered the injected command, if one came inside TLS. */
  readonly injectedAnswer: string | undefined;
  /** STARTTLS/STLS listed again by the capability command inside TLS. */
  readonly readvertised: boolean;
}

/** What one protocol needs for the probe (STYLE: a typed registry, not a switch per step). */
interface StarttlsWire<C> {
  readonly verb: 'STARTTLS' | 'STLS';
  transport(client: C): Transport;
  /** Why the greeting does not allow the probe, or undefined. */
  greetingProblem(client: C): string | undefined;
  /** Whether STARTTLS is offered before TLS (undefined: the server lists no capabilities). */
  offered(client: C, ctx: Ctx): Promise<boolean | undefined>;
  /** STARTTLS plus the injected command in one write; the go-ahead (or refusal). */
  inject(client: C, ctx: Ctx): Promise<GoAhead>;
  /** A reply that arrived before our first command inside TLS, read whole. */
  readEarly(client: C, ctx: Ctx): Promise<string>;
  /** The capability command inside TLS. */
  inside(client: C, ctx: Ctx): Promise<Inside>;
  /** A plain STARTTLS/STLS (the clean upgrade, and once more inside TLS). */
  starttls(client: C, ctx: Ctx): Promise<GoAhead>;
  leave(client: C): Promise<void>;
}

const IMAP_TAGS = { starttls: 'MPI1', injected: 'MPI2', capability: 'MPC1', plain: 'MPS1' } as const;

const SMTP_WIRE: StarttlsWire<SmtpClient> = {
  verb: 'STARTTLS',
  transport: (c) => c.transport,
  greetingProblem: (c) => (c.greeting?.code === 220 ? undefined : `greeting ${c.greeting ? describeReply(c.greeting) : '(none)'}`),
  async offered(c, { timeoutMs, clientName }) {
    const r = await c.command(`EHLO ${clientName}`, { timeoutMs });
    if (r.code !== 250) return false;
    return hasCapability(parseEhlo(r), 'STARTTLS');
  },
  async inject(c, { timeoutMs }) {
    await c.sendRaw(`STARTTLS\r\n${INJECTED_VERB}\r\n`, { display: ['STARTTLS', `${INJECTED_VERB}  (same write, plaintext)`] });
    const go = await c.readReply({ phase: 'tls', timeoutMs });
    return { accepted: go.code === 220, reply: describeReply(go) };
  },
  readEarly: async (c, { timeoutMs }) => describeReply(await c.readReply({ timeoutMs })),
  async inside(c, { timeoutMs, clientName }) {
    let reply = await c.command(`EHLO ${clientName}`, { timeoutMs });
    let injectedAnswer: string | undefined;
    // A server that kept the injected verb answers it (an error) before the EHLO reply.
    if (reply.code >= 500) {
      const second = await maybe(() => c.readReply({ timeoutMs: Math.min(timeoutMs, LATE_ANSWER_MS) }));
      if (second !== undefined) {
        injectedAnswer = describeReply(reply);
        reply = second;
      }
    }
    return { injectedAnswer, readvertised: reply.code === 250 && hasCapability(parseEhlo(reply), 'STARTTLS') };
  },
  async starttls(c, { timeoutMs }) {
    const r = await c.command('STARTTLS', { timeoutMs });
    return { accepted: r.code === 220, reply: describeReply(r) };
  },
  leave: async (c) => {
    await c.quit();
  },
};

/** Responses until the tagged completion of `tag` (or a BYE), within one deadline. */
async function untilTagged(c: ImapClient, tag: string, timeoutMs: number, seen: (r: ImapResponse) => void = () => {}): Promise<ImapResponse> {
  const deadline = c.transport.now() + timeoutMs;
  for (;;) {
    const r = await c.readResponse({ timeoutMs: Math.max(1, deadline - c.transport.now()) });
    seen(r);
    if (r.kind === 'tagged' && r.tag.toUpperCase() === tag) return r;
    if (r.kind === 'condition' && r.status === 'BYE') return r;
  }
}

const imapText = (r: ImapResponse): string => renderWireText(r.raw);

const IMAP_WIRE: StarttlsWire<ImapClient> = {
  verb: 'STARTTLS',
  transport: (c) => c.transport,
  greetingProblem: (c) => (c.greeting.status === 'OK' ? undefined : `greeting ${imapText(c.greeting)}`),
  async offered(c) {
    const r = await c.capability();
    return r.capabilities === undefined ? undefined : r.capabilities.some((n) => n.toUpperCase() === 'STARTTLS');
  },
  async inject(c, { timeoutMs }) {
    const { starttls, injected } = IMAP_TAGS;
    await c.sendRaw(`${starttls} STARTTLS\r\n${injected} NOOP\r\n`, { display: [`${starttls} STARTTLS`, `${injected} NOOP  (same write, plaintext)`] });
    const go = await untilTagged(c, starttls, timeoutMs);
    return { accepted: go.kind === 'tagged' && go.status === 'OK', reply: imapText(go) };
  },
  readEarly: async (c, { timeoutMs }) => imapText(await c.readResponse({ timeoutMs })),
  async inside(c, { timeoutMs }) {
    const { injected, capability } = IMAP_TAGS;
    await c.sendRaw(`${capability} CAPABILITY\r\n`);
    let injectedAnswer: string | undefined;
    let readvertised = false;
    await untilTagged(c, capability, timeoutMs, (r) => {
      if (r.kind === 'tagged' && r.tag.toUpperCase() === injected) injectedAnswer = imapText(r);
      if (r.kind === 'capability' && r.capabilities.some((n) => n.toUpperCase() === 'STARTTLS')) readvertised = true;
    });
    return { injectedAnswer, readvertised };
  },
  async starttls(c, { timeoutMs }) {
    await c.sendRaw(`${IMAP_TAGS.plain} STARTTLS\r\n`);
    const r = await untilTagged(c, IMAP_TAGS.plain, timeoutMs);
    return { accepted: r.kind === 'tagged' && r.status === 'OK', reply: imapText(r) };
  },
  leave: async (c) => {
    await c.logout().catch(() => undefined);
    await c.close();
  },
};

const POP3_WIRE: StarttlsWire<Pop3Client> = {
  verb: 'STLS',
  transport: (c) => c.transport,
  greetingProblem: (c) => (c.greeting.ok ? undefined : `greeting ${renderWireText(c.greeting.raw)}`),
  async offered(c) {
    const r = await c.capa();
    // RFC 2449 is optional: -ERR to CAPA says nothing about STLS.
    return r.ok ? r.capabilities.has('STLS') : undefined;
  },
  async inject(c, { timeoutMs }) {
    await c.sendRaw(`STLS\r\n${INJECTED_VERB}\r\n`, { display: ['STLS', `${INJECTED_VERB}  (same write, plaintext)`] });
    const go = await c.readStatus({ timeoutMs });
    return { accepted: go.ok, reply: renderWireText(go.raw) };
  },
  readEarly: async (c, { timeoutMs }) => renderWireText((await c.readStatus({ timeoutMs })).raw),
  async inside(c, { timeoutMs }) {
    let reply = await c.command('CAPA', { timeoutMs });
    let injectedAnswer: string | undefined;
    // A server that kept the injected line answers it (-ERR) before CAPA's +OK.
    if (!reply.ok) {
      const second = await maybe(() => c.readStatus({ timeoutMs: Math.min(timeoutMs, LATE_ANSWER_MS), multiline: true }));
      if (second !== undefined) {
        injectedAnswer = renderWireText(reply.raw);
        reply = second;
      }
    }
    const caps = reply.ok ? parseCapabilities(reply.lines ?? []) : new Map<string, string[]>();
    return { injectedAnswer, readvertised: caps.has('STLS') };
  },
  async starttls(c, { timeoutMs }) {
    const r = await c.command('STLS', { timeoutMs });
    return { accepted: r.ok, reply: renderWireText(r.raw) };
  },
  leave: async (c) => {
    await c.quit().catch(() => undefined);
    c.destroy();
  },
};

const WIRES: { readonly [P in Protocol]: StarttlsWire<ClientFor[P]> } = { smtp: SMTP_WIRE, imap: IMAP_WIRE, pop3: POP3_WIRE };

type Attempt =
  | { readonly kind: 'vulnerable' | 'suspect'; readonly detail: string; readonly evidence: readonly string[] }
  | { readonly kind: 'safe'; readonly detail: string }
  | { readonly kind: 'not-applicable' | 'unknown'; readonly detail: string };

/** The injection probe (steps 1–3 of the header comment). */
export async function probeStarttlsInjection<P extends Protocol>(ctx: ProbeContext<P>): Promise<ProbeReport> {
  const wire = WIRES[ctx.protocol] as unknown as StarttlsWire<ClientFor[P]>;
  if (ctx.implicitTls) return report('not-applicable', `an implicit-TLS port has no ${wire.verb}`);
  if (!ctx.starttls) return report('not-applicable', `TLS is disabled (--starttls never): ${wire.verb} not tried`);
  const first = await injectOnce(ctx, wire);
  let outcome: Attempt = first;
  if (first.kind === 'suspect') {
    const second = await injectOnce(ctx, wire);
    outcome =
      second.kind === 'suspect' || second.kind === 'vulnerable'
        ? { kind: 'vulnerable', detail: `${first.detail}; a second attempt: ${second.detail}`, evidence: [...first.evidence, ...second.evidence] }
        : { kind: 'safe', detail: `one handshake failed (${first.detail}) but a second attempt was clean` };
  }
  switch (outcome.kind) {
    case 'vulnerable': {
      const seen = `A command sent in the same write as ${wire.verb} was not discarded: ${outcome.detail}.`;
      return report('done', seen, [probeFinding('starttls.command-injection', seen, outcome.evidence)]);
    }
    case 'safe':
      return report('done', outcome.detail);
    case 'not-applicable':
      return report('not-applicable', outcome.detail);
    case 'unknown':
    case 'suspect':
      return report('inconclusive', outcome.detail);
  }
}

async function injectOnce<C>(ctx: ProbeContext<Protocol>, wire: StarttlsWire<C>): Promise<Attempt> {
  let client: C | undefined;
  try {
    client = (await ctx.open()) as C;
    const c = client;
    const transport = wire.transport(c);
    const problem = wire.greetingProblem(c);
    if (problem !== undefined) return { kind: 'unknown', detail: problem };
    const offered = await wire.offered(c, ctx);
    // POP3 without CAPA may still know STLS: try it.
    if (offered === false) return { kind: 'not-applicable', detail: `${wire.verb} is not offered` };
    const go = await wire.inject(c, ctx);
    if (!go.accepted) {
      return offered === undefined ? { kind: 'not-applicable', detail: `${wire.verb} was refused (${go.reply})` } : { kind: 'safe', detail: `the pipelined ${wire.verb} was refused (${go.reply})` };
    }
    const up = await transport.upgradeTls({ trailing: 'record' });
    const evidence = (): string[] => tlsEvidence(transport.snapshot());
    if (up.trailing.length > 0) return { kind: 'vulnerable', detail: `${up.trailing.length} plaintext bytes followed the go-ahead`, evidence: evidence() };
    // Anything that arrives before we say a word inside TLS answers what was sent before it.
    await pause(EARLY_RESPONSE_MS, ctx.signal);
    if (transport.buffered > 0) {
      const early = await maybe(() => wire.readEarly(c, ctx));
      return { kind: 'vulnerable', detail: `the server answered inside TLS before the client's first TLS command: ${early ?? '(an incomplete reply)'}`, evidence: evidence() };
    }
    const inside = await wire.inside(c, ctx);
    if (inside.injectedAnswer !== undefined) return { kind: 'vulnerable', detail: `the injected command was answered inside TLS: ${inside.injectedAnswer}`, evidence: evidence() };
    return { kind: 'safe', detail: `the command sent with ${wire.verb} was discarded` };
  } catch (err) {
    if (!(err instanceof MailprobeError) || err.code === 'EABORTED') throw err;
    const entries = err.context.transcript ?? (client === undefined ? [] : wire.transport(client).snapshot());
    const code = err.context.detail?.['tlsError'];
    const failure = classifyTlsError(typeof code === 'string' ? code : err.code, err.message);
    if (err.code === 'ETLS_HANDSHAKE' && failure === 'not-tls') {
      return { kind: 'suspect', detail: `the TLS handshake after the go-ahead met non-TLS bytes (${oneLine(err.message)})`, evidence: tlsEvidence(entries) };
    }
    if (err.code === 'ECLOSED' || failure === 'closed') return { kind: 'safe', detail: 'the server closed the connection rather than accept pipelined input' };
    return { kind: 'unknown', detail: err.message };
  } finally {
    if (client !== undefined) await leave(wire, client);
  }
}

/**
 * STARTTLS inside TLS, on a clean upgrade (no injection, so a server that hangs up on pipelined
 * input is still tested): the capabilities must not offer it again (RFC 3207 §4.2, RFC 9051
 * §6.2.1, RFC 2595 §4) and a second STARTTLS must be refused. `skipReadvertised`: diagnose
 * judges re-advertisement from its main conversation already.
 */
export async function probeStarttlsRepeat<P extends Protocol>(ctx: ProbeContext<P>, options: { skipReadvertised?: boolean } = {}): Promise<ProbeReport> {
  const wire = WIRES[ctx.protocol] as unknown as StarttlsWire<ClientFor[P]>;
  if (ctx.implicitTls) return report('not-applicable', `an implicit-TLS port has no ${wire.verb}`);
  if (!ctx.starttls) return report('not-applicable', `TLS is disabled (--starttls never): ${wire.verb} not tried`);
  return guarded(`${wire.verb} inside TLS`, async () => {
    const c = await ctx.open();
    const transport = wire.transport(c);
    try {
      const problem = wire.greetingProblem(c);
      if (problem !== undefined) return report('inconclusive', problem);
      const offered = await wire.offered(c, ctx);
      if (offered === false) return report('not-applicable', `${wire.verb} is not offered`);
      const go = await wire.starttls(c, ctx);
      if (!go.accepted) return report(offered === undefined ? 'not-applicable' : 'inconclusive', `${wire.verb} was refused (${go.reply})`);
      await transport.upgradeTls({ trailing: 'record' });
      const inside = await wire.inside(c, ctx);
      const findings: ProbeFinding[] = [];
      if (inside.readvertised && options.skipReadvertised !== true) {
        findings.push(probeFinding('starttls.readvertised-after-tls', `After the TLS handshake the capabilities still offer ${wire.verb}.`, evidenceOf(transport.snapshot().filter((e) => e.dir === 'S' && /STARTTLS|^STLS/i.test(e.text)))));
      }
      const mark = transport.snapshot().length;
      const again = await wire.starttls(c, ctx);
      if (again.accepted) {
        findings.push(probeFinding('starttls.accepted-twice', `Inside TLS a second ${wire.verb} got the go-ahead: ${again.reply}.`, evidenceOf(transport.snapshot().slice(mark))));
        // The server now waits for a second handshake: nothing sensible can follow.
        transport.destroy();
      }
      const offeredAgain = inside.readvertised ? `${wire.verb} is offered again inside TLS` : `${wire.verb} is not offered again inside TLS`;
      return report('done', `${offeredAgain}, and a second ${wire.verb} ${again.accepted ? `got the go-ahead (${again.reply})` : `was refused (${again.reply})`}`, findings);
    } finally {
      await leave(wire, c);
    }
  });
}

/** QUIT/LOGOUT when the connection is still usable, else just drop it; never throws. */
async function leave<C>(wire: StarttlsWire<C>, client: C): Promise<void> {
  const transport = wire.transport(client);
  if (transport.closed) transport.destroy();
  else await wire.leave(client).catch(() => transport.destroy());
}

/** The transcript from the STARTTLS line on: what the finding shows. */
function tlsEvidence(entries: readonly TranscriptEntry[]): string[] {
  const from = entries.findIndex((e) => e.dir === 'C' && /STARTTLS|STLS/i.test(e.text));
  return evidenceOf(entries.slice(Math.max(0, from)).slice(0, 14));
}

/** OpenSSL's `…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…` → `wrong version number`. */
function oneLine(message: string): string {
  const known = /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i.exec(message);
  return known ? known[0].toLowerCase() : message.replace(/\s+/g, ' ').trim();
}
