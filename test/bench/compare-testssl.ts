/**
 * `npm run compare:testssl`: testssl.sh and `mailprobe diagnose` on the same misconfigured mail
 * ports, one at a time, each timed, and a Markdown table of who found what (docs/diagnose.md,
 * "Compared with testssl.sh"). The cases are the lab's real Postfix and Dovecot (a correct port
 * each, and Postfix listeners with one fault each, test/diagnose/postfix-faults.ts) and, for
 * what real servers will not do, the sandbox's fault profiles. Everything listens on loopback.
 *
 * A script, not a test: it needs root and the lab's Debian packages like npm test, plus the
 * Debian package testssl.sh (exit 2 with how to install it when missing). It runs the built CLI
 * (dist/, `npm run build` first, as the npm script does) so mailprobe's time includes starting
 * node, as testssl's includes starting bash. Bounded: each testssl run is killed after
 * COMPARE_CAP (120 s), mailprobe after 60 s, and cases that would start after the whole budget
 * (COMPARE_BUDGET, 15 min) are reported as not run.
 *
 * Options: `--case SUBSTRING` (repeatable) runs only matching cases; `--full` adds one testssl
 * default run (all checks) against the correct Postfix submission port, for its duration.
 * COMPARE_DEBUG=1 keeps each case's testssl output, its JSON findings and mailprobe's report in
 * $TMPDIR/compare-case-N.txt.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Report } from '../../engine/report-types.js';
import { startSandbox, type PortName } from '../../sandbox/index.js';
import { startFaultyPostfix, type FaultyPostfix, type PostfixFault } from '../diagnose/postfix-faults.js';
import type { LabInfo } from '../lab/info.js';
import { startLab, type Lab } from '../lab/lab.js';

const CAP_MS = Number(process.env['COMPARE_CAP'] ?? 120) * 1000;
const BUDGET_MS = Number(process.env['COMPARE_BUDGET'] ?? 900) * 1000;
const MAILPROBE_CAP_MS = 60_000;
const CLI = new URL('../../dist/bin/mailprobe.js', import.meta.url).pathname;
const INSTALL_HINT =
  'testssl.sh is not installed. Install the Debian/Ubuntu package (as root): apt-get install -y testssl.sh\n' +
  '(it installs /usr/bin/testssl), or get it from https://testssl.sh/ and set TESTSSL=/path/to/testssl.sh';

type Scheme = 'smtp' | 'submission' | 'smtps' | 'submissions' | 'imap' | 'imaps' | 'pop3' | 'pop3s';

/** One port to compare on: where it is, what to trust, and how to stop what was started for it. */
interface Target {
  readonly scheme: Scheme;
  readonly ip: string;
  readonly port: number;
  readonly servername: string;
  readonly caPath: string;
  stop(): Promise<void>;
}

interface Case {
  readonly name: string;
  /** The server behind it, for the table. */
  readonly server: string;
  /** The diagnose finding id this case must produce; null: a correct port (no finding above info). */
  readonly expected: string | null;
  /** Further findings the fault rightly produces (docs/sandbox.md), not counted as extra alarms. */
  readonly alsoExpected?: readonly string[];
  /**
   * What testssl would have to say to have found it: matched against `id finding` of its JSON
   * findings of severity LOW or above (and WARN/FATAL for connection problems).
   */
  readonly testsslNames: RegExp | null;
  start(ctx: Context): Promise<Target>;
}

interface Context {
  readonly lab: LabInfo;
  postfix(): Promise<FaultyPostfix>;
}

interface TestsslFinding {
  readonly id: string;
  readonly severity: string;
  readonly finding: string;
}

interface ToolRun {
  readonly ms: number;
  readonly killed: boolean;
  readonly code: number | null;
  readonly stdout: string;
}

const STARTTLS: Partial<Record<Scheme, 'smtp' | 'imap' | 'pop3'>> = { smtp: 'smtp', submission: 'smtp', imap: 'imap', pop3: 'pop3' };
const RANK: Record<string, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

