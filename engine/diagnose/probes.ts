/**
 * The extra connections a port gets once its main conversation showed what it speaks: one
 * handshake per TLS version (RFC 8996, RFC 9325 §3.1.1), a STARTTLS with an injected command
 * (RFC 3207 §4.2), and, only with the user's credentials, a cleartext login.
 */
import { isIP } from 'node:net';
import type { SecureVersion } from 'node:tls';
import { isMailprobeError, MailprobeError } from '../../drivers/errors.js';
import type { Credentials } from '../../drivers/sasl.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import { singleVersionOptions, type TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { TransportOptions } from '../../drivers/transport.js';
import type { Conversation, ProtocolAdapter } from './protocol.js';
import { classifyTlsError } from './raw-stream.js';
import type { DiagnoseSettings } from './types.js';

export interface ProbeTarget {
  readonly adapter: ProtocolAdapter;
  readonly address: string;
  /** The host as the user gave it: SNI and the name certificates are checked against. */
  readonly host: string;
  readonly port: number;
  /** TLS right after connect (as observed), rather than STARTTLS. */
  readonly implicitTls: boolean;
  /** TLS options of the main conversation (the user's, plus legacy versions if only they work). */
  readonly tls: TlsClientOptions;
  readonly settings: DiagnoseSettings;
}

export const TLS_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export function transportOptions(t: ProbeTarget, tls: TlsClientOptions, implicitTls = t.implicitTls): TransportOptions {
  const servername = t.settings.tls.servername ?? (isIP(t.host) === 0 ? t.host : undefined);
  return {
    host: t.address,
    port: t.port,
    implicitTls,
    // Never abort on verification: the facts are judged by certificate-rules.ts.
    tls: { ...tls, ...(servername ? { servername } : {}), insecure: true },
    timeouts: t.settings.timeouts,
    ...(t.settings.signal ? { signal: t.settings.signal } : {}),
  };
}

async function withConversation<T>(t: ProbeTarget, tls: TlsClientOptions, implicitTls: boolean, use: (c: Conversation) => Promise<T>): Promise<T> {
  const conv = await t.adapter.open(transportOptions(t, tls, implicitTls), t.settings.clientName);
  try {
    return await use(conv);
  } finally {
    await conv.quit();
  }
}

export interface VersionProbe {
  readonly version: SecureVersion;
  /** `unknown`: the probe could not get as far as a handshake (throttled, dropped). */
  readonly verdict: 'accepted' | 'refused' | 'unknown';
  readonly facts: TlsFacts | undefined;
  readonly detail: string;
}

/**
 * A handshake offering exactly one version. Without the user's --ca: the chain seen is what the
 * server presents, completed only from Node's bundled roots (certificate-rules.ts uses that).
 */
export async function probeVersion(t: ProbeTarget, version: SecureVersion): Promise<VersionProbe> {
  try {
    return await withConversation(t, singleVersionOptions(version), t.implicitTls, async (conv) => {
      if (conv.greetingStatus !== 'ok') return { version, verdict: 'unknown', facts: undefined, detail: `greeting: ${conv.greeting}` };
      let facts = conv.transport.tls;
      if (!t.implicitTls) {
        const caps = await conv.capabilities();
        if (caps.refusal !== undefined) return { version, verdict: 'unknown', facts: undefined, detail: caps.refusal };
        const up = await conv.starttls();
        if (!up.accepted) return { version, verdict: 'unknown', facts: undefined, detail: up.reply };
        facts = up.tls;
      }
      if (facts === undefined) return { version, verdict: 'unknown', facts: undefined, detail: 'no TLS' };
      return { version, verdict: facts.protocol === version ? 'accepted' : 'refused', facts, detail: `${facts.protocol ?? '?'} ${facts.cipher ?? ''}`.trim() };
    });
  } catch (err) {
    if (isMailprobeError(err, 'EABORTED')) throw err;
    if (isMailprobeError(err, 'ETLS_HANDSHAKE')) {
      const code = err.context.detail?.['tlsError'];
      return { version, verdict: 'refused', facts: undefined, detail: `${typeof code === 'string' ? `${code}: ` : ''}${err.message}` };
    }
    return { version, verdict: 'unknown', facts: undefined, detail: err instanceof Error ? err.message : String(err) };
  }
}

export type InjectionVerdict =
  | { readonly kind: 'vulnerable'; readonly detail: string; readonly evidence: readonly string[] }
  | { readonly kind: 'safe'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly detail: string };

