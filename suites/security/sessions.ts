/**
 * Security checks every protocol gets: STARTTLS command injection, STARTTLS again inside TLS,
 * cleartext login with the user's credentials, and login throttling. Code, not YAML: each is a
 * probe of engine/security; injection needs bytes after the go-ahead and replies inside TLS
 * told apart, throttling needs the time between replies.
 */
import type { Protocol } from '../../drivers/target.js';
import { defineCheck, inconclusive, type CodeCheck } from '../../engine/checks/code-check.js';
import { domainOf, probeAuthThrottling, probePlaintextAuth, probeStarttlsInjection, probeStarttlsRepeat } from '../../engine/security/index.js';
import { probeContext, verdictOf } from './support.js';

interface ProtocolFacts {
  readonly verb: 'STARTTLS' | 'STLS';
  /** Where the server must discard input buffered before the handshake. */
  readonly tlsRef: string;
  /** Where a configuration without cleartext passwords is required. */
  readonly authRef: string;
}

const FACTS: Readonly<Record<Protocol, ProtocolFacts>> = {
  smtp: { verb: 'STARTTLS', tlsRef: 'RFC 3207 §4.2', authRef: 'RFC 4954 §4' },
  imap: { verb: 'STARTTLS', tlsRef: 'RFC 9051 §6.2.1', authRef: 'RFC 9051 §6.2.3' },
  pop3: { verb: 'STLS', tlsRef: 'RFC 2595 §4', authRef: 'RFC 2595 §2.2, RFC 5034 §4' },
};

function checksFor<P extends Protocol>(protocol: P): { readonly sessions: CodeCheck<P>[]; readonly throttling: CodeCheck<P> } {
  const { verb, tlsRef, authRef } = FACTS[protocol];
  const injection = defineCheck(
    protocol,
    {
      id: `${protocol}.security.starttls-injection`,
      title: `A command sent with ${verb} in one write is not answered inside TLS (no command injection)`,
      ref: tlsRef,
      level: 'MUST',
      requires: [verb],
      start: 'greeted',
    },
    import.meta.url,
    async (ctx) => verdictOf(await probeStarttlsInjection(probeContext(ctx, protocol)), ['starttls.command-injection']),
  );
  const once = defineCheck(
    protocol,
    {
      id: `${protocol}.security.starttls-once`,
      title: `${verb} is neither offered nor accepted again inside TLS`,
      ref: tlsRef,
      level: 'SHOULD',
      requires: [verb],
      start: 'greeted',
    },
    import.meta.url,
    async (ctx) => verdictOf(await probeStarttlsRepeat(probeContext(ctx, protocol))),
  );
  const plaintext = defineCheck(
    protocol,
    {
      id: `${protocol}.security.plaintext-auth`,
      title: 'A password login over the unencrypted connection is not offered or accepted',
      ref: authRef,
      level: 'MUST',
      needs: ['login'],
      start: 'greeted',
    },
    import.meta.url,
    async (ctx) => {
      const credentials = ctx.env.fixtures.credentials;
      if (credentials === undefined) return inconclusive('needs a login (--user and a password)');
      // The runner's rule: a password crosses a cleartext connection only with --starttls never.
      return verdictOf(await probePlaintextAuth(probeContext(ctx, protocol), { credentials, send: ctx.env.starttls === 'never' }));
    },
  );
  const throttling = defineCheck(
    protocol,
    {
      id: `${protocol}.security.auth-throttling`,
      title: 'Failed logins are slowed down or cut off (informational)',
      // "Verifiers SHALL implement controls to protect against online guessing attacks."
      ref: 'NIST SP 800-63B §5.2.2',
      level: 'MAY',
      start: 'greeted',
      timeout: '90s',
    },
    import.meta.url,
    async (ctx) => {
      const f = ctx.env.fixtures;
      return verdictOf(await probeAuthThrottling(probeContext(ctx, protocol), { domain: domainOf(f.rcpt) ?? domainOf(f.credentials?.user) }));
    },
  );
  return { sessions: [injection, once, plaintext], throttling };
}

const SMTP = checksFor('smtp');
const IMAP = checksFor('imap');
const POP3 = checksFor('pop3');

export const SMTP_SESSION_SECURITY_CHECKS: readonly CodeCheck<'smtp'>[] = SMTP.sessions;
export const IMAP_SECURITY_CHECKS: readonly CodeCheck<'imap'>[] = IMAP.sessions;
export const POP3_SECURITY_CHECKS: readonly CodeCheck<'pop3'>[] = POP3.sessions;
/**
 * Last in the suite: failed logins may make the server slow down every login from this address
 * (Dovecot's auth penalty), which would turn the other login checks inconclusive.
 */
export const THROTTLING_CHECKS: readonly CodeCheck[] = [SMTP.throttling, IMAP.throttling, POP3.throttling];
