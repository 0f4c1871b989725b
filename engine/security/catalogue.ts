/**
 * The findings of the security probes as data (DESIGN.md "Diagnose: finding ids", SMTP security
 * and authentication): stable id, default severity, title, why it matters and the fix, naming
 * the Postfix, Dovecot and Exim settings. Ids diagnose already had keep diagnose's entry, so one
 * id never has two texts; docs/security-probes.md explains each and a test keeps them in step.
 */
import { CATALOGUE as DIAGNOSE, type CatalogueEntry } from '../diagnose/catalogue.js';
import type { Finding } from '../report-types.js';
import type { ProbeFinding } from './types.js';

const SMUGGLING_FIX =
  'Postfix: smtpd_forbid_bare_newline = normalize (called yes in the first fixed releases; or reject), available from Postfix 3.5.23, 3.6.13, 3.7.9 and 3.8.4 and the default from 3.9, and keep smtpd_forbid_bare_newline_exclusions ($mynetworks) to hosts you trust; Exim: 4.97.1 or later (CVE-2023-51766); Sendmail: 8.18.1 or later (CVE-2023-51765); other servers: the vendor fix for SMTP smuggling (only <CR><LF>.<CR><LF> may end the data).';

export const SECURITY_CATALOGUE = {
  'starttls.command-injection': DIAGNOSE['starttls.command-injection'],
  'starttls.readvertised-after-tls': DIAGNOSE['starttls.readvertised-after-tls'],
  'starttls.accepted-twice': {
    severity: 'low',
    title: 'STARTTLS accepted again inside TLS',
    why: 'Inside TLS a second STARTTLS/STLS got the go-ahead: the server does not track that TLS is already active (RFC 3207 §4.2 resets the session to the state after the greeting, where STARTTLS is no longer offered), the sign of a state machine or TLS proxy that injection bugs live in.',
    fix: 'Upgrade the server or the TLS proxy in front of it; a second STARTTLS must be refused (Postfix: 554 5.5.1 Error: TLS already active; Dovecot: BAD/-ERR TLS is already active; Exim: 554 Already in TLS).',
  },
  'smtp.smuggling': {
    severity: 'critical',
    title: 'SMTP smuggling: a non-standard end of data is accepted',
    why: 'RFC 5321 §4.1.1.4: only <CR><LF>.<CR><LF> ends the mail data. This server also ended it at another sequence and then ran the bytes after it as commands, so a sender can hide a second message with a forged envelope inside the first one and have this server accept it as its own (SMTP smuggling, CVE-2023-51764/51765/51766).',
    fix: SMUGGLING_FIX,
  },
  'smtp.smuggling-variants': {
    severity: 'info',
    title: 'SMTP smuggling variants tested',
    why: 'What the server did with each non-standard end-of-data sequence: rejected it, took it as message content (normalised), or accepted it as the end of the data.',
    fix: `Nothing to do for variants that were rejected or normalised. ${SMUGGLING_FIX}`,
  },
  'smtp.open-relay': {
    severity: 'critical',
    title: 'Open relay',
    why: 'Without authentication the server accepted a recipient in a domain it is not responsible for (RFC 2505 §2, RFC 5321 §3.6.1): anyone can send mail through it, it will be abused for spam and end up on block lists.',
    fix: 'Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination with mynetworks limited to your own hosts (never 0.0.0.0/0 or a provider range; mynetworks_style = host), relay_domains only for domains you back up, allow_percent_hack = no; Exim: relay only for hostlist relay_from_hosts and domainlist relay_to_domains in acl_check_rcpt (the default "require verify = recipient" / "deny ... !+local_domains"); Sendmail: no promiscuous_relay or relay_entire_domain, review the access database.',
  },
  'smtp.vrfy-enabled': {
    severity: 'low',
    title: 'VRFY discloses which addresses exist',
    why: 'VRFY answered differently for an address that exists and one that does not (RFC 5321 §3.5.3, §7.3): anyone can harvest valid addresses for spam and password guessing.',
    fix: 'Postfix: disable_vrfy_command = yes; Exim: leave acl_smtp_vrfy unset (VRFY is then refused); Sendmail: O PrivacyOptions=goaway (or novrfy).',
  },
  'smtp.expn-enabled': {
    severity: 'low',
    title: 'EXPN discloses mailing lists and aliases',
    why: 'EXPN expanded a name or answered differently for an existing and a made-up one (RFC 5321 §3.5.3, §7.3): the members of lists and aliases can be harvested.',
    fix: 'Postfix does not implement EXPN; Exim: leave acl_smtp_expn unset (EXPN is then refused); Sendmail: O PrivacyOptions=goaway (or noexpn).',
  },
  'smtp.rcpt-enumeration': {
    severity: 'info',
    title: 'RCPT tells existing from unknown recipients',
    why: 'RCPT TO was accepted for the recipient you gave and refused for a made-up one in the same domain. Refusing unknown recipients at RCPT is recommended (no backscatter), but it lets anyone test which addresses exist; only a limit on the rate of such probes slows that down.',
    fix: 'Keep recipient validation and limit probing: Postfix smtpd_hard_error_limit / smtpd_soft_error_limit and smtpd_error_sleep_time, smtpd_client_recipient_rate_limit, postscreen; Exim: ratelimit on failed RCPT in acl_smtp_rcpt; fail2ban on "User unknown" log lines.',
  },
  'auth.plaintext-before-tls': DIAGNOSE['auth.plaintext-before-tls'],
  'auth.plaintext-accepted': DIAGNOSE['auth.plaintext-accepted'],
  'auth.preauth-greeting': DIAGNOSE['auth.preauth-greeting'],
  'auth.no-throttling': {
    severity: 'info',
    title: 'Failed logins are not slowed down',
    why: 'Several failed logins in a row were answered at once, none slower than a second, and the connection stayed open: nothing on this port slows down password guessing (throttling may still happen elsewhere, for example by fail2ban after more attempts).',
    fix: 'Dovecot: auth_failure_delay (default 2 s; do not set it to 0) and the anvil auth penalty (keep the anvil-auth-penalty socket); Postfix with Dovecot SASL inherits those, plus smtpd_client_auth_rate_limit and smtpd_hard_error_limit; Exim: a ratelimit on failed AUTH in acl_smtp_auth; fail2ban on the authentication failures in the log.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type SecurityFindingId = keyof typeof SECURITY_CATALOGUE;

export const SECURITY_FINDING_IDS = Object.keys(SECURITY_CATALOGUE) as SecurityFindingId[];

/** Evidence lines kept per finding: enough to show the point, not the whole conversation. */
const MAX_EVIDENCE = 16;

/** A probe finding with what the catalogue knows, for one `host:port` target. */
export function securityFinding(f: ProbeFinding, target: { readonly target: string; readonly port?: number }): Finding {
  const entry: CatalogueEntry = SECURITY_CATALOGUE[f.id];
  return {
    id: f.id,
    severity: f.severity,
    target: target.target,
    ...(target.port === undefined ? {} : { port: target.port }),
    title: entry.title,
    detail: `${f.seen} ${entry.why}`,
    fix: entry.fix,
    evidence: f.evidence.slice(0, MAX_EVIDENCE),
  };
}

/** A probe finding at the catalogue's default severity (or another one). */
export function probeFinding(id: SecurityFindingId, seen: string, evidence: readonly string[], severity?: Finding['severity']): ProbeFinding {
  return { id, severity: severity ?? SECURITY_CATALOGUE[id].severity, seen, evidence };
}
