/**
 * Fault profiles: each reproduces one real misconfiguration, so users see what mailprobe reports
 * for it and the project's diagnose tests have a target that really is broken. `findings` are
 * the diagnose finding ids (DESIGN.md "Diagnose: finding ids") the profile should produce;
 * docs/sandbox.md explains each.
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { CertificateFault } from '../pki/chain.js';
import { NO_FAULTS, type FaultEffects } from './effects.js';

export const FAULT_IDS = [
  'cert-expired',
  'cert-not-yet-valid',
  'cert-expiring-soon',
  'cert-wrong-host',
  'cert-self-signed',
  'chain-missing-intermediate',
  'cert-weak-key',
  'cert-sha1',
  'tls-legacy-only',
  'no-starttls',
  'plaintext-auth',
  'implicit-tls-plaintext',
  'cleartext-port-wants-tls',
  'slow-greeting',
  'stall',
  'drop-after-greeting',
  'drop-after-command',
  'service-unavailable',
  'bare-lf-end-of-data',
  'starttls-injection',
] as const;

export type FaultId = (typeof FAULT_IDS)[number];

export interface FaultProfile {
  readonly id: FaultId;
  readonly title: string;
  /** Which ports show it. */
  readonly ports: string;
  /** Diagnose finding ids it should produce. */
  readonly findings: readonly string[];
  /** Profiles of one group cannot be combined (one certificate, one greeting behaviour). */
  readonly group?: 'certificate' | 'greeting';
  readonly apply: (e: Mutable<FaultEffects>) => void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const TLS_PORTS = 'every TLS port (implicit and after STARTTLS)';
const ALL_PORTS = 'all ports';

function cert(id: FaultId, fault: CertificateFault, title: string, finding: string): FaultProfile {
  return { id, title, ports: TLS_PORTS, findings: [finding], group: 'certificate', apply: (e) => (e.certificate = fault) };
}

export const FAULT_PROFILES: readonly FaultProfile[] = [
  cert('cert-expired', 'expired', 'the certificate expired yesterday', 'tls.cert.expired'),
  cert('cert-not-yet-valid', 'not-yet-valid', 'the certificate becomes valid in 10 days', 'tls.cert.not-yet-valid'),
  cert('cert-expiring-soon', 'expiring-soon', 'the certificate expires in 5 days', 'tls.cert.expiring-soon'),
  cert('cert-wrong-host', 'wrong-host', 'the certificate is for another host name', 'tls.cert.hostname-mismatch'),
  cert('cert-self-signed', 'self-signed', 'a self-signed certificate', 'tls.cert.self-signed'),
  cert('chain-missing-intermediate', 'missing-intermediate', 'the intermediate CA certificate is not sent', 'tls.chain.incomplete'),
  cert('cert-weak-key', 'weak-key', 'a 1024-bit RSA key', 'tls.cert.weak-key'),
  cert('cert-sha1', 'sha1-signature', 'the certificate is signed with SHA-1', 'tls.cert.weak-signature'),
  {
    id: 'tls-legacy-only',
    title: 'only TLS 1.0 and 1.1 are offered',
    ports: TLS_PORTS,
    findings: ['tls.version.legacy', 'tls.version.no-tls12'],
    apply: (e) => (e.legacyTls = true),
  },
  {
    id: 'no-starttls',
    title: 'STARTTLS/STLS is not offered on the cleartext ports',
    ports: 'smtp, submission, imap, pop3',
    // The submission port then offers no AUTH either (AUTH needs TLS): auth.not-offered there.
    findings: ['starttls.not-offered'],
    apply: (e) => (e.starttls = false),
  },
  {
    id: 'plaintext-auth',
    title: 'passwords are accepted before TLS (AUTH, LOGIN, USER/PASS in cleartext; no LOGINDISABLED)',
    ports: 'submission, imap, pop3',
    findings: ['auth.plaintext-before-tls', 'auth.plaintext-accepted'],
    apply: (e) => (e.plaintextAuth = true),
  },
  {
    id: 'implicit-tls-plaintext',
    title: 'the implicit-TLS ports speak cleartext',
    ports: 'submissions, imaps, pop3s',
    findings: ['port.plaintext-on-implicit-tls-port'],
    apply: (e) => (e.implicitTlsPlaintext = true),
  },
  {
    id: 'cleartext-port-wants-tls',
    title: 'the cleartext ports expect a TLS handshake first',
    ports: 'smtp, submission, imap, pop3',
    findings: ['port.tls-on-plaintext-port'],
    apply: (e) => (e.cleartextPortsWantTls = true),
  },
  {
    id: 'slow-greeting',
    title: 'the SMTP greeting starts, then stalls (default 12 s) before it completes',
    ports: 'smtp, submission, submissions',
    findings: ['port.rate-limited'],
    group: 'greeting',
    apply: (e) => (e.greeting = 'slow'),
  },
  { id: 'stall', title: 'connections are accepted and never greeted', ports: ALL_PORTS, findings: ['port.silent'], group: 'greeting', apply: (e) => (e.greeting = 'silent') },
  {
    id: 'drop-after-greeting',
    title: 'the server greets, then closes the connection',
    ports: ALL_PORTS,
    findings: ['port.closed-after-greeting'],
    group: 'greeting',
    apply: (e) => (e.greeting = 'drop'),
  },
  {
    id: 'drop-after-command',
    title: 'the server greets, then closes the connection on the first command',
    ports: ALL_PORTS,
    findings: ['port.closed-after-command'],
    group: 'greeting',
    apply: (e) => (e.greeting = 'drop-after-command'),
  },
  {
    id: 'service-unavailable',
    title: 'the greeting refuses service (SMTP 421, IMAP BYE, POP3 -ERR)',
    ports: ALL_PORTS,
    findings: ['port.service-unavailable'],
    group: 'greeting',
    apply: (e) => (e.greeting = 'unavailable'),
  },
  {
    id: 'bare-lf-end-of-data',
    title: 'SMTP mail data also ends at <LF>.<LF> (SMTP smuggling)',
    ports: 'smtp, submission, submissions',
    findings: ['smtp.smuggling'],
    apply: (e) => (e.bareLfEndOfData = true),
  },
  {
    id: 'starttls-injection',
    title: 'commands sent in cleartext after STARTTLS are answered inside TLS',
    ports: 'smtp, submission, imap, pop3',
    findings: ['starttls.command-injection'],
    apply: (e) => (e.starttlsInjection = true),
  },
];

export function isFaultId(id: string): id is FaultId {
  return (FAULT_IDS as readonly string[]).includes(id);
}

export function faultProfile(id: FaultId): FaultProfile {
  return FAULT_PROFILES.find((f) => f.id === id)!;
}

/** The combined effects of the chosen profiles; ECONFIG for unknown ids and clashes. */
export function resolveFaults(ids: readonly string[], settings: { greetingDelayMs?: number } = {}): FaultEffects {
  const effects: Mutable<FaultEffects> = { ...NO_FAULTS };
  const groups = new Map<string, FaultId>();
  for (const id of new Set(ids)) {
    if (!isFaultId(id)) throw new MailprobeError('ECONFIG', `unknown fault "${id}"; one of: ${FAULT_IDS.join(', ')}`);
    const profile = faultProfile(id);
    if (profile.group) {
      const other = groups.get(profile.group);
      if (other) throw new MailprobeError('ECONFIG', `faults ${other} and ${id} cannot be combined (both change the ${profile.group})`);
      groups.set(profile.group, id);
    }
    profile.apply(effects);
  }
  if (settings.greetingDelayMs !== undefined) effects.greetingDelayMs = settings.greetingDelayMs;
  return effects;
}
