/**
 * Every built-in POP3 check can fail: each has a twin of the fake server that breaks exactly
 * the rule it checks (test/helpers/pop3-broken-server.ts), and must then fail (MUST) or warn
 * (SHOULD, MAY). The same fake, unbroken, passes every check. A new check without a case here
 * fails the first test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import type { CheckResult } from '../../engine/report-types.js';
import { checkMeta, type RunnableCheck } from '../../engine/runner/run-check.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import { builtinChecks } from '../../suites/index.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import { brokenPop3, FAKE_PASSWORD, FAKE_USER, type BrokenPop3Options, type Pop3Faults } from '../helpers/pop3-broken-server.js';

interface Case {
  /** What the broken server does wrong. */
  readonly server: string;
  readonly faults: Partial<Pop3Faults>;
  readonly expect: 'fail' | 'warn';
}

const CASES: Readonly<Record<string, Case>> = {
  // suites/pop3/base.yaml
  'pop3.greeting.ok': { server: 'greets with "+ok" after the probe', faults: { badGreetingAfterProbe: true }, expect: 'fail' },
  'pop3.status.upper-case': { server: 'answers "-err"', faults: { lowercaseErr: true }, expect: 'fail' },
  'pop3.command.unknown': { server: 'answers +OK to unknown commands', faults: { unknownOk: true }, expect: 'fail' },
  'pop3.command.syntax-error': { server: 'accepts RETR without argument', faults: { lenientSyntax: true }, expect: 'fail' },
  'pop3.command.case-insensitive': { server: 'knows upper-case keywords only', faults: { caseSensitive: true }, expect: 'fail' },
  'pop3.state.transaction-only': { server: 'answers STAT before login', faults: { noStateCheck: true }, expect: 'fail' },
  'pop3.noop.transaction': { server: 'answers -ERR to NOOP', faults: { noopErr: true }, expect: 'fail' },
  'pop3.quit.authorization': { server: 'refuses QUIT before login', faults: { quitAuthErr: true }, expect: 'fail' },
  'pop3.quit.transaction': { server: 'keeps the connection open after QUIT', faults: { quitNoClose: true }, expect: 'fail' },
  // suites/pop3/auth.yaml
  'pop3.pass.without-user': { server: 'logs in on PASS without USER', faults: { passWithoutUser: true }, expect: 'fail' },
  'pop3.auth.resp-code': { server: 'announces AUTH-RESP-CODE but sends no [AUTH]', faults: { noAuthCode: true }, expect: 'warn' },
  'pop3.apop.wrong-digest': { server: 'accepts any APOP digest', faults: { apopAcceptsAny: true }, expect: 'fail' },
  'pop3.auth.unknown-mechanism': { server: 'challenges an unknown mechanism', faults: { unknownMechContinue: true }, expect: 'fail' },
  'pop3.auth.second-auth-refused': { server: 'accepts AUTH after login', faults: { authInTransaction: true }, expect: 'fail' },
  'pop3.auth.plaintext-before-stls': { server: 'offers USER/PASS before STLS', faults: { plaintextLogin: true }, expect: 'warn' },
  // suites/pop3/maildrop.yaml
  'pop3.stat.format': { server: 'answers STAT in prose', faults: { statFormat: true }, expect: 'fail' },
  'pop3.list.format': { server: 'separates LIST fields with a tab', faults: { listFormat: true }, expect: 'fail' },
  'pop3.list.single': { server: 'answers LIST n without the listing', faults: { listSingleBare: true }, expect: 'fail' },
  'pop3.list.missing': { server: 'answers +OK to LIST of a missing message', faults: { listMissingOk: true }, expect: 'fail' },
  'pop3.uidl.format': { server: 'sends 71-character unique-ids', faults: { uidlLong: true }, expect: 'fail' },
  'pop3.uidl.single': { server: 'answers UIDL n without the listing', faults: { uidlSingleBare: true }, expect: 'fail' },
  'pop3.dele.deleted-refs-error': { server: 'still serves deleted messages', faults: { deletedStillReachable: true }, expect: 'fail' },
  'pop3.dele.list-excludes': { server: 'keeps deleted messages in LIST', faults: { listShowsDeleted: true }, expect: 'fail' },
  'pop3.rset.undeletes': { server: 'forgets RSET', faults: { rsetNoop: true }, expect: 'fail' },
  // suites/pop3/extensions.yaml
  'pop3.capa.format': { server: 'ends a CAPA line in a space', faults: { capaBadLine: true }, expect: 'fail' },
  'pop3.capa.args': { server: 'announces "EXPIRE soon"', faults: { expireBad: true }, expect: 'fail' },
  'pop3.pipelining.order': { server: 'answers pipelined commands out of order', faults: { pipelineReorder: true }, expect: 'fail' },
  'pop3.stls.go-ahead': { server: 'announces STLS and refuses it', faults: { stlsRefused: true }, expect: 'fail' },
  'pop3.stls.no-readvertise': { server: 're-advertises STLS after TLS', faults: { stlsReadvertised: true }, expect: 'warn' },
  'pop3.stls.transaction-refused': { server: 'accepts STLS after login', faults: { stlsInTransaction: true }, expect: 'fail' },
  // suites/pop3/checks/*.ts
  'pop3.user.wrong-password': { server: 'accepts any password', faults: { anyPassword: true }, expect: 'fail' },
  'pop3.auth.plain-initial-response': { server: 'refuses the AUTH PLAIN initial response', faults: { noInitialResponse: true }, expect: 'fail' },
  'pop3.auth.plain-continuation': { server: 'sends "+ Go ahead" as the empty challenge', faults: { challengeText: true }, expect: 'fail' },
  'pop3.auth.cancel': { server: 'ignores a "*" cancel', faults: { cancelIgnored: true }, expect: 'fail' },
  'pop3.apop.timestamp-unique': { server: 'repeats its APOP timestamp', faults: { fixedTimestamp: true }, expect: 'fail' },
  'pop3.resp-codes.in-use': { server: 'refuses a second session without [IN-USE]', faults: { lockNoCode: true }, expect: 'warn' },
  'pop3.list.matches-stat': { server: 'miscounts STAT', faults: { statMiscount: true }, expect: 'fail' },
  'pop3.retr.size-matches-list': { server: 'lists sizes 3 octets too big', faults: { listSizeOff: true }, expect: 'fail' },
  'pop3.retr.byte-stuffing': { server: 'does not byte-stuff', faults: { noStuffing: true }, expect: 'fail' },
  'pop3.top.lines': { server: 'sends the whole message for TOP', faults: { topIgnoresN: true }, expect: 'fail' },
  'pop3.dele.stat-excludes': { server: 'counts deleted messages in STAT', faults: { statCountsDeleted: true }, expect: 'fail' },
  'pop3.uidl.stable': { server: 'changes unique-ids every session', faults: { uidlPerSession: true }, expect: 'fail' },
  'pop3.quit.update-removes': { server: 'keeps deleted messages after QUIT', faults: { quitKeeps: true }, expect: 'fail' },
  'pop3.quit.drop-keeps': { server: 'deletes when the connection drops', faults: { dropDeletes: true }, expect: 'fail' },
  'pop3.capa.transaction': { server: 'refuses CAPA after login', faults: { capaAuthOnly: true }, expect: 'fail' },
  'pop3.capa.auth-caps-kept': { server: 'drops USER and SASL from CAPA after login', faults: { capaDropsAfterLogin: true }, expect: 'fail' },
  'pop3.stls.no-injection': { server: 'runs commands pipelined after STLS inside TLS', faults: { stlsInjection: true }, expect: 'fail' },
  'pop3.lines.crlf': { server: 'ends a reply in a bare LF', faults: { noopBareLf: true }, expect: 'fail' },
  'pop3.lines.length': { server: 'sends a 600-octet -ERR line', faults: { longErr: true }, expect: 'warn' },
};

