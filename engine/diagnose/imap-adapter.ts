/**
 * IMAP for diagnose over drivers/imap: CAPABILITY (RFC 9051 §6.1.1), STARTTLS and LOGINDISABLED
 * (RFC 9051 §6.2.1, RFC 3501 §6.2.1/§7.2.1, RFC 2595 §3.1), and whether LOGIN or AUTH=PLAIN is offered.
 */
import { ImapClient } from '../../drivers/imap/client.js';
import type { ImapResponse } from '../../drivers/imap/response-types.js';
import { MailprobeError } from '../../drivers/errors.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import { classifyGreeting } from './greeting.js';
import type { CapabilityRead, Conversation, ProtocolAdapter, UpgradeReply } from './protocol.js';
import type { Capabilities, GreetingStatus } from './types.js';

const CLEARTEXT_MECHANISMS = ['PLAIN', 'LOGIN'];

export function imapCapabilities(names: readonly string[]): Capabilities {
  const upper = names.map((n) => n.toUpperCase());
  const mechanisms = upper.filter((n) => n.startsWith('AUTH=')).map((n) => n.slice(5));
  const saslCleartext = mechanisms.filter((m) => CLEARTEXT_MECHANISMS.includes(m));
  // RFC 3501 §6.2.3 / RFC 9051 §6.2.3: LOGIN works unless LOGINDISABLED is advertised.
  const login = !upper.includes('LOGINDISABLED');
  const line = `S: * CAPABILITY ${names.join(' ')}`;
  return {
    raw: [...names],
    starttls: upper.includes('STARTTLS'),
    mechanisms,
    cleartextLogin: login || saslCleartext.length > 0,
    cleartextEvidence: login || saslCleartext.length > 0 ? [line] : [],
  };
}

function rawText(r: ImapResponse): string {
  return renderWireText(r.raw);
}

class ImapConversation implements Conversation {
  readonly greeting: string;
  readonly greetingStatus: GreetingStatus;
  constructor(readonly client: ImapClient) {
    this.greeting = rawText(client.greeting);
    this.greetingStatus = classifyGreeting(this.greeting).status;
  }
  get transport(): Transport {
    return this.client.transport;
  }

  async capabilities(): Promise<CapabilityRead> {
    const result = await this.client.capability();
    const bye = result.untagged.find((r) => r.kind === 'condition' && r.status === 'BYE');
    if (bye) return { caps: undefined, refusal: rawText(bye) };
    if (result.status !== 'OK' || result.capabilities === undefined) return { caps: undefined, refusal: undefined };
    return { caps: imapCapabilities(result.capabilities), refusal: undefined };
  }

  async starttls(): Promise<UpgradeReply> {
    const r = await this.client.starttls({ trailing: 'record' });
    const reply = `${r.status} ${r.text}`.trim();
    if (!r.upgraded) return { accepted: false, reply, tls: undefined, trailingBytes: 0 };
    return { accepted: true, reply, tls: r.tls, trailingBytes: r.trailing.length };
  }

  async quit(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      // A server that already went away is as good as logged out.
    }
    await this.client.close();
  }

  destroy(): void {
    this.client.destroy();
  }
}

export const IMAP_ADAPTER: ProtocolAdapter = {
  protocol: 'imap',
  starttlsVerb: 'STARTTLS',
  capabilityVerb: 'CAPABILITY',
  async open(options: TransportOptions): Promise<Conversation> {
    const client = await ImapClient.connect(options);
    try {
      return new ImapConversation(client);
    } catch (err) {
      client.destroy();
      throw err instanceof MailprobeError ? err : new MailprobeError('EPROTOCOL', String(err), { phase: 'greeting' });
    }
  },
};