function labPort(scheme: Scheme, pick: (lab: LabInfo) => { ip: string; port: number }): Case['start'] {
  return async ({ lab }) => ({ scheme, ...pick(lab), servername: lab.servername, caPath: lab.rootCaPath, stop: async () => undefined });
}

function postfixPort(scheme: Scheme, fault: PostfixFault | 'submission'): Case['start'] {
  return async (ctx) => {
    const p = await ctx.postfix();
    return { scheme, ip: p.host, port: p.ports[fault], servername: ctx.lab.servername, caPath: p.rootCaPath, stop: async () => undefined };
  };
}

function sandboxPort(scheme: PortName, fault: string): Case['start'] {
  return async () => {
    const sb = await startSandbox({ faults: [fault], caFile: true });
    return { scheme, ip: sb.host, port: sb.ports[scheme], servername: sb.servername, caPath: sb.caFile!, stop: () => sb.stop() };
  };
}

const PF = 'Postfix';
const DC = 'Dovecot';
const SB = 'sandbox';

const CASES: readonly Case[] = [
  { name: 'correct submission (STARTTLS)', server: PF, expected: null, testsslNames: null, start: postfixPort('submission', 'submission') },
  { name: 'correct IMAPS', server: DC, expected: null, testsslNames: null, start: labPort('imaps', (l) => ({ ip: l.hosts.imap, port: l.ports.imaps })) },
  {
    name: 'TLS on the STARTTLS port (wrappermode on 587)',
    server: PF,
    expected: 'port.tls-on-plaintext-port',
    testsslNames: /implicit|wrapper|instead of (a )?greeting|speaks TLS|TLS (first|directly)/i,
    start: postfixPort('submission', 'wrapperOn587'),
  },
  {
    name: 'plaintext on the implicit-TLS port (465 without wrappermode)',
    server: PF,
    expected: 'port.plaintext-on-implicit-tls-port',
    testsslNames: /plain ?text|clear ?text|greeting|banner|ESMTP|\b220\b|STARTTLS port/i,
    start: postfixPort('smtps', 'plainOn465'),
  },
  { name: 'port silent after connect', server: SB, expected: 'port.silent', testsslNames: /silent|no (greeting|banner)|timed? ?out/i, start: sandboxPort('submission', 'stall') },
  {
    name: 'STARTTLS not offered (security_level=none)',
    server: PF,
    expected: 'starttls.not-offered',
    // Without TLS a submission port offers no AUTH either (AUTH needs TLS).
    alsoExpected: ['auth.not-offered'],
    testsslNames: /STARTTLS.*not (offered|supported|advertised)|doesn't support STARTTLS|no STARTTLS/i,
    start: postfixPort('submission', 'noTls'),
  },
  { name: 'service unavailable (421 greeting)', server: SB, expected: 'port.service-unavailable', testsslNames: /\b421\b|unavailable|refus/i, start: sandboxPort('submission', 'service-unavailable') },
  { name: 'intermediate CA not sent', server: PF, expected: 'tls.chain.incomplete', testsslNames: /^cert_chain_of_trust\b.*(incomplete|issuer)/i, start: postfixPort('smtps', 'missingIntermediate') },
  { name: 'certificate expired', server: PF, expected: 'tls.cert.expired', testsslNames: /^cert_(expirationStatus|notAfter)\b/, start: postfixPort('smtps', 'expired') },
  { name: 'TLS 1.0/1.1 enabled (Postfix defaults)', server: PF, expected: 'tls.version.legacy', testsslNames: /^TLS1(_1)?\b/, start: postfixPort('smtps', 'legacyProtocols') },
  { name: 'AUTH offered before STARTTLS', server: PF, expected: 'auth.plaintext-before-tls', testsslNames: /\bAUTH\b|plain ?text (auth|login|password)|LOGIN/i, start: postfixPort('submission', 'authBeforeTls') },
  { name: 'certificate for another host', server: SB, expected: 'tls.cert.hostname-mismatch', testsslNames: /^cert_(trust|commonName|subjectAltName)\b/, start: sandboxPort('imaps', 'cert-wrong-host') },
  { name: 'self-signed certificate', server: SB, expected: 'tls.cert.self-signed', testsslNames: /^cert_chain_of_trust\b.*self.?signed/i, start: sandboxPort('pop3s', 'cert-self-signed') },
  { name: 'certificate expires in 5 days', server: SB, expected: 'tls.cert.expiring-soon', testsslNames: /^cert_(expirationStatus|notAfter)\b/, start: sandboxPort('submissions', 'cert-expiring-soon') },
  { name: 'RSA 1024-bit key', server: SB, expected: 'tls.cert.weak-key', testsslNames: /^cert_keySize\b/, start: sandboxPort('imaps', 'cert-weak-key') },
  { name: 'SHA-1 signed certificate', server: SB, expected: 'tls.cert.weak-signature', testsslNames: /^cert_signatureAlgorithm\b/, start: sandboxPort('submissions', 'cert-sha1') },
  { name: 'only TLS 1.0/1.1', server: SB, expected: 'tls.version.no-tls12', alsoExpected: ['tls.version.legacy'], testsslNames: /^TLS1_2\b.*not offered/, start: sandboxPort('imaps', 'tls-legacy-only') },
  { name: 'STARTTLS command injection', server: SB, expected: 'starttls.command-injection', testsslNames: /inject|buffer/i, start: sandboxPort('submission', 'starttls-injection') },
];

