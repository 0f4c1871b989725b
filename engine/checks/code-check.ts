/**
 * Checks written in code, for what YAML steps cannot say (arithmetic on an advertised SIZE,
 * timing an IDLE push, comparing two sessions' views). They use the same header fields, start
 * states and verdicts as suite files; each says why it is not YAML.
 */
import type { ImapClient } from '../../drivers/imap/client.js';
import type { Pop3Client } from '../../drivers/pop3/client.js';
import type { Secret } from '../../drivers/redact.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import type { Protocol } from '../../drivers/target.js';
import type { CheckStatus } from '../report-types.js';
import type { CheckEnvironment } from '../runner/environment.js';
import type { CheckSpec, StartState } from '../suite/schema.js';

/** The header of a check: everything but its steps. */
export type CheckMeta = Omit<CheckSpec, 'steps' | 'cleanup'>;

export interface ClientFor {
  smtp: SmtpClient;
  imap: ImapClient;
  pop3: Pop3Client;
}

export interface CodeCheckContext<P extends Protocol> {
  readonly env: CheckEnvironment;
  /** $domain, $from, $rcpt, $user, $password, $mailbox, $client, $uniq as in suite files. */
  readonly vars: ReadonlyMap<string, string | Secret>;
  /**
   * A new connection at a start state (default: the check's). If the state cannot be reached,
   * the check ends with skip/inconclusive and the reason; the connection is closed afterwards.
   */
  open(start?: StartState): Promise<ClientFor[P]>;
  /** A harness note in the check's transcript. */
  note(text: string): void;
}

export interface CodeVerdict {
  readonly status: CheckStatus;
  readonly message: string;
}

export interface CodeCheck<P extends Protocol = Protocol> {
  readonly kind: 'code';
  readonly protocol: P;
  readonly meta: CheckMeta;
  /** Where it is defined, for messages (`suites/smtp/size.ts`). */
  readonly source: string;
  run(ctx: CodeCheckContext<P>): Promise<CodeVerdict>;
}

/** Declare a code check; `source` is usually `import.meta.url`. */
export function defineCheck<P extends Protocol>(protocol: P, meta: CheckMeta, source: string, run: (ctx: CodeCheckContext<P>) => Promise<CodeVerdict>): CodeCheck<P> {
  return { kind: 'code', protocol, meta, source: source.replace(/^.*\/(suites\/)/, '$1'), run };
}

export const pass = (message = 'as required'): CodeVerdict => ({ status: 'pass', message });
export const fail = (message: string): CodeVerdict => ({ status: 'fail', message });
export const warn = (message: string): CodeVerdict => ({ status: 'warn', message });
export const skip = (message: string): CodeVerdict => ({ status: 'skip', message });
export const inconclusive = (message: string): CodeVerdict => ({ status: 'inconclusive', message });
