/**
 * Every built-in IMAP check can fail: for each check id, a broken server (one named fault of
 * test/helpers/imap-broken-server.ts) that makes it fail (MUST) or warn (SHOULD/MAY). The same
 * server without faults passes every check, so the suite does not depend on Dovecot's habits.
 * A new check without a case here fails the first test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import type { CheckResult } from '../../engine/report-types.js';
import { checkMeta, type RunnableCheck } from '../../engine/runner/run-check.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import { builtinChecks } from '../../suites/index.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import { brokenImap, type BrokenFault, type BrokenImapOptions } from '../helpers/imap-broken-server.js';

const USER = 'mailprobe@broken.test';
const PASSWORD = 'broken-imap-password';

interface BrokenCase {
  readonly faults: readonly BrokenFault[];
  /** Default: fail for a MUST check, warn for SHOULD/MAY. */
  readonly status?: 'fail' | 'warn';
  readonly implicitTls?: boolean;
  readonly rev2?: boolean;
}

/** check id → the server that breaks it. */
const CASES: Readonly<Record<string, BrokenCase>> = {
  // base.yaml
  'imap.greeting.form': { faults: ['greeting-no'] },
  'imap.capability.revision': { faults: ['capability-no-revision'] },
  'imap.command.unknown-bad': { faults: ['unknown-command-no'] },
  'imap.noop.not-authenticated': { faults: ['noop-bad-before-login'] },
  'imap.noop.selected': { faults: ['noop-bad-selected'] },
  'imap.logout.bye': { faults: ['logout-no-bye'] },
  'imap.state.select-before-login': { faults: ['select-before-login'] },
  'imap.literal.synchronizing': { faults: ['literal-no-continuation'] },
  'imap.id.nil': { faults: ['id-nil-bad'] },
  'imap.id.params': { faults: ['id-params-bad'] },
  'imap.id.empty-list': { faults: ['id-empty-bad'] },
  // starttls.yaml and checks/starttls.ts
  'imap.starttls.stays-not-authenticated': { faults: ['starttls-authenticates'] },
  'imap.starttls.capability-reread': { faults: ['starttls-readvertised'] },
  'imap.starttls.logindisabled-lifted': { faults: ['logindisabled-after-tls'] },
  'imap.starttls.no-plaintext-injection': { faults: ['starttls-injection'] },
  'imap.starttls.bad-on-implicit-tls': { faults: ['starttls-ok-on-tls'], implicitTls: true },
  // auth.yaml and checks/auth.ts
  'imap.login.logindisabled-refused': { faults: ['login-despite-logindisabled', 'login-accepts-any-password'] },
  'imap.login.wrong-password': { faults: ['login-accepts-any-password'] },
  'imap.login.authenticationfailed-code': { faults: ['login-fail-no-code'] },
  'imap.authenticate.cancel': { faults: ['authenticate-cancel-no'] },
  'imap.authenticate.unknown-mechanism': { faults: ['authenticate-unknown-bad'] },
  'imap.authenticate.plain': { faults: ['authenticate-plain-broken'] },
  // mailbox.yaml
  'imap.select.flags-exists': { faults: ['select-no-exists'] },
  'imap.select.uid-codes': { faults: ['select-no-uidvalidity'] },
  'imap.select.permanentflags': { faults: ['select-no-permanentflags'] },
  'imap.select.read-write': { faults: ['select-no-read-write'] },
  'imap.select.inbox-case-insensitive': { faults: ['inbox-case-sensitive'] },
  'imap.select.missing-deselects': { faults: ['failed-select-keeps-mailbox'] },
  'imap.examine.read-only': { faults: ['examine-no-read-only'] },
  'imap.examine.no-permanent-store': { faults: ['examine-store-permanent'] },
  'imap.examine.no-seen': { faults: ['examine-body-sets-seen'] },
  'imap.create.inbox-refused': { faults: ['create-inbox-ok'] },
  'imap.create.existing-refused': { faults: ['create-existing-ok'] },
  'imap.delete.missing-refused': { faults: ['delete-missing-ok'] },
  'imap.delete.removes': { faults: ['delete-keeps-mailbox'] },
  'imap.list.hierarchy-delimiter': { faults: ['list-empty-no-delimiter'] },
  'imap.list.inbox': { faults: ['list-no-inbox'] },
  'imap.namespace.response': { faults: ['namespace-no-response'] },
  'imap.namespace.rev2': { faults: ['namespace-no-response'], rev2: true },
  'imap.status.items': { faults: ['status-no-unseen'] },
  'imap.status.missing-refused': { faults: ['status-missing-ok'] },
  // message.yaml
  'imap.append.literal': { faults: ['append-drops-message'] },
  'imap.append.missing-no-autocreate': { faults: ['append-autocreates'] },
  'imap.append.trycreate': { faults: ['append-no-trycreate'] },
  'imap.append.flags': { faults: ['append-ignores-flags'] },
  'imap.append.selected-exists': { faults: ['append-no-exists'] },
  'imap.fetch.peek-keeps-unseen': { faults: ['peek-sets-seen'] },
  'imap.fetch.body-sets-seen': { faults: ['body-no-seen'] },
  'imap.fetch.body-seen-reported': { faults: ['body-seen-unreported'] },
  'imap.fetch.beyond-exists': { faults: ['fetch-beyond-ok'] },
  'imap.uid-fetch.missing-uid': { faults: ['uid-fetch-missing-no'] },
  'imap.uid-fetch.star-range': { faults: ['uid-star-range-empty'] },
  'imap.uid-fetch.implicit-uid': { faults: ['uid-fetch-no-uid'] },
  'imap.store.flags': { faults: ['store-not-applied'] },
  'imap.store.fetch-response': { faults: ['store-no-fetch'] },
  'imap.store.silent': { faults: ['store-silent-fetch'] },
  'imap.copy.copies': { faults: ['copy-drops'] },
  'imap.copy.trycreate': { faults: ['copy-no-trycreate'] },
  'imap.expunge.renumbers': { faults: ['expunge-silent'] },
  'imap.close.expunges-silently': { faults: ['close-sends-expunge'] },
  'imap.search.flagged': { faults: ['search-ignores-flagged'] },
  // extensions.yaml and checks/idle.ts
  'imap.literalplus.non-synchronizing': { faults: ['literalplus-continuation'] },
  'imap.enable.condstore': { faults: ['enable-no-enabled-condstore'] },
  'imap.enable.unknown-ignored': { faults: ['enable-echoes-unknown'] },
  'imap.enable.enabled-always': { faults: ['enable-no-empty-enabled'] },
  'imap.enable.not-authenticated': { faults: ['enable-before-login-ok'] },
  'imap.idle.done': { faults: ['idle-no-done-ok'] },
  'imap.idle.push': { faults: ['idle-no-push'] },
  'imap.uidplus.appenduid': { faults: ['append-no-appenduid'] },
  'imap.uidplus.copyuid': { faults: ['copy-no-copyuid'] },
  'imap.uidplus.uid-expunge': { faults: ['uid-expunge-all'] },
  'imap.move.moves': { faults: ['move-copies-only'] },
  'imap.move.copyuid': { faults: ['move-no-copyuid'] },
  'imap.move.trycreate': { faults: ['move-no-trycreate'] },
  'imap.condstore.highestmodseq': { faults: ['select-no-highestmodseq'] },
  'imap.condstore.store-updates-modseq': { faults: ['store-keeps-modseq'] },
  'imap.condstore.unchangedsince': { faults: ['unchangedsince-ignored'] },
  'imap.unselect.no-expunge': { faults: ['unselect-expunges'] },
  'imap.specialuse.selection': { faults: ['specialuse-lists-all'] },
  // multisession.yaml
  'imap.multi.exists': { faults: ['no-exists-for-others'] },
  'imap.multi.expunge': { faults: ['no-expunge-for-others'] },
  'imap.multi.flags': { faults: ['no-flags-for-others'] },
  'imap.multi.no-expunge-during-fetch-store-search': { faults: ['expunge-during-fetch'] },
};

