/**
 * SMTP for diagnose over drivers/smtp: EHLO capabilities (RFC 5321 §4.1.1.1), STARTTLS
 * (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954).
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { Credentials } from '../../drivers/sasl.js';
import { authMechanisms, hasCapability, type SmtpCapabilities } from '../../drivers/smtp/capabilities.js';
import { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import { classifyGreeting } from './greeting.js';
import type { CapabilityRead, Conversation, InjectionReply, LoginReply, ProtocolAdapter, UpgradeReply } from './protocol.js';
import type { Capabilities, GreetingStatus } from './types.js';

/** A verb no server implements: its answer (5xx) cannot be mistaken for EHLO's 250. */
export const SMTP_INJECTED = 'XMAILPROBE-INJECTED';
const CLEARTEXT_MECHANISMS = ['PLAIN', 'LOGIN'];

export function smtpCapabilities(caps: SmtpCapabilities | undefined): Capabilities {
  const raw = caps ? [...caps.keywords].map(([k, p]) => [k, ...p].join(' ')) : [];
  const mechanisms = [...authMechanisms(caps)];
  const cleartext = mechanisms.filter((m) => CLEARTEXT_MECHANISMS.includes(m));
  return {
    raw,
    starttls: hasCapability(caps, 'STARTTLS'),
    mechanisms,
    cleartextLogin: cleartext.length > 0,
    cleartextEvidence: cleartext.length > 0 ? raw.filter((l) => /^AUTH\b/i.test(l)).map((l) => `S: 250 ${l}`) : [],
  };
}

function greetingText(reply: SmtpReply | undefined): string {
  return reply ? reply.lines.map((l) => `${reply.code} ${l}`).join('\n') : '';
}

class SmtpConversation implements Conversation {
  readonly greeting: string;
  readonly greetingStatus: GreetingStatus;
  constructor(
    readonly client: SmtpClient,
    readonly clientName: string,
  ) {
    this.greeting = greetingText(client.greeting);
    this.greetingStatus = classifyGreeting(this.greeting.split('\n').at(-1) ?? '').status;
  }
  get transport(): Transport {
    return this.client.transport;
  }

  async capabilities(): Promise<CapabilityRead> {
    const reply = await this.client.ehlo(this.clientName);
    if (reply.code === 250) return { caps: smtpCapabilities(this.client.capabilities), refusal: undefined };
    // RFC 5321 §4.1.4: a server without extensions answers EHLO with 500/502; HELO still works.
    // Anything else (421, 550 for our EHLO name, …) refuses the session, not an extension.
    if (reply.code !== 500 && reply.code !== 502) return { caps: undefined, refusal: describeReply(reply) };
    const helo = await this.client.helo(this.clientName);
    if (helo.code !== 250) return { caps: undefined, refusal: describeReply(helo) };
    return { caps: smtpCapabilities(undefined), refusal: undefined };
  }

  async starttls(): Promise<UpgradeReply> {
    const out = await this.client.starttls({ trailing: 'record' });
    return { accepted: out.reply.code === 220, reply: describeReply(out.reply), tls: out.tls, trailingBytes: out.trailing?.length ?? 0 };
  }

  async injectStarttls(): Promise<InjectionReply> {
    await this.client.sendRaw(`STARTTLS\r\n${SMTP_INJECTED}\r\n`);
    const go = await this.client.readReply({ phase: 'tls' });
    if (go.code !== 220) return { accepted: false, reply: describeReply(go), tls: undefined, trailingBytes: 0, answeredInside: undefined };
    const up = await this.transport.upgradeTls({ trailing: 'record' });
    // The injected verb was read before STARTTLS took effect; a server that kept it answers it
    // now, inside TLS, before the EHLO we send (RFC 3207 §4.2: it MUST discard such input).
    const first = await this.client.command(`EHLO ${this.clientName}`);
    let answeredInside: string | undefined;
    if (first.code >= 500) {
      const second = await this.client.readReply({ timeoutMs: Math.min(this.transport.timeouts.commandMs, 2_000) }).catch(() => undefined);
      if (second !== undefined) answeredInside = describeReply(first);
    }
    return { accepted: true, reply: describeReply(go), tls: up.tls, trailingBytes: up.trailing.length, answeredInside };
  }

  async login(credentials: Credentials, caps: Capabilities | undefined): Promise<LoginReply> {
    const mechanism = caps?.mechanisms.includes('PLAIN') ? 'PLAIN' : 'LOGIN';
    const reply = await this.client.auth(mechanism, credentials);
    return { ok: reply.code === 235, reply: describeReply(reply) };
  }

  async quit(): Promise<void> {
    await this.client.quit().catch(() => undefined);
    this.client.destroy();
  }

  destroy(): void {
    this.client.destroy();
  }
}

export const SMTP_ADAPTER: ProtocolAdapter = {
  protocol: 'smtp',
  starttlsVerb: 'STARTTLS',
  capabilityVerb: 'EHLO',
  async open(options: TransportOptions, clientName: string): Promise<Conversation> {
    const client = await SmtpClient.connect(options);
    if (!client.greeting) {
      client.destroy();
      throw new MailprobeError('EPROTOCOL', 'no SMTP greeting', { phase: 'greeting' });
    }
    return new SmtpConversation(client, clientName);
  },
};
