/**
 * What the lab tells the tests: plain JSON, because vitest's `provide` sends it from the main
 * process (where global setup runs) to every worker.
 */

export interface LabUser {
  /** Full address; Dovecot logs in and Postfix delivers by this name. */
  readonly user: string;
  readonly password: string;
}

export interface LabPorts {
  /** Postfix MX-style port: STARTTLS offered (`may`), no AUTH, accepts mail for mail.test. */
  readonly smtp: number;
  /** Postfix submission: STARTTLS required (`encrypt`), AUTH through Dovecot. */
  readonly submission: number;
  /** Postfix submission over implicit TLS (RFC 8314), AUTH through Dovecot. */
  readonly smtps: number;
  /** Dovecot IMAP with STARTTLS; LOGINDISABLED before TLS. */
  readonly imap: number;
  readonly imaps: number;
  /** Dovecot POP3 with STLS; USER/PASS refused before TLS. */
  readonly pop3: number;
  readonly pop3s: number;
  /** Dovecot LMTP (cleartext, on 127.0.0.1), where Postfix delivers. */
  readonly lmtp: number;
}

export interface LabInfo {
  /**
   * Where each service listens. Postfix and LMTP are on 127.0.0.1; IMAP and POP3 on 127.0.0.2
   * so a client (source 127.0.0.1) is not "local" to Dovecot and its cleartext policy is real.
   */
  readonly hosts: { readonly smtp: string; readonly imap: string; readonly pop3: string; readonly lmtp: string };
  readonly ports: LabPorts;
  /** SNI / name to verify: every port presents leaf(mail.test) + intermediate. */
  readonly servername: string;
  /** The mail domain Postfix accepts and Dovecot holds mailboxes for. */
  readonly domain: string;
  /** The private root that signs the chain: pass as `ca` per connection. */
  readonly rootCaPem: string;
  readonly rootCaPath: string;
  readonly users: readonly LabUser[];
  readonly logs: { readonly postfix: string; readonly dovecot: string };
  readonly versions: { readonly postfix: string; readonly dovecot: string };
  /** The lab's temporary directory (removed at teardown). */
  readonly dir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
  }
}