let pki: LabPki;
let checks: RunnableCheck[];

beforeAll(async () => {
  pki = createLabPki();
  checks = await builtinChecks(['imap']);
});

async function runAgainst(server: Omit<BrokenImapOptions, 'pki' | 'user' | 'password'>, selected: readonly RunnableCheck[]): Promise<CheckResult[]> {
  const imap = await brokenImap({ ...server, pki, user: USER, password: PASSWORD });
  try {
    const out = await runChecks({
      targets: [parseTarget(imap.url)],
      checks: selected,
      tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem },
      starttls: 'optional',
      timeouts: { connectMs: 2000, greetingMs: 2000, tlsMs: 2000 },
      // Only the literal-no-continuation case waits this long (for a "+" that never comes).
      stepTimeoutMs: 3000,
      fixtures: { credentials: { user: USER, password: secret(PASSWORD) }, rcpt: undefined, mailbox: 'INBOX', clientName: 'client.mailprobe.test' },
      signal: undefined,
      concurrency: 6,
    });
    return out.checks;
  } finally {
    await imap.close();
  }
}

const describeResults = (results: readonly CheckResult[]): string =>
  results.map((r) => `${r.id}: ${r.status} — ${r.message}\n${r.transcript.map((e) => `    ${e.dir}: ${e.text}`).join('\n')}`).join('\n');

describe('built-in IMAP checks against a deliberately broken server', () => {
  it('has a broken-server case for every built-in IMAP check, and no stale case', () => {
    const ids = checks.map((c) => checkMeta(c).id).sort();
    expect(Object.keys(CASES).sort()).toEqual(ids);
  });

  it('passes every check on the server without faults (STARTTLS port)', async () => {
    const results = await runAgainst({ rev2: true }, checks);
    const bad = results.filter((r) => r.status !== 'pass' && !(r.status === 'skip' && r.id === 'imap.starttls.bad-on-implicit-tls'));
    expect(bad, describeResults(bad)).toEqual([]);
    // LOGIN literals, AUTHENTICATE PLAIN: the password shows nowhere, neither plain nor in base64.
    const reported = JSON.stringify(results);
    expect(reported).not.toContain(PASSWORD);
    expect(reported).not.toContain(Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'));
  });

  it('passes every check on the server without faults (implicit TLS)', async () => {
    const results = await runAgainst({ implicitTls: true }, checks);
    const bad = results.filter((r) => r.status !== 'pass' && !(r.status === 'skip' && /^imap\.(starttls\.(stays|capability|logindisabled|no-plaintext)|login\.logindisabled|namespace\.rev2)/.test(r.id)));
    expect(bad, describeResults(bad)).toEqual([]);
  });

  describe.concurrent('each check against its fault', () => {
    for (const [id, c] of Object.entries(CASES)) {
      it(`${id} ← ${c.faults.join(', ')}`, async () => {
        const check = checks.find((k) => checkMeta(k).id === id);
        expect(check, `no built-in check ${id}`).toBeDefined();
        const level = checkMeta(check!).level;
        const want = c.status ?? (level === 'MUST' ? 'fail' : 'warn');
        const [result] = await runAgainst({ faults: c.faults, implicitTls: c.implicitTls, rev2: c.rev2 }, [check!]);
        expect(result!.status, describeResults([result!])).toBe(want);
      });
    }
  });
});
