/**
 * What diagnose asks of each protocol, behind one typed registry (STYLE.md §3.7): open a
 * conversation and read the greeting, read the capabilities, upgrade with STARTTLS/STLS, and
 * leave. (The security probes, engine/security, talk to the drivers themselves.) The adapters in
 * smtp-adapter.ts, imap-adapter.ts and pop3-adapter.ts map these onto the drivers' clients.
 */
import type { Protocol } from '../../drivers/target.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import type { Capabilities, GreetingStatus } from './types.js';

export interface CapabilityRead {
  /** undefined when the server does not list capabilities (old POP3 without CAPA, SMTP HELO only). */
  readonly caps: Capabilities | undefined;
  /** The server refused the command in a way that ends the session (SMTP 421, IMAP BYE): its text. */
  readonly refusal: string | undefined;
}

export interface UpgradeReply {
  /** The server said go ahead. */
  readonly accepted: boolean;
  /** Its reply, one line. */
  readonly reply: string;
  /** Set when the handshake completed. */
  readonly tls: TlsFacts | undefined;
  /** Plaintext bytes that followed the go-ahead (discarded). */
  readonly trailingBytes: number;
}

/** One open conversation whose greeting has been read. */
export interface Conversation {
  readonly transport: Transport;
  /** The greeting as text (every line of a multi-line SMTP greeting). */
  readonly greeting: string;
  readonly greetingStatus: GreetingStatus;
  capabilities(): Promise<CapabilityRead>;
  /** STARTTLS/STLS and the handshake (bytes after the go-ahead recorded, not fatal). Throws on a failed handshake. */
  starttls(): Promise<UpgradeReply>;
  /** QUIT/LOGOUT and close; never throws. */
  quit(): Promise<void>;
  destroy(): void;
}

export interface ProtocolAdapter {
  readonly protocol: Protocol;
  /** The command that upgrades a plaintext session, as the transcript shows it. */
  readonly starttlsVerb: string;
  /** The command that lists capabilities, for "closed after …" messages. */
  readonly capabilityVerb: string;
  /** Connect (or take over a connector's stream) and read the greeting. */
  open(options: TransportOptions, clientName: string): Promise<Conversation>;
}

/** Evidence line for a capability list: the server lines that matter, prefixed `S: `. */
export function serverLines(lines: readonly string[]): string[] {
  return lines.map((l) => `S: ${l}`);
}
