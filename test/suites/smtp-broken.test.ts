/**
 * Every built-in SMTP check must be able to fail: a scripted SMTP server that is correct by
 * default (test/helpers/smtp-broken-server.ts) breaks one rule at a time, and the check that
 * guards the rule must turn `fail` (MUST) or `warn` (SHOULD). The table below says which broken
 * behaviour triggers which check; a check without a row fails the coverage test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMeta } from '../../engine/runner/run-check.js';
import { createLabPki } from '../helpers/certs.js';
import { brokenSmtp, FAKE_PASSWORD, FAKE_RCPT, FAKE_USER, type BrokenSmtp, type FakeRole, type SmtpFault } from '../helpers/smtp-broken-server.js';
import { builtinSmtpChecks, describeResults, runSmtpChecks } from '../helpers/smtp-run.js';

interface Case {
  readonly fault: SmtpFault;
  /** The port role to present the server as (default mx). */
  readonly role?: FakeRole;
  /** Checks this broken behaviour must turn to fail (MUST) or warn (SHOULD). */
  readonly checks: readonly string[];
}

const CASES: readonly Case[] = [
  { fault: 'greetingNoDomain', checks: ['smtp.greeting.format'] },
  { fault: 'ehloBadKeyword', checks: ['smtp.ehlo.reply-format'] },
  { fault: 'heloEhloStyle', checks: ['smtp.helo.supported'] },
  { fault: 'caseSensitive', checks: ['smtp.verbs.case-insensitive'] },
  { fault: 'noopBareLf', checks: ['smtp.reply.format'] },
  { fault: 'noopWrongCode', checks: ['smtp.noop.reply'] },
  { fault: 'noopParamRejected', checks: ['smtp.noop.parameter-ignored'] },
  { fault: 'needEhloFirst', checks: ['smtp.session.commands-before-ehlo'] },
  { fault: 'rsetCloses', checks: ['smtp.rset.reply'] },
  { fault: 'rsetParamAccepted', checks: ['smtp.rset.parameter-rejected'] },
  { fault: 'quitParamAccepted', checks: ['smtp.quit.parameter-rejected'] },
  { fault: 'quitNoClose', checks: ['smtp.quit.closes'] },
  { fault: 'unknownCloses', checks: ['smtp.unknown-command.connection-kept'] },
  { fault: 'unknown502', checks: ['smtp.unknown-command.code-500'] },
  { fault: 'ehloWithoutDomain', checks: ['smtp.syntax.ehlo-without-domain'] },
  { fault: 'shortLines', checks: ['smtp.command-line.512-octets', 'smtp.data.text-line-1000-octets'] },
  { fault: 'vrfyAlways250', checks: ['smtp.vrfy.no-false-positive'] },
  { fault: 'vrfy502', checks: ['smtp.vrfy.supported'] },
  { fault: 'vrfyAdvertised502', checks: ['smtp.vrfy.advertised-implemented'] },
  { fault: 'expnAdvertised502', checks: ['smtp.expn.advertised-implemented'] },
  { fault: 'help500', checks: ['smtp.help.supported'] },
  { fault: 'mailWithoutArgument', checks: ['smtp.syntax.mail-without-argument'] },
  { fault: 'lenientBrackets', checks: ['smtp.syntax.mail-without-brackets'] },
  { fault: 'rcptWithoutMail', checks: ['smtp.sequence.rcpt-without-mail'] },
  { fault: 'dataWithoutMail', checks: ['smtp.sequence.data-without-mail'] },
  { fault: 'dataWithoutRcpt', checks: ['smtp.sequence.data-without-rcpt', 'smtp.pipelining.data-needs-valid-rcpt'] },
  { fault: 'nestedMail', checks: ['smtp.sequence.nested-mail'] },
  { fault: 'rsetKeepsTransaction', checks: ['smtp.rset.clears-transaction'] },
  { fault: 'helloKeepsTransaction', checks: ['smtp.ehlo.resets-transaction', 'smtp.helo.resets-transaction'] },
  { fault: 'rejectNullSender', checks: ['smtp.mail.null-reverse-path'] },
  { fault: 'nonAsciiAccepted', checks: ['smtp.mail.non-ascii-without-smtputf8'] },
  { fault: 'noPostmaster', checks: ['smtp.rcpt.postmaster', 'smtp.rcpt.postmaster-unqualified'] },
  { fault: 'dotLineEndsData', checks: ['smtp.data.end-of-data'] },
  { fault: 'lfDotLfEndsData', checks: ['smtp.data.lf-dot-lf-not-end'] },
  { fault: 'maxRecipients10', checks: ['smtp.rcpt.hundred-recipients'] },
  { fault: 'pipelineReorder', checks: ['smtp.pipelining.replies-in-order'] },
  { fault: 'sizeNotEnforced', checks: ['smtp.size.declared-over-limit'] },
  { fault: 'sizeParamRejected', checks: ['smtp.size.declared-within-limit', 'smtp.size.declared-over-limit'] },
  { fault: 'bodyParamRejected', checks: ['smtp.8bitmime.body-8bitmime', 'smtp.8bitmime.body-7bit'] },
  { fault: 'bodyAnyAccepted', checks: ['smtp.8bitmime.body-invalid'] },
  { fault: 'smtputf8Without8bitmime', checks: ['smtp.smtputf8.requires-8bitmime'] },
  { fault: 'smtputf8WithParameter', checks: ['smtp.smtputf8.keyword-without-parameters'] },
  { fault: 'smtputf8ParamRejected', checks: ['smtp.smtputf8.parameter-accepted'] },
  { fault: 'utf8MailboxRefused', checks: ['smtp.smtputf8.utf8-mailbox'] },
  { fault: 'bdatUnsupported', checks: ['smtp.chunking.bdat-last'] },
  { fault: 'dataAfterBdat', checks: ['smtp.chunking.data-after-bdat'] },
  { fault: 'bdatAfterLast', checks: ['smtp.chunking.bdat-after-last'] },
  { fault: 'enhancedMissing', checks: ['smtp.enhanced.present'] },
  { fault: 'enhancedWrongClass', checks: ['smtp.enhanced.class-matches'] },
  { fault: 'authUnknownMechContinue', checks: ['smtp.auth.unknown-mechanism'] },
  { fault: 'authChallengeText', checks: ['smtp.auth.empty-challenge'] },
  { fault: 'authCancelIgnored', checks: ['smtp.auth.cancel'] },
  { fault: 'authBase64Lenient', checks: ['smtp.auth.invalid-base64'] },
  { fault: 'authAnyPassword', checks: ['smtp.auth.bad-credentials'] },
  { fault: 'authTwice', checks: ['smtp.auth.after-auth'] },
  { fault: 'authInTransaction', checks: ['smtp.auth.in-transaction'] },
  { fault: 'plaintextAuth', role: 'submission', checks: ['smtp.auth.no-plaintext-before-tls'] },
  { fault: 'starttlsReadvertised', checks: ['smtp.starttls.no-readvertise'] },
  { fault: 'starttlsParamAccepted', checks: ['smtp.starttls.parameter-rejected'] },
  { fault: 'starttlsInjection', checks: ['smtp.starttls.no-command-injection'] },
  { fault: 'starttlsPlaintextAnswer', checks: ['smtp.starttls.no-command-injection'] },
  { fault: 'tlsNotRequired', role: 'submission', checks: ['smtp.starttls.required-before-mail'] },
];