/** Checks that need a message in the maildrop. */
const MESSAGE_CHECKS = [
  'pop3.list.single',
  'pop3.uidl.single',
  'pop3.dele.deleted-refs-error',
  'pop3.dele.list-excludes',
  'pop3.rset.undeletes',
  'pop3.retr.size-matches-list',
  'pop3.retr.byte-stuffing',
  'pop3.top.lines',
  'pop3.dele.stat-excludes',
  'pop3.uidl.stable',
  'pop3.quit.update-removes',
  'pop3.quit.drop-keeps',
];

let pki: LabPki;
let checks: RunnableCheck[];
beforeAll(async () => {
  pki = createLabPki();
  checks = await builtinChecks(['pop3']);
});

async function run(
  selected: readonly RunnableCheck[],
  faults: Partial<Pop3Faults>,
  options: BrokenPop3Options & { login?: boolean } = {},
): Promise<CheckResult[]> {
  const server = await brokenPop3(pki, faults, options);
  try {
    const out = await runChecks({
      targets: [parseTarget(server.url)],
      checks: selected,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
      starttls: 'optional',
      timeouts: { connectMs: 2000, greetingMs: 2000, tlsMs: 2000, commandMs: 2000, dataMs: 2000, closeMs: 500 },
      stepTimeoutMs: 1000,
      fixtures: {
        credentials: options.login === false ? undefined : { user: FAKE_USER, password: secret(FAKE_PASSWORD) },
        rcpt: undefined,         mailbox: 'INBOX',
        clientName: 'client.mailprobe.test',
      },
      signal: undefined,
      concurrency: 6,
    });
    return out.checks;
  } finally {
    await server.close();
  }
}

