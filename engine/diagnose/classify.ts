/**
 * What a port really speaks, found without talking out of turn. A port meant for implicit TLS
 * (RFC 8314) gets a ClientHello at once; if that fails because the server sent plaintext, a
 * fresh connection waits for its greeting. Any other port gets a plaintext wait for the
 * greeting first (servers drop clients that talk early: Postfix postscreen, RFC 5321 §4.3.1),
 * and only a port that stays silent gets a ClientHello, on a fresh connection.
 */
import type { Duplex } from 'node:stream';
import type { Protocol } from '../../drivers/target.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import { classifyGreeting } from './greeting.js';
import type { TcpConnector } from './types.js';
import { openTcp, sniffLine, tlsHandshake, type HandshakeOutcome, type SniffOutcome } from './raw-stream.js';

export type Opening =
  /** Connection refused. */
  | { readonly kind: 'closed'; readonly code: string }
  /** No TCP answer. */
  | { readonly kind: 'timeout'; readonly code: string }
  /** Connected, but no greeting in plaintext nor over TLS (`tls` set when TLS itself worked). */
  | { readonly kind: 'silent'; readonly detail: string; readonly tls: TlsFacts | undefined }
  /** A first line that is no mail greeting (SSH, HTTP, garbage). */
  | { readonly kind: 'foreign'; readonly line: string; readonly banner: string | undefined; readonly via: Via; readonly tls: TlsFacts | undefined }
  /** It speaks TLS, but no handshake completed (an alert, no common version or cipher). */
  | { readonly kind: 'tls-failed'; readonly detail: string }
  | Greeted;

export type Via = 'plaintext' | 'tls';

export interface Greeted {
  readonly kind: 'greeting';
  readonly via: Via;
  readonly protocol: Protocol;
  /** The stream, greeting unread, for the protocol client to take over. */
  readonly stream: Duplex;
  readonly firstLine: string;
  readonly waitedMs: number;
  readonly tls: TlsFacts | undefined;
  /** The default handshake failed and only one allowing TLS 1.0/1.1 worked. */
  readonly legacyTls: boolean;
}

export interface OpenInput {
  readonly address: string;
  /** Name for SNI and certificate checks (the host as given). */
  readonly host: string;
  readonly port: number;
  /** The port is meant for implicit TLS. */
  readonly tlsFirst: boolean;
  readonly tls: TlsClientOptions;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly connect?: TcpConnector | undefined;
}

/** A server that speaks TLS answers a ClientHello within a round trip or two. */
const SILENT_TLS_PROBE_MS = 3_000;
/** OpenSSL 3 offers TLS 1.0/1.1 only at security level 0 (LAB.md "Legacy TLS"). */
export const LEGACY_TLS: Pick<TlsClientOptions, 'minVersion' | 'ciphers'> = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' };

export async function openPort(input: OpenInput): Promise<Opening> {
  if (input.tlsFirst) {
    const tls = await tlsFirst(input, input.timeoutMs);
    if (tls.kind !== 'not-tls') return tls.opening;
    const plain = await plaintextFirst(input);
    if (plain.kind !== 'silent') return plain;
    return { kind: 'silent', detail: `${plain.detail}; a TLS ClientHello got no TLS answer (${tls.detail})`, tls: undefined };
  }
  const plain = await plaintextFirst(input);
  if (plain.kind !== 'silent') return plain;
  const tls = await tlsFirst(input, Math.min(input.timeoutMs, SILENT_TLS_PROBE_MS));
  if (tls.kind === 'not-tls' || (tls.opening.kind === 'silent' && tls.opening.tls === undefined)) return plain;
  return tls.opening;
}

async function plaintextFirst(input: OpenInput): Promise<Opening> {
  const tcp = await openTcp(input.address, input.port, input.timeoutMs, input.signal, input.connect);
  if (tcp.kind === 'refused') return { kind: 'closed', code: tcp.code };
  if (tcp.kind === 'no-answer') return { kind: 'timeout', code: tcp.code };
  const sniff = await sniffLine(tcp.socket, input.timeoutMs, input.signal);
  return afterSniff(sniff, tcp.socket, 'plaintext', undefined, false, input.timeoutMs);
}

type TlsFirst = { kind: 'done'; opening: Opening } | { kind: 'not-tls'; detail: string };

/** ClientHello first: the default handshake, then one allowing legacy versions if refused. */
async function tlsFirst(input: OpenInput, handshakeMs: number): Promise<TlsFirst> {
  let legacy = false;
  let hs = await handshakeOnce(input, input.tls, handshakeMs);
  if (hs.kind === 'handshake' && !hs.outcome.ok && hs.outcome.failure === 'refused') {
    legacy = true;
    hs = await handshakeOnce(input, { ...input.tls, ...LEGACY_TLS }, handshakeMs);
  }
  if (hs.kind === 'done') return hs;
  const outcome = hs.outcome;
  if (outcome.ok) {
    const sniff = await sniffLine(outcome.socket, handshakeMs, input.signal);
    return { kind: 'done', opening: afterSniff(sniff, outcome.socket, 'tls', outcome.facts, legacy, handshakeMs) };
  }
  const detail = `${outcome.code ? `${outcome.code}: ` : ''}${outcome.message}`;
  if (outcome.failure === 'timeout') return { kind: 'done', opening: { kind: 'silent', detail: `no answer to a TLS ClientHello within ${handshakeMs} ms`, tls: undefined } };
  if (outcome.failure === 'refused') return { kind: 'done', opening: { kind: 'tls-failed', detail } };
  return { kind: 'not-tls', detail };
}

type HandshakeStep = { kind: 'done'; opening: Opening } | { kind: 'handshake'; outcome: HandshakeOutcome };

async function handshakeOnce(input: OpenInput, tls: TlsClientOptions, handshakeMs: number): Promise<HandshakeStep> {
  const tcp = await openTcp(input.address, input.port, input.timeoutMs, input.signal, input.connect);
  if (tcp.kind === 'refused') return { kind: 'done', opening: { kind: 'closed', code: tcp.code } };
  if (tcp.kind === 'no-answer') return { kind: 'done', opening: { kind: 'timeout', code: tcp.code } };
  return { kind: 'handshake', outcome: await tlsHandshake(tcp.socket, input.host, tls, handshakeMs, input.signal) };
}

function afterSniff(sniff: SniffOutcome, stream: Duplex, via: Via, tls: TlsFacts | undefined, legacyTls: boolean, timeoutMs: number): Opening {
  const inside = via === 'tls' ? ' after the TLS handshake' : '';
  if (sniff.kind === 'timeout') {
    return { kind: 'silent', detail: `no greeting within ${timeoutMs} ms${inside}${sniff.partial ? ` (only ${JSON.stringify(sniff.partial)})` : ''}`, tls };
  }
  if (sniff.kind === 'closed') {
    return { kind: 'silent', detail: `the server closed the connection without a greeting${inside}`, tls };
  }
  const greeting = classifyGreeting(sniff.line);
  if (greeting.protocol === undefined) {
    stream.destroy();
    return { kind: 'foreign', line: sniff.line.replace(/\r?\n$/, ''), banner: greeting.foreign, via, tls };
  }
  return { kind: 'greeting', via, protocol: greeting.protocol, stream, firstLine: sniff.line, waitedMs: sniff.waitedMs, tls, legacyTls };
}
