/**
 * POP3 for diagnose over drivers/pop3: CAPA (RFC 2449), STLS (RFC 2595 §4), and whether
 * USER/PASS (RFC 1939 §7) or AUTH PLAIN (RFC 5034) is offered.
 */
import { renderWireText } from '../../drivers/transcript.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import type { Pop3Reply } from '../../drivers/pop3/types.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import { classifyGreeting } from './greeting.js';
import type { CapabilityRead, Conversation, ProtocolAdapter, UpgradeReply } from './protocol.js';
import type { Capabilities, GreetingStatus } from './types.js';

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