const describeResult = (r: CheckResult): string => `${r.id}: ${r.status} — ${r.message}`;

describe('built-in POP3 checks against scripted misbehaving servers', () => {
  it('every built-in POP3 check has a broken-server case, and every case a check', () => {
    expect(Object.keys(CASES).sort()).toEqual(checks.map((c) => checkMeta(c).id).sort());
    for (const c of checks) {
      const meta = checkMeta(c);
      expect(CASES[meta.id]?.expect, meta.id).toBe(meta.level === 'MUST' ? 'fail' : 'warn');
    }
  });

  it('the fake server, unbroken, passes every check', async () => {
    const results = await run(checks, {});
    const bad = results.filter((r) => r.status !== 'pass');
    expect(bad.map(describeResult)).toEqual([]);
  });

  it('an empty maildrop makes the message checks inconclusive, never failed', async () => {
    const results = await run(checks, {}, { empty: true });
    const byStatus = (status: string): string[] => results.filter((r) => r.status === status).map((r) => r.id).sort();
    expect(results.filter((r) => r.status !== 'pass' && r.status !== 'inconclusive').map(describeResult)).toEqual([]);
    expect(byStatus('inconclusive')).toEqual(
      [...MESSAGE_CHECKS].sort(),
    );
  });

  it('without a login the checks that need one are inconclusive, the rest pass', async () => {
    const results = await run(checks, {}, { login: false });
    for (const r of results) {
      const needs = checkMeta(checks.find((c) => checkMeta(c).id === r.id)!).needs ?? [];
      expect(describeResult(r)).toMatch(needs.includes('login') ? /: inconclusive — needs a login/ : /: pass — /);
    }
  });

  describe.concurrent('each check against its broken twin', () => {
    for (const [id, c] of Object.entries(CASES)) {
      it(`${id}: ${c.expect} when the server ${c.server}`, async ({ expect }) => {
        const check = checks.find((k) => checkMeta(k).id === id);
        expect(check, `no built-in check ${id}`).toBeDefined();
        const [result] = await run([check!], c.faults);
        expect(result && describeResult(result)).toMatch(new RegExp(`^${id.replace(/\./g, '\\.')}: ${c.expect} — `));
      });
    }
  });
});