type Attempt = InjectionVerdict | { readonly kind: 'suspect'; readonly detail: string; readonly evidence: readonly string[] };

/**
 * STARTTLS plus a command in one write. Vulnerable: the command is answered inside TLS, or
 * plaintext follows the go-ahead. A handshake broken by non-TLS bytes ("wrong version number")
 * is the same bug when the answer arrives just after we stopped reading plaintext, but could be
 * a fluke: a second attempt must show it again. A server that hangs up instead (Dovecot does on
 * pipelined STARTTLS) is safe.
 */
export async function probeInjection(t: ProbeTarget): Promise<InjectionVerdict> {
  const first = await injectOnce(t);
  if (first.kind !== 'suspect') return first;
  const second = await injectOnce(t);
  if (second.kind === 'suspect' || second.kind === 'vulnerable') {
    return { kind: 'vulnerable', detail: `${first.detail}; a second attempt: ${second.detail}`, evidence: [...first.evidence, ...second.evidence] };
  }
  return { kind: 'safe', detail: `one handshake failed (${first.detail}) but a second attempt was clean` };
}

async function injectOnce(t: ProbeTarget): Promise<Attempt> {
  let transcript: readonly TranscriptEntry[] = [];
  try {
    return await withConversation(t, t.tls, false, async (conv): Promise<Attempt> => {
      if (conv.greetingStatus !== 'ok') return { kind: 'unknown', detail: `greeting: ${conv.greeting}` };
      const caps = await conv.capabilities();
      if (caps.refusal !== undefined) return { kind: 'unknown', detail: caps.refusal };
      const r = await conv.injectStarttls();
      transcript = conv.transport.snapshot();
      const evidence = tlsEvidence(transcript);
      if (!r.accepted) return { kind: 'safe', detail: `the pipelined ${t.adapter.starttlsVerb} was refused (${r.reply})` };
      if (r.trailingBytes > 0) return { kind: 'vulnerable', detail: `${r.trailingBytes} plaintext bytes followed the go-ahead`, evidence };
      if (r.answeredInside !== undefined) return { kind: 'vulnerable', detail: `the injected command was answered inside TLS: ${r.answeredInside}`, evidence };
      return { kind: 'safe', detail: 'the injected command was discarded' };
    });
  } catch (err) {
    if (!(err instanceof MailprobeError) || err.code === 'EABORTED') throw err;
    const entries = err.context.transcript ?? transcript;
    const code = err.context.detail?.['tlsError'];
    const failure = classifyTlsError(typeof code === 'string' ? code : err.code, err.message);
    if (err.code === 'ETLS_HANDSHAKE' && failure === 'not-tls') {
      return { kind: 'suspect', detail: `the TLS handshake after the go-ahead met non-TLS bytes (${err.message})`, evidence: tlsEvidence(entries) };
    }
    if (err.code === 'ECLOSED' || failure === 'closed') return { kind: 'safe', detail: 'the server closed the connection rather than accept pipelined input' };
    return { kind: 'unknown', detail: err.message };
  }
}

function tlsEvidence(entries: readonly TranscriptEntry[]): string[] {
  const from = entries.findIndex((e) => e.dir === 'C' && /STARTTLS|STLS/i.test(e.text));
  return entries.slice(Math.max(0, from)).slice(0, 12).map((e) => `${e.dir}: ${e.text}`);
}

export interface LoginProbe {
  readonly ok: boolean;
  readonly reply: string;
  readonly evidence: readonly string[];
}

/**
 * A login over the plaintext connection, only where cleartext login is advertised (so no
 * password is sent where the server would refuse it anyway). The transcript shows `***`.
 */
export async function probeCleartextLogin(t: ProbeTarget, credentials: Credentials): Promise<LoginProbe | undefined> {
  try {
    return await withConversation(t, t.tls, false, async (conv) => {
      if (conv.greetingStatus !== 'ok') return undefined;
      const { caps } = await conv.capabilities();
      if (caps !== undefined && !caps.cleartextLogin) return undefined;
      const r = await conv.login(credentials, caps);
      const evidence = conv.transport.snapshot().filter((e) => e.dir !== 'I').slice(-6).map((e) => `${e.dir}: ${e.text}`);
      return { ok: r.ok, reply: r.reply, evidence };
    });
  } catch (err) {
    if (isMailprobeError(err, 'EABORTED')) throw err;
    return undefined;
  }
}