/** Checks that cannot decide on a correct submission port (no transaction before login). */
const INCONCLUSIVE_ON_SUBMISSION = ['smtp.auth.in-transaction'];

const pki = createLabPki(['mail.test', '127.0.0.1']);
const tls = { ca: pki.root.certPem, servername: 'mail.test' };
const fixtures = { user: { user: FAKE_USER, password: FAKE_PASSWORD }, rcpt: FAKE_RCPT };
let levels: ReadonlyMap<string, string>;

beforeAll(async () => {
  levels = new Map((await builtinSmtpChecks()).map((c) => [checkMeta(c).id, checkMeta(c).level]));
});

describe('the scripted SMTP server, unbroken', () => {
  const servers: BrokenSmtp[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it.each(['mx', 'submission'] as const)('passes every built-in SMTP check as %s (nothing fails, warns or errors)', async (role) => {
    const server = await brokenSmtp(pki, role);
    servers.push(server);
    const out = await runSmtpChecks({ url: server.url, tls, ...fixtures });
    const allowed = (id: string, status: string): boolean =>
      status === 'pass' || status === 'skip' || (role === 'submission' && status === 'inconclusive' && INCONCLUSIVE_ON_SUBMISSION.includes(id));
    const bad = out.checks.filter((r) => !allowed(r.id, r.status));
    expect(bad, describeResults(bad)).toEqual([]);
    expect(out.checks.filter((r) => r.status === 'pass').length).toBeGreaterThan(role === 'mx' ? 55 : 20);
  });
});

describe('each broken behaviour is caught by its check', () => {
  const servers: BrokenSmtp[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it.concurrent.each(CASES.map((c) => [c.fault, c] as const))('%s', async (_name, c) => {
    const server = await brokenSmtp(pki, c.role ?? 'mx', { [c.fault]: true });
    servers.push(server);
    const out = await runSmtpChecks({ url: server.url, tls, ...fixtures }, { only: c.checks });
    const want = (id: string): string => (levels.get(id) === 'MUST' ? 'fail' : 'warn');
    const got = Object.fromEntries(out.checks.map((r) => [r.id, r.status]));
    expect(got, describeResults(out.checks)).toEqual(Object.fromEntries(c.checks.map((id) => [id, want(id)])));
  });
});

describe('coverage of the table', () => {
  it('names only existing checks, and every built-in SMTP check has a broken counterpart', async () => {
    const ids = [...(await builtinSmtpChecks()).map((c) => checkMeta(c).id)].sort();
    const covered = new Set(CASES.flatMap((c) => c.checks));
    expect([...covered].filter((id) => !ids.includes(id)), 'table rows naming no built-in check').toEqual([]);
    expect(ids.filter((id) => !covered.has(id)), 'built-in SMTP checks without a broken server that makes them fail or warn').toEqual([]);
  });
});
