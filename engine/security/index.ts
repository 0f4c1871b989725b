/**
 * The security probes as a library: STARTTLS command injection, SMTP smuggling, open relay, user
 * enumeration, cleartext authentication and login throttling. Diagnose runs them per port
 * (engine/diagnose/security.ts), `check --suite security` as checks (suites/security/code.ts).
 * What each sends: docs/security-probes.md. Values first, types apart.
 */
export { SECURITY_CATALOGUE, SECURITY_FINDING_IDS, securityFinding, probeFinding } from './catalogue.js';
export { probeStarttlsInjection, probeStarttlsRepeat, INJECTED_VERB, EARLY_RESPONSE_MS } from './starttls-injection.js';
export { probeSmuggling, probeAllSmuggling, smugglingBody, smugglingSummary, smugglingTable, SMUGGLING_VARIANTS } from './smtp-smuggling.js';
export { probeOpenRelay, addressLiteral, RELAY_FORMS, EXTERNAL_DOMAIN, EXTERNAL_SENDER } from './open-relay.js';
export { probeVrfy, probeExpn, probeRcptEnumeration } from './user-enumeration.js';
export { probePlaintextAuth } from './plaintext-auth.js';
export { probeAuthThrottling, DEFAULT_ATTEMPTS, MAX_ATTEMPTS, SLOW_MS } from './auth-throttling.js';
export { domainOf } from './support.js';

export type { SecurityFindingId } from './catalogue.js';
export type { SmugglingOutcome, SmugglingResult, SmugglingVariant, SmugglingOptions } from './smtp-smuggling.js';
export type { RelayOptions } from './open-relay.js';
export type { EnumerationOptions } from './user-enumeration.js';
export type { PlaintextAuthOptions } from './plaintext-auth.js';
export type { ThrottlingOptions } from './auth-throttling.js';
export type { ClientFor, Credentials, ProbeContext, ProbeFinding, ProbeReport, ProbeStatus } from './types.js';
