/**
 * SMTP for diagnose over drivers/smtp: EHLO capabilities (RFC 5321 §4.1.1.1), STARTTLS
 * (RFC 3207), and which AUTH mechanisms (RFC 4954) are offered.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { authMechanisms, hasCapability, type SmtpCapabilities } from '../../drivers/smtp/capabilities.js';
import { SmtpClient } from '../../drivers/smtp/client.js';
import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import { classifyGreeting } from './greeting.js';
import type { CapabilityRead, Conversation, ProtocolAdapter, UpgradeReply } from './protocol.js';
import type { Capabilities, GreetingStatus } from './types.js';

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
