/**
 * The extra connections a port gets once its main conversation showed what it speaks: one
 * handshake per TLS version (RFC 8996, RFC 9325 §3.1.1). The STARTTLS injection probe, the
 * cleartext login and the --probes set are the security probes (security.ts, engine/security).
 */
import { isIP } from 'node:net';
import type { SecureVersion } from 'node:tls';
import { isMailprobeError } from '../../drivers/errors.js';
import type { TlsFacts } from '../../drivers/tls/tls-facts.js';
import { singleVersionOptions, type TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { TransportOptions } from '../../drivers/transport.js';
import type { Conversation, ProtocolAdapter } from './protocol.js';
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
    // Every connection of a port reaches it the way its first contact did (--connect-to, tests).
    ...(t.settings.connect ? { connector: t.settings.connect } : {}),
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
