/**
 * Every command that takes credentials, run with them, on the paths where a secret is most
 * likely to escape: successful logins against the lab's Postfix and Dovecot, a wrong password,
 * a suite that sends $password itself, cleartext logins diagnose really tries (sandbox with the
 * plaintext-auth fault), and servers that hang mid-AUTH/LOGIN so errors carry the command.
 * Then every output (console stdout and stderr with MAILPROBE_DEBUG on, JSON, JUnit,
 * Markdown, HTML) is searched for each password and its base64 forms: zero hits.
 * (`demo`, whose password the sandbox generates, is secrets-demo.test.ts.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { removeBenchMail } from '../bench-engine/helpers/lab-cleanup.js';
import { labUrl } from '../helpers/run-lab-checks.js';
import { allOutput, runCli, startHostiles, type CliRun, type Hostiles } from './harness.js';
import { findLeaks, secretForms } from './secrets.js';

const lab = inject('lab');
const alice = lab.users[0]!;
const bob = lab.users[1]!;
/** Distinctive passwords for what is not the lab's (whose passwords are random already). */
const WRONG = 'Wrong-Quokka-Pass-9137';
const HOSTILE = 'Hostile-Narwhal-Pass-5521';
const SANDBOX = 'Sandbox-Axolotl-Pass-8842';
const HOSTILE_USER = 'robust@hostile.test';

