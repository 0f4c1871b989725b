/**
 * Any-state commands (RFC 9051 §6.1: CAPABILITY, NOOP, LOGOUT), ENABLE (RFC 5161, §6.3.1) and
 * STARTTLS (RFC 9051 §6.2.1 / RFC 3501 §6.2.1).
 */
import type { TlsFacts } from '../../tls/tls-facts.js';
import type { CommandResult, ImapConnection } from '../connection.js';
import type { ConditionResponse } from '../response-types.js';

export type CapabilityResult = CommandResult & {
  /** The names from `* CAPABILITY` (or a CAPABILITY code on the OK), as sent; undefined if none came. */
  readonly capabilities: string[] | undefined;
};

export async function capability(conn: ImapConnection): Promise<CapabilityResult> {
  const result = await conn.command('CAPABILITY');
  let names: string[] | undefined;
  for (const r of result.untagged) if (r.kind === 'capability') names = r.capabilities;
  if (names === undefined && result.code?.name === 'CAPABILITY' && result.code.args !== undefined) {
    names = result.code.text.split(' ').filter((s) => s !== '');
  }
  return { ...result, capabilities: names };
}

export function noop(conn: ImapConnection): Promise<CommandResult> {
  return conn.command('NOOP');
}

export type LogoutResult = CommandResult & {
  /** The `* BYE` the server must send first (RFC 9051 §6.1.3). */
  readonly bye: ConditionResponse | undefined;
};

/** LOGOUT. The connection stays open for the caller to watch the server close it; call close(). */
export async function logout(conn: ImapConnection): Promise<LogoutResult> {
  const result = await conn.command('LOGOUT');
  const bye = result.untagged.find((r): r is ConditionResponse => r.kind === 'condition' && r.status === 'BYE');
  return { ...result, bye };
}

export type EnableResult = CommandResult & {
  /** What `* ENABLED` listed for this command. */
  readonly enabled: string[];
};

export async function enable(conn: ImapConnection, extensions: readonly string[]): Promise<EnableResult> {
  const result = await conn.command('ENABLE', extensions);
  const enabled = result.untagged.flatMap((r) => (r.kind === 'enabled' ? r.capabilities : []));
  return { ...result, enabled };
}

export interface StartTlsOptions {
  /**
   * Bytes that follow the tagged OK in plaintext: fail with ESTARTTLS_TRAILING (default), or
   * record them and go on (a probe that reports the injection as a finding).
   */
  trailing?: 'fail' | 'record';
}

export type StartTlsResult = CommandResult &
  (
    | {
        readonly upgraded: true;
        readonly tls: TlsFacts;
        /** Plaintext bytes that followed the go-ahead (discarded unread; empty when clean). */
        readonly trailing: Buffer;
      }
    | { readonly upgraded: false }
  );

/**
 * STARTTLS then the TLS handshake on OK. Everything buffered after the OK is discarded
 * and cached capabilities are dropped (RFC 9051 §6.2.1: the client MUST discard cached
 * capability information and re-issue CAPABILITY; RFC 3501 §6.2.1 likewise), so a
 * man-in-the-middle cannot inject responses that appear to come from inside TLS.
 */
export async function starttls(conn: ImapConnection, options: StartTlsOptions = {}): Promise<StartTlsResult> {
  const result = await conn.command('STARTTLS');
  if (result.status !== 'OK') return { ...result, upgraded: false };
  const upgraded = await conn.transport.upgradeTls({ trailing: options.trailing ?? 'fail' });
  return { ...result, upgraded: true, tls: upgraded.tls, trailing: upgraded.trailing };
}
