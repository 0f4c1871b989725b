/**
 * `mailprobe demo [--fault NAME]… [--out DIR] [--bench-duration 10s]`: mailprobe's whole job
 * on a fresh machine with no mail server: the embedded sandbox on free loopback ports, then
 * check (the smtp, imap, pop3 and interop suites; not the opt-in security suite), diagnose, and
 * a short bench per protocol.
 * Each job runs through its own command, so the demo shows exactly what users get.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MailprobeError } from '../../drivers/errors.js';
import type { Report } from '../../engine/report-types.js';
import { FAULT_PROFILES, startSandbox } from '../../sandbox/index.js';
import { parseDuration, splitList } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { buildDemoReport } from '../demo-report.js';
import { demoSmtpRate } from '../demo-load.js';
import { renderDemoSummary } from '../demo-summary.js';

export const usage = `Usage: mailprobe demo [options]

Starts the embedded sandbox (SMTP, IMAP and POP3 on free loopback ports), then runs check
with the smtp, imap, pop3 and interop suites (the security suite is opt-in: run
mailprobe check --suite security against the sandbox for it), diagnose, and a short bench per
protocol against it (SMTP as an open loop at a fixed rate, at most 200 messages a second, so a
run stays well inside the sandbox's mailbox limit), and writes the reports to a folder: report.html, report.json, junit.xml
(a testcase per check and per diagnose finding), summary.md and each job's own JSON.

Options:
  --fault NAME          start the sandbox with a misconfiguration (repeatable; see
                        "mailprobe sandbox --fault list") to see a failing run
  --out DIR             where the reports go (default ./mailprobe-report)
  --bench-duration D    length of each bench run (default 10s)
  --skip-bench          leave the bench runs out
`;

interface Job {
  readonly name: string;
  readonly argv: readonly string[];
  readonly json: string;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      fault: { type: 'string', multiple: true },
      out: { type: 'string' },
      'bench-duration': { type: 'string' },
      'skip-bench': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.OK;
  }
  const faults = splitList(values.fault);
  const known = new Set<string>(FAULT_PROFILES.map((f) => f.id));
  const unknown = faults.find((f) => !known.has(f));
  if (unknown) throw new MailprobeError('ECONFIG', `--fault "${unknown}" is not a fault profile; see mailprobe sandbox --fault list`);
  const benchMs = values['bench-duration'] === undefined ? 10_000 : parseDuration('--bench-duration', values['bench-duration']);
  const out = resolve(values.out ?? 'mailprobe-report');
  await mkdir(out, { recursive: true }).catch((err: unknown) => {
    throw new MailprobeError('ECONFIG', `--out ${out}: cannot create (${(err as { code?: string }).code ?? String(err)})`);
  });

  const say = (text: string): void => void io.stdout.write(`${text}\n`);
  const sb = await startSandbox({ faults, caFile: join(out, 'sandbox-ca.pem') });
  try {
    const [sender, receiver] = [sb.users[0]!, sb.users[1] ?? sb.users[0]!];
    say(`mailprobe demo: sandbox on ${sb.host} (${Object.values(sb.urls).join(' ')})${faults.length > 0 ? `, faults: ${faults.join(', ')}` : ''}`);
    const trust = ['--ca', join(out, 'sandbox-ca.pem'), '--servername', sb.servername];
    const login = ['--user', sender.address];
    const warmupMs = Math.min(1000, Math.floor(benchMs / 5));
    const benchTime = ['--duration', `${benchMs}ms`, '--warmup', `${warmupMs}ms`];
    const jobs: Job[] = [
      {
        name: 'check',
        json: 'check.json',
        argv: ['check', ...Object.values(sb.urls), '--suite', 'smtp,imap,pop3,interop', ...login, '--rcpt', sender.address, ...trust, '--timeout', '5s'],
      },
      { name: 'diagnose', json: 'diagnose.json', argv: ['diagnose', ...Object.values(sb.urls), ...trust, ...login, '--timeout', '3s'] },
    ];
    if (!values['skip-bench']) {
      jobs.push(
        {
          name: 'bench smtp-send',
          json: 'bench-smtp.json',
          argv: ['bench', sb.urls.smtp, '--scenario', 'smtp-send', '--rate', `${demoSmtpRate(benchMs + warmupMs)}/s`, '--concurrency', '4', '--messages-per-session', '20', '--rcpt', receiver.address, ...benchTime, ...trust],
        },
        { name: 'bench imap-session', json: 'bench-imap.json', argv: ['bench', sb.urls.imaps, '--scenario', 'imap-session', '--concurrency', '4', ...login, ...benchTime, ...trust] },
        { name: 'bench pop3-session', json: 'bench-pop3.json', argv: ['bench', sb.urls.pop3s, '--scenario', 'pop3-session', '--concurrency', '4', ...login, ...benchTime, ...trust] },
      );
    }
    const env = { ...io.env, MAILPROBE_PASSWORD: sender.password, NO_COLOR: '1' };
    const reports: Report[] = [];
    const codes: number[] = [];
    for (const job of jobs) {
      if (io.signal?.aborted) break;
      say(`  ${job.name} …`);
      const { main } = await import('../main.js');
      // Each job's own console output is long; the demo shows the summary and keeps the files.
      const quiet = { stdout: { write: () => true }, stderr: { write: () => true }, env, ...(io.signal ? { signal: io.signal } : {}) };
      const code = await main([...job.argv, '--json', join(out, job.json)], quiet);
      codes.push(code);
      const report = await readReport(join(out, job.json));
      if (report) reports.push(report);
      else say(`    (no report: exit code ${code})`);
    }
    // Without a fault the sandbox is correct: anything but 0 from a job is worth a non-zero exit.
    // Decided before the files are written: the HTML report's header states it.
    const exitCode = io.signal?.aborted ? EXIT.INTERRUPTED : codes.every((c) => c === EXIT.OK) ? EXIT.OK : EXIT.FAILED;
    const combined = buildDemoReport(reports);
    await writeFile(join(out, 'report.json'), `${JSON.stringify(combined, null, 2)}\n`);
    const { renderHtml, renderJunit, renderMarkdown } = await import('../../reports/index.js');
    // One JUnit file for CI: a testcase per check (as check --junit) and per diagnose finding (as
    // diagnose --junit), from the combined report.
    await writeFile(join(out, 'junit.xml'), renderJunit(combined));
    await writeFile(join(out, 'summary.md'), reports.map((r) => renderMarkdown(r)).join('\n---\n\n'));
    await writeFile(join(out, 'report.html'), renderHtml(combined, { exitCode }));
    io.stdout.write(renderDemoSummary(reports, out, true));
    return exitCode;
  } finally {
    await sb.stop();
  }
}

async function readReport(path: string): Promise<Report | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Report;
  } catch {
    return undefined;
  }
}
