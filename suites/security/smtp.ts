/**
 * SMTP security checks: smuggling (one check per variant), open relay, VRFY, EXPN and RCPT
 * enumeration. Code, not YAML: each is a probe of engine/security whose verdict depends on how
 * several replies relate (one reply or five after a message, a refused control recipient, two
 * VRFY answers compared), which no single expectation can say.
 */
import { defineCheck, inconclusive, type CodeCheck } from '../../engine/checks/code-check.js';
import { probeExpn, probeOpenRelay, probeRcptEnumeration, probeSmuggling, probeVrfy, SMUGGLING_VARIANTS, type SmugglingVariant } from '../../engine/security/index.js';
import { probeContext, verdictOf } from './support.js';

function smugglingCheck(v: SmugglingVariant): CodeCheck<'smtp'> {
  const end = v.kind === 'end';
  return defineCheck(
    'smtp',
    {
      id: `smtp.security.smuggling.${v.id}`,
      title: end ? `${v.label} does not end the mail data (SMTP smuggling)` : `Mail data with ${v.label} is rejected or taken as content`,
      // Only <CRLF>.<CRLF> ends the data (§4.1.1.4); lines end in CRLF only (§2.3.8).
      ref: end ? 'RFC 5321 §4.1.1.4' : 'RFC 5321 §2.3.8, §4.1.1.4',
      level: 'MUST',
      needs: ['rcpt'],
      start: 'greeted',
      timeout: '30s',
    },
    import.meta.url,
    async (ctx) => {
      const rcpt = ctx.env.fixtures.rcpt;
      if (rcpt === undefined) return inconclusive('needs a local recipient (--rcpt)');
      const creds = ctx.env.fixtures.credentials;
      // A submission port takes mail only after AUTH (inside TLS, never in cleartext).
      const login = ctx.env.target.role === 'submission' && creds !== undefined ? { login: creds } : {};
      const r = await probeSmuggling(probeContext(ctx, 'smtp'), v, { rcpt, ...login });
      const verdict = verdictOf(r);
      return verdict.status === 'pass' ? { status: 'pass', message: `${r.outcome}: ${r.summary}` } : verdict;
    },
  );
}

const openRelay = defineCheck(
  'smtp',
  {
    id: 'smtp.security.open-relay',
    title: 'Without authentication, recipients in foreign domains are refused (no open relay)',
    // BCP 30: an MTA "MUST be able to restrict unauthorized use as Mail Relay"; source routes
    // and the %-hack are ways around that check.
    ref: 'RFC 2505 §2, RFC 5321 §3.6.1',
    level: 'MUST',
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => verdictOf(await probeOpenRelay(probeContext(ctx, 'smtp'), { rcpt: ctx.env.fixtures.rcpt, address: ctx.env.target.host })),
);

const vrfy = defineCheck(
  'smtp',
  {
    id: 'smtp.security.vrfy',
    title: 'VRFY does not tell existing addresses from unknown ones',
    // "individual sites may want to disable either or both of VRFY or EXPN for security reasons"
    ref: 'RFC 5321 §7.3, §3.5.3',
    level: 'MAY',
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => verdictOf(await probeVrfy(probeContext(ctx, 'smtp'), { rcpt: ctx.env.fixtures.rcpt })),
);

const expn = defineCheck(
  'smtp',
  {
    id: 'smtp.security.expn',
    title: 'EXPN does not disclose list members or tell existing names from unknown ones',
    ref: 'RFC 5321 §7.3, §3.5.3',
    level: 'MAY',
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => verdictOf(await probeExpn(probeContext(ctx, 'smtp'), { rcpt: ctx.env.fixtures.rcpt })),
);

const rcptEnumeration = defineCheck(
  'smtp',
  {
    id: 'smtp.security.rcpt-enumeration',
    title: 'RCPT answers for existing and unknown recipients (informational)',
    // Refusing unknown recipients at RCPT is right (§4.1.1.3 lists 550); that it discloses which
    // exist is only information.
    ref: 'RFC 5321 §4.1.1.3, §7.3',
    level: 'MAY',
    needs: ['rcpt'],
    start: 'greeted',
  },
  import.meta.url,
  async (ctx) => {
    const rcpt = ctx.env.fixtures.rcpt;
    if (rcpt === undefined) return inconclusive('needs a local recipient (--rcpt)');
    return verdictOf(await probeRcptEnumeration(probeContext(ctx, 'smtp'), rcpt));
  },
);

export const SMTP_SECURITY_CHECKS: readonly CodeCheck<'smtp'>[] = [...SMUGGLING_VARIANTS.map(smugglingCheck), openRelay, vrfy, expn, rcptEnumeration];
