/**
 * What every check of one target runs with: where, how to trust TLS, the fixtures from the
 * command line, deadlines, cancellation, and what the server announced (probe.ts).
 */
import type { Secret } from '../../drivers/redact.js';
import type { Target } from '../../drivers/target.js';
import type { Timeouts } from '../../drivers/timeouts.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';

export type StartTlsPolicy = 'required' | 'optional' | 'never';

export interface Fixtures {
  /** Login for checks that need one (`needs: [login]`). */
  readonly credentials: { readonly user: string; readonly password: Secret } | undefined;
  /** A local recipient on the target's own domain (`needs: [rcpt]`). */
  readonly rcpt: string | undefined;
  /** Mailbox for IMAP `selected` (default INBOX). */
  readonly mailbox: string;
  /** Name the client gives in EHLO/LHLO. */
  readonly clientName: string;
  /**
   * `--keep`: leave what checks create (test mailboxes, appended messages) for inspection.
   * Suite `cleanup` steps are skipped, and code checks skip their own deletions.
   */
  readonly keep?: boolean;
}

/** Capabilities seen in each phase of the probe connection. */
export interface ServerCapabilities {
  readonly greeting: string;
  /** Before TLS (empty for implicit-TLS ports). */
  readonly plain: ReadonlySet<string>;
  /** After STARTTLS or on the implicit-TLS port; undefined if TLS was not reached. */
  readonly tls: ReadonlySet<string> | undefined;
  /** IMAP: after login (often longer); undefined without a login. */
  readonly authenticated: ReadonlySet<string> | undefined;
  /** The raw capability lines for the report (`EHLO` keywords, CAPABILITY atoms, CAPA lines). */
  readonly list: readonly string[];
  /** What the server says it is (IMAP ID, POP3 CAPA IMPLEMENTATION), for the report. */
  readonly implementation?: string;
}

export interface CheckEnvironment {
  readonly target: Target;
  readonly tls: TlsClientOptions;
  readonly starttls: StartTlsPolicy;
  readonly timeouts: Partial<Timeouts>;
  /** Default deadline of one step (reply wait). */
  readonly stepTimeoutMs: number;
  readonly fixtures: Fixtures;
  readonly signal: AbortSignal | undefined;
  readonly capabilities: ServerCapabilities;
}

/**
 * Whether credentials may be sent on this connection. Over TLS always; in cleartext only when
 * the user chose `--starttls never` (and so accepted it). Returns why not, or undefined.
 */
export function cleartextLoginRefusal(tlsUp: boolean, policy: StartTlsPolicy): string | undefined {
  if (tlsUp || policy === 'never') return undefined;
  return policy === 'required'
    ? 'TLS is required (--starttls required) but was not reached: no credentials are sent'
    : 'the connection is not encrypted: mailprobe does not send credentials in cleartext (pass --starttls never to allow it)';
}