// ---------------------------------------------------------------------------------------------
// Child processes: each in its own process group, so a kill takes testssl's openssl children too.

const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function runTimed(cmd: string, args: readonly string[], capMs: number, env: NodeJS.ProcessEnv = process.env): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    const pid = child.pid;
    if (pid === undefined) {
      child.once('error', reject);
      return;
    }
    running.add(pid);
    let out = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (out.length < 4_000_000) out += chunk.toString('utf8');
    });
    child.stderr.on('data', () => undefined);
    const timer = setTimeout(() => {
      killed = true;
      killGroup(pid);
    }, capMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(pid);
      // A testssl run that ended leaves no openssl behind; one that was killed must not either.
      killGroup(pid);
      resolve({ ms: performance.now() - t0, killed, code, stdout: out });
    });
  });
}

function findTestssl(): string | undefined {
  const explicit = process.env['TESTSSL'];
  if (explicit !== undefined && explicit !== '') return existsSync(explicit) ? explicit : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    for (const name of ['testssl', 'testssl.sh']) if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// testssl: run and judge.

/** testssl's flat JSON; a run killed mid-way leaves the array unterminated. */
function parseTestsslJson(text: string): TestsslFinding[] {
  const tryParse = (t: string): TestsslFinding[] | undefined => {
    try {
      return JSON.parse(t) as TestsslFinding[];
    } catch {
      return undefined;
    }
  };
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return tryParse(trimmed) ?? tryParse(`${trimmed.replace(/,\s*$/, '')}\n]`) ?? tryParse(`${trimmed.replace(/,\s*$/, '')}\n}]`) ?? [];
}

const GENERIC_FAILURE = /STARTTLS handshake failed|doesn't seem to be a TLS\/SSL enabled server|couldn't connect|Can't connect|giving up|No server cerificate|No server certificate/i;

interface TestsslVerdict {
  /** yes: named the problem; generic: a failure without its cause; no: nothing about it. */
  readonly detected: 'yes' | 'generic' | 'no';
  readonly said: string;
  /** Findings of severity MEDIUM and above, short (for the correct ports: the false alarms). */
  readonly alarms: readonly string[];
}

function short(text: string, max = 70): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function judgeTestssl(c: Case, findings: readonly TestsslFinding[], stdout: string): TestsslVerdict {
  const rated = findings.filter((f) => (RANK[f.severity] ?? 0) >= 1);
  const alarms = findings.filter((f) => (RANK[f.severity] ?? 0) >= 2).map((f) => `${f.id} ${f.severity}: ${short(f.finding, 50)}`);
  if (c.testsslNames !== null) {
    const candidates = [...rated, ...findings.filter((f) => f.severity === 'WARN' || f.severity === 'FATAL')];
    const hit = candidates.find((f) => c.testsslNames!.test(`${f.id} ${f.finding}`));
    if (hit) return { detected: 'yes', said: `${hit.id} ${hit.severity}: ${short(hit.finding)}`, alarms };
  }
  const failure =
    findings.find((f) => (f.severity === 'WARN' || f.severity === 'FATAL') && GENERIC_FAILURE.test(f.finding)) ??
    findings.find((f) => f.severity === 'FATAL' || f.id === 'scanProblem');
  const line = stdout.split('\n').find((l) => GENERIC_FAILURE.test(l));
  if (failure !== undefined || line !== undefined) {
    // "127.0.0.1:2465 doesn't seem to be …": the address is in the table already.
    return { detected: 'generic', said: short((line ?? failure!.finding).replace(/^\s*\S+:\d+ /, '')), alarms };
  }
  return { detected: 'no', said: '', alarms };
}

async function runTestssl(bin: string, t: Target, dir: string, label: string, capMs: number, full = false): Promise<{ run: ToolRun; findings: TestsslFinding[] }> {
  const json = join(dir, `${label}.json`);
  await rm(json, { force: true });
  const proto = STARTTLS[t.scheme];
  const args = [
    '--quiet',
    '--warnings',
    'off',
    '--color',
    '0',
    // The names are the lab's (mail.test, sandbox.mailprobe.test): no DNS, connect to the IP.
    '--nodns',
    'none',
    '--ip',
    t.ip,
    '--add-ca',
    t.caPath,
    ...(full ? [] : ['--protocols', '--server-defaults']),
    '--jsonfile',
    json,
    ...(proto === undefined ? [] : ['--starttls', proto]),
    `${t.servername}:${t.port}`,
  ];
  const run = await runTimed(bin, args, capMs);
  const findings = parseTestsslJson(await readFile(json, 'utf8').catch(() => ''));
  return { run, findings };
}

// ---------------------------------------------------------------------------------------------
// mailprobe: run and judge.

interface MailprobeVerdict {
  readonly detected: boolean;
  /** The case's further expected findings that were reported. */
  readonly also: readonly string[];
  /** Findings above info other than the expected one. */
  readonly others: readonly string[];
  readonly error?: string;
}

async function runMailprobe(t: Target, capMs: number): Promise<{ run: ToolRun; report: Report | undefined }> {
  const url = `${t.scheme}://${t.ip}:${t.port}`;
  const run = await runTimed(process.execPath, [CLI, 'diagnose', url, '--servername', t.servername, '--ca', t.caPath, '--json', '-'], capMs);
  try {
    return { run, report: JSON.parse(run.stdout) as Report };
  } catch {
    return { run, report: undefined };
  }
}

function judgeMailprobe(c: Case, report: Report | undefined): MailprobeVerdict {
  if (report === undefined) return { detected: false, also: [], others: [], error: 'no JSON report' };
  const detected = c.expected !== null && report.findings.some((f) => f.id === c.expected);
  const wanted = new Set([c.expected, ...(c.alsoExpected ?? [])]);
  const also = report.findings.filter((f) => f.id !== c.expected && wanted.has(f.id)).map((f) => `\`${f.id}\``);
  const others = report.findings.filter((f) => !wanted.has(f.id) && f.severity !== 'info').map((f) => `${f.id} (${f.severity})`);
  return { detected, also, others };
}

// ---------------------------------------------------------------------------------------------

interface Row {
  readonly c: Case;
  readonly testssl?: { verdict: TestsslVerdict; run: ToolRun };
  readonly mailprobe?: { verdict: MailprobeVerdict; run: ToolRun };
  readonly skipped?: string;
}

function seconds(run: ToolRun, capMs: number): string {
  return run.killed ? `>${Math.round(capMs / 1000)} s (killed)` : `${(run.ms / 1000).toFixed(1)} s`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(rows: readonly Row[], capMs: number): string {
  const lines = [
    '| # | Case (server) | Expected finding | testssl.sh detected? (what it said) | mailprobe detected? | testssl.sh time | mailprobe time |',
    '|---|---------------|------------------|--------------------------------------|---------------------|-----------------|----------------|',
  ];
  rows.forEach((r, i) => {
    const expected = r.c.expected === null ? '— (correct port)' : `\`${r.c.expected}\``;
    let ts = r.skipped ?? '';
    let mp = r.skipped ?? '';
    if (r.testssl) {
      const v = r.testssl.verdict;
      if (r.c.expected === null) ts = v.alarms.length === 0 ? (v.detected === 'generic' ? `failed: ${v.said}` : 'no alarm') : `alarm: ${v.alarms.join('; ')}`;
      else ts = v.detected === 'yes' ? `**yes**: ${v.said}` : v.detected === 'generic' ? `generic: "${v.said}"` : 'no';
    }
    if (r.mailprobe) {
      const v = r.mailprobe.verdict;
      if (v.error !== undefined) mp = `error: ${v.error}`;
      else if (r.c.expected === null) mp = v.others.length === 0 ? 'no alarm' : `alarm: ${v.others.join(', ')}`;
      else mp = `${v.detected ? `**yes**: ${[`\`${r.c.expected}\``, ...v.also].join(' + ')}` : 'no'}${v.others.length > 0 ? ` (also ${v.others.join(', ')})` : ''}`;
    }
    const tt = r.testssl ? seconds(r.testssl.run, capMs) : '';
    const mt = r.mailprobe ? seconds(r.mailprobe.run, MAILPROBE_CAP_MS) : '';
    lines.push(`| ${i + 1} | ${cell(r.c.name)} (${r.c.server}) | ${expected} | ${cell(ts)} | ${cell(mp)} | ${tt} | ${mt} |`);
  });
  return lines.join('\n');
}

function totals(rows: readonly Row[]): string {
  const faults = rows.filter((r) => r.c.expected !== null && r.testssl && r.mailprobe);
  const count = (pred: (r: Row) => boolean): number => faults.filter(pred).length;
  const tsYes = count((r) => r.testssl!.verdict.detected === 'yes');
  const tsGeneric = count((r) => r.testssl!.verdict.detected === 'generic');
  const mpYes = count((r) => r.mailprobe!.verdict.detected);
  const sum = (pick: (r: Row) => ToolRun | undefined): number => rows.reduce((s, r) => s + (pick(r)?.ms ?? 0), 0) / 1000;
  return [
    `Faults: ${faults.length}. testssl.sh named ${tsYes}, reported a generic failure for ${tsGeneric}, nothing for ${faults.length - tsYes - tsGeneric}. mailprobe named ${mpYes}.`,
    `Time in all cases: testssl.sh ${sum((r) => r.testssl?.run).toFixed(0)} s, mailprobe ${sum((r) => r.mailprobe?.run).toFixed(0)} s.`,
  ].join('\n');
}

async function versions(testssl: string): Promise<{ testssl: string; openssl: string }> {
  const v = await runTimed(testssl, ['--version'], 30_000);
  const plain = v.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  return {
    testssl: /testssl\S*\s+([0-9][\w.+-]*)/.exec(plain)?.[1] ?? 'unknown',
    openssl: /Using "(OpenSSL [^ ]+)/.exec(plain)?.[1] ?? 'unknown',
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { case: { type: 'string', multiple: true }, full: { type: 'boolean', default: false } }, strict: true });
  const testssl = findTestssl();
  if (testssl === undefined) {
    console.error(INSTALL_HINT);
    return 2;
  }
  if (!existsSync(CLI)) {
    console.error(`compare:testssl: ${CLI} is missing; run npm run build first (npm run compare:testssl does).`);
    return 2;
  }
  const filters = values.case ?? [];
  const cases = filters.length === 0 ? CASES : CASES.filter((c) => filters.some((f) => `${c.name} ${c.expected ?? ''}`.toLowerCase().includes(f.toLowerCase())));
  const started = performance.now();
  const deadline = Date.now() + BUDGET_MS;
  const dir = await mkdtemp(join(tmpdir(), 'mailprobe-compare-'));
  const ver = await versions(testssl);

  let lab: Lab | undefined;
  let postfix: Promise<FaultyPostfix> | undefined;
  // The last word on the bound: whatever is still running when the budget (plus the one run that
  // may straddle it) is spent is killed, and the servers with it (test/lab's reaper on exit).
  const watchdog = setTimeout(() => {
    console.error('compare:testssl: over the time budget, stopping');
    process.exit(1);
  }, BUDGET_MS + CAP_MS + MAILPROBE_CAP_MS + 60_000);
  const rows: Row[] = [];
  try {
    console.error(`testssl.sh ${ver.testssl} (${testssl}, ${ver.openssl}); starting the lab…`);
    lab = await startLab();
    const info = lab.info;
    const ctx: Context = { lab: info, postfix: () => (postfix ??= startFaultyPostfix(info)) };
    for (const c of cases) {
      const left = deadline - Date.now();
      if (left < 30_000) {
        rows.push({ c, skipped: 'not run (time budget)' });
        continue;
      }
      const target = await c.start(ctx);
      try {
        const label = `case-${rows.length + 1}`;
        console.error(`[${rows.length + 1}/${cases.length}] ${c.name}: testssl.sh…`);
        const cap = Math.min(CAP_MS, left);
        const ts = await runTestssl(testssl, target, dir, label, cap);
        console.error(`[${rows.length + 1}/${cases.length}] ${c.name}: mailprobe… (testssl ${seconds(ts.run, cap)})`);
        const mp = await runMailprobe(target, MAILPROBE_CAP_MS);
        rows.push({
          c,
          testssl: { verdict: judgeTestssl(c, ts.findings, ts.run.stdout), run: ts.run },
          mailprobe: { verdict: judgeMailprobe(c, mp.report), run: mp.run },
        });
        if (process.env['COMPARE_DEBUG']) {
          await writeFile(join(tmpdir(), `compare-${label}.txt`), `${ts.run.stdout}\n${JSON.stringify(ts.findings, null, 1)}\n${mp.run.stdout}`);
        }
      } finally {
        await target.stop();
      }
    }
    let fullLine = '';
    if (values.full && deadline - Date.now() > 30_000) {
      const target = await CASES[0]!.start(ctx);
      const cap = Math.min(CAP_MS * 3, deadline - Date.now());
      console.error(`testssl.sh default run (all checks) on ${CASES[0]!.name}…`);
      const full = await runTestssl(testssl, target, dir, 'full', cap, true);
      fullLine = `\ntestssl.sh with its default checks (no --protocols --server-defaults) on case 1: ${seconds(full.run, cap)}.`;
    }
    const totalS = (performance.now() - started) / 1000;
    const cpu = cpus();
    console.log(
      [
        `Run ${new Date().toISOString().slice(0, 10)} on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Linux ${release()}; ` +
          `testssl.sh ${ver.testssl} (${ver.openssl}), Postfix ${info.versions.postfix}, Dovecot ${info.versions.dovecot}, Node ${process.version}, mailprobe from dist/.`,
        '',
        table(rows, CAP_MS),
        '',
        totals(rows) + fullLine,
        `Whole script: ${totalS.toFixed(0)} s.`,
      ].join('\n'),
    );
    return 0;
  } finally {
    clearTimeout(watchdog);
    if (postfix) await (await postfix.catch(() => undefined))?.stop();
    await lab?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