let h: Hostiles;
let sb: Sandbox;
let dir = '';
const runs: { name: string; run: CliRun; forms: string[] }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-secrets-'));
  [h, sb] = await Promise.all([
    startHostiles(['smtp-auth-hang', 'imap-login-hang']),
    startSandbox({ users: [{ user: 'robust', password: SANDBOX }], faults: ['plaintext-auth'], caFile: join(dir, 'sandbox-ca.pem') }),
  ]);
  await writeFile(join(dir, 'users.txt'), `${alice.user}:${alice.password}\n${bob.user}:${bob.password}\n`);
  await writeFile(
    join(dir, 'imap.yaml'),
    `suite: imap/robust-secrets
protocol: imap
checks:
  - id: imap.robust.login-twice
    title: LOGIN with the password, then again (refused, so the transcript is printed)
    ref: RFC 9051 §6.2.3
    level: MUST
    needs: [login]
    steps:
      - send: LOGIN $user $password
        expect: { tagged: OK }
      - send: LOGIN $user $password
        expect: { tagged: OK }
`,
  );
  await writeFile(
    join(dir, 'pop3.yaml'),
    `suite: pop3/robust-secrets
protocol: pop3
checks:
  - id: pop3.robust.pass-twice
    title: USER and PASS, then PASS again (refused, so the transcript is printed)
    ref: RFC 1939 §7
    level: MUST
    needs: [login]
    steps:
      - send: USER $user
        expect: { status: +OK }
      - send: PASS $password
        expect: { status: +OK }
      - send: PASS $password
        expect: { status: +OK }
`,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([h?.stop(), sb?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const trust = ['--ca', lab.rootCaPath, '--servername', lab.servername];
const env = (password: string): Record<string, string> => ({ MAILPROBE_PASSWORD: password, MAILPROBE_DEBUG: '1', NO_COLOR: '1' });

async function record(name: string, argv: string[], password: string, user: string, formats: ('json' | 'junit' | 'md' | 'html')[]): Promise<CliRun> {
  const run = await runCli(argv, { env: env(password), formats });
  runs.push({ name, run, forms: secretForms(user, password) });
  return run;
}

describe('secrets never appear in any output', () => {
  it('check against the lab with the right and a wrong password (verbose: every transcript printed)', async () => {
    const targets = [labUrl('submission'), labUrl('imaps'), labUrl('pop3s')];
    const [right, wrong] = await Promise.all([
      record('check (right password)', ['check', ...targets, '--user', alice.user, '--rcpt', alice.user, ...trust, '--verbose', '--timeout', '5s'], alice.password, alice.user, ['json', 'junit', 'md', 'html']),
      record('check (wrong password)', ['check', ...targets, '--user', alice.user, ...trust, '--verbose', '--timeout', '5s'], WRONG, alice.user, ['json', 'junit', 'md', 'html']),
    ]);
    // The password really was used: logged-in checks passed with it, and failed to log in without.
    const loggedIn = right.report!.checks.filter((c) => c.id === 'imap.authenticate.plain' || c.id === 'pop3.auth.plain-initial-response');
    expect(loggedIn.map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(wrong.report!.checks.some((c) => /login as .* failed/.test(c.message))).toBe(true);
  }, 90_000);

  it('run: a suite that sends $password over TLS (IMAP LOGIN, POP3 PASS), failing so the transcript shows', async () => {
    const imap = await record('run imap suite', ['run', join(dir, 'imap.yaml'), labUrl('imaps'), '--user', alice.user, ...trust, '--verbose'], alice.password, alice.user, ['json', 'junit', 'md', 'html']);
    const pop3 = await record('run pop3 suite', ['run', join(dir, 'pop3.yaml'), labUrl('pop3s'), '--user', alice.user, ...trust, '--verbose'], alice.password, alice.user, ['json', 'junit', 'md', 'html']);
    for (const r of [imap, pop3]) {
      expect(r.report!.checks[0]!.status).toBe('fail');
      expect(JSON.stringify(r.report!.checks[0]!.transcript)).toContain('***');
    }
  }, 60_000);

  it('diagnose --user: against the lab, and a sandbox that accepts the cleartext login diagnose then tries', async () => {
    await record('diagnose lab', ['diagnose', labUrl('submission'), labUrl('imap'), labUrl('pop3'), '--user', alice.user, ...trust, '--timeout', '5s'], alice.password, alice.user, ['json', 'junit', 'md']);
    const cleartext = await record(
      'diagnose sandbox (plaintext-auth)',
      ['diagnose', sb.urls.submission, sb.urls.imap, sb.urls.pop3, '--user', 'robust', '--ca', join(dir, 'sandbox-ca.pem'), '--servername', sb.servername, '--timeout', '5s'],
      SANDBOX,
      `robust@${sb.servername}`,
      ['json', 'junit', 'md'],
    );
    // It really logged in over cleartext with the password.
    expect(cleartext.report!.findings.filter((f) => f.id === 'auth.plaintext-accepted').length).toBeGreaterThan(0);
    runs.at(-1)!.forms.push(...secretForms('robust', SANDBOX));
  }, 60_000);

  it('bench --user and --users FILE against the lab', async () => {
    const [imap, smtp] = await Promise.all([
      record('bench imap-session --user', ['bench', labUrl('imaps'), '--scenario', 'imap-session', '--user', alice.user, '--mix', 'noop,list', '--concurrency', '2', '--messages', '10', ...trust], alice.password, alice.user, ['json', 'md', 'html']),
      runCli(['bench', labUrl('submission'), '--scenario', 'smtp-send', '--users', join(dir, 'users.txt'), '--rcpt', alice.user, '--concurrency', '2', '--messages', '4', ...trust], { env: { MAILPROBE_DEBUG: '1', NO_COLOR: '1' }, formats: ['json', 'md', 'html'] }),
    ]);
    runs.push({ name: 'bench smtp-send --users', run: smtp, forms: [...secretForms(alice.user, alice.password), ...secretForms(bob.user, bob.password)] });
    try {
      expect(imap.code, imap.stderr).toBe(0);
      expect(smtp.code, smtp.stderr).toBe(0);
      expect(smtp.report!.bench!.metrics['smtp.auth']!.count).toBeGreaterThan(0);
    } finally {
      await removeBenchMail(lab, alice, { expect: 4 });
    }
  }, 60_000);

  it('servers that hang mid-AUTH / mid-LOGIN: errors and transcripts carry the command, never the secret', async () => {
    const smtp = h.url('smtp-auth-hang', 'submission');
    const imap = h.url('imap-login-hang', 'imap');
    const login = ['--user', HOSTILE_USER, '--starttls', 'never', '--timeout', '1s'];
    await Promise.all([
      record('check AUTH hang', ['check', smtp, ...login, '--verbose', '--concurrency', '16'], HOSTILE, HOSTILE_USER, ['json', 'junit', 'md', 'html']),
      record('check LOGIN hang', ['check', imap, ...login, '--verbose', '--concurrency', '16'], HOSTILE, HOSTILE_USER, ['json', 'junit', 'md', 'html']),
      record('bench AUTH hang', ['bench', smtp, '--scenario', 'smtp-send', '--rcpt', 'sink@hostile.test', '--concurrency', '2', '--duration', '1s', ...login], HOSTILE, HOSTILE_USER, ['json', 'md', 'html']),
      record('bench LOGIN hang', ['bench', imap, '--scenario', 'imap-session', '--concurrency', '2', '--duration', '1s', ...login], HOSTILE, HOSTILE_USER, ['json', 'md', 'html']),
    ]);
    const transcripts = runs.filter((r) => r.name.endsWith('hang')).map((r) => allOutput(r.run)).join('\n');
    // The secret went on the wire (the servers saw it) and the outputs show where, redacted.
    expect(transcripts).toMatch(/AUTH PLAIN \*\*\*|AUTH LOGIN/);
    expect(transcripts).toMatch(/LOGIN \S+ \*\*\*/);
  }, 60_000);

  it('zero hits of any password or its base64 forms across every output above', () => {
    expect(runs.length).toBeGreaterThanOrEqual(12);
    const leaks = runs.flatMap((r) => findLeaks({ stdout: r.run.stdout, stderr: r.run.stderr, ...r.run.files }, r.forms).map((l) => ({ run: r.name, ...l })));
    expect(leaks).toEqual([]);
    // And the search does find what it looks for (a self-check of secretForms).
    expect(findLeaks({ probe: `AUTH PLAIN ${Buffer.from(`\u0000${alice.user}\u0000${alice.password}`).toString('base64')}` }, secretForms(alice.user, alice.password)).length).toBeGreaterThan(0);
  });
});
