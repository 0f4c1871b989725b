/**
 * POP3 for diagnose over drivers/pop3: CAPA (RFC 2449), STLS (RFC 2595 §4), USER/PASS
 * (RFC 1939 §7) and AUTH PLAIN (RFC 5034).
 */
import { renderWireText } from '../../drivers/transcript.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import type { Pop3Reply } from '../../drivers/pop3/types.js';
import { secret } from '../../drivers/redact.js';
import type { Credentials } from '../../drivers/sasl.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import { classifyGreeting } from './greeting.js';
import type { CapabilityRead, Conversation, InjectionReply, LoginReply, ProtocolAdapter, UpgradeReply } from './protocol.js';
import type { Capabilities, GreetingStatus } from './types.js';

/** Not a POP3 command: any server answers -ERR, never the +OK CAPA gets. */
export const POP3_INJECTED = 'XMAILPROBE-INJECTED';
const CLEARTEXT_MECHANISMS = ['PLAIN', 'LOGIN'];

export function pop3Capabilities(caps: ReadonlyMap<string, readonly string[]>): Capabilities {
  const raw = [...caps].map(([k, p]) => [k, ...p].join(' '));
  const mechanisms = (caps.get('SASL') ?? []).map((m) => m.toUpperCase());
  const sasl = mechanisms.filter((m) => CLEARTEXT_MECHANISMS.includes(m));
  // RFC 2449 §6.8: USER means USER/PASS is accepted (Dovecot hides it while cleartext is refused).
  const user = caps.has('USER');
  return {
    raw,
    starttls: caps.has('STLS'),
    mechanisms,
    cleartextLogin: user || sasl.length > 0,
    cleartextEvidence: raw.filter((l) => (user && /^USER\b/i.test(l)) || (sasl.length > 0 && /^SASL\b/i.test(l))).map((l) => `S: ${l}`),
  };
}

function statusLine(r: Pop3Reply): string {
  return renderWireText(r.raw);
}

class Pop3Conversation implements Conversation {
  readonly greeting: string;
  readonly greetingStatus: GreetingStatus;
  constructor(readonly client: Pop3Client) {
    this.greeting = statusLine(client.greeting);
    this.greetingStatus = classifyGreeting(this.greeting).status;
  }
  get transport(): Transport {
    return this.client.transport;
  }

  async capabilities(): Promise<CapabilityRead> {
    const r = await this.client.capa();
    // RFC 2449 is optional: -ERR to CAPA says nothing about STLS or USER.
    return { caps: r.ok ? pop3Capabilities(r.capabilities) : undefined, refusal: undefined };
  }

  async starttls(): Promise<UpgradeReply> {
    const r = await this.client.stls({ trailing: 'record' });
    if (!r.upgraded) return { accepted: false, reply: statusLine(r), tls: undefined, trailingBytes: 0 };
    return { accepted: true, reply: statusLine(r), tls: r.tls, trailingBytes: r.trailing.length };
  }

  async injectStarttls(): Promise<InjectionReply> {
    await this.client.sendRaw(`STLS\r\n${POP3_INJECTED}\r\n`);
    const go = await this.client.readStatus();
    if (!go.ok) return { accepted: false, reply: statusLine(go), tls: undefined, trailingBytes: 0, answeredInside: undefined };
    const up = await this.transport.upgradeTls({ trailing: 'record' });
    // A server that kept the injected line answers it (-ERR) inside TLS before CAPA's reply.
    const first = await this.client.command('CAPA');
    let answeredInside: string | undefined;
    if (!first.ok) {
      const limit = Math.min(this.transport.timeouts.commandMs, 2_000);
      const second = await this.client.readStatus({ timeoutMs: limit }).catch(() => undefined);
      if (second !== undefined) answeredInside = statusLine(first);
    }
    return { accepted: true, reply: statusLine(go), tls: up.tls, trailingBytes: up.trailing.length, answeredInside };
  }

  async login(credentials: Credentials, caps: Capabilities | undefined): Promise<LoginReply> {
    const password = credentials.password ?? secret('');
    if (caps === undefined || caps.raw.some((l) => /^USER\b/i.test(l))) {
      const user = await this.client.user(credentials.user);
      if (!user.ok) return { ok: false, reply: statusLine(user) };
      const pass = await this.client.pass(password);
      return { ok: pass.ok, reply: statusLine(pass) };
    }
    const r = await this.client.authPlain(credentials.user, password);
    return { ok: r.ok, reply: statusLine(r) };
  }

  async quit(): Promise<void> {
    await this.client.quit().catch(() => undefined);
    this.client.destroy();
  }

  destroy(): void {
    this.client.destroy();
  }
}

export const POP3_ADAPTER: ProtocolAdapter = {
  protocol: 'pop3',
  starttlsVerb: 'STLS',
  capabilityVerb: 'CAPA',
  async open(options: TransportOptions): Promise<Conversation> {
    return new Pop3Conversation(await Pop3Client.connect(options));
  },
};
