/**
 * What `check` and `run` share once they know which checks to run against which targets: live
 * console lines, the report in every requested format, interruption, and the exit code.
 */
import { performance } from 'node:perf_hooks';
import { isMailprobeError } from '../drivers/errors.js';
import type { Target } from '../drivers/target.js';
import { buildReport } from '../engine/build-report.js';
import type { CheckResult, CheckStatus } from '../engine/report-types.js';
import type { RunnableCheck } from '../engine/runner/run-check.js';
import { runChecks } from '../engine/runner/run-checks.js';
import { renderCheckLine, renderConsole, shouldColor } from '../reports/index.js';
import { MailprobeError } from '../drivers/errors.js';
import { parseChoice, parsePositiveInt } from './args.js';
import { CONNECTION_OPTIONS, resolveConnection, type ConnectionSettings, type ConnectionValues } from './connection-options.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { checkOutputPaths, jsonToStdout, OUTPUT_OPTIONS, writeReportFiles, type OutputPaths } from './report-files.js';
import { toolVersion } from './version.js';

/** Options `check` and `run` share beyond the connection ones. */
export const CHECK_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...OUTPUT_OPTIONS,
  rcpt: { type: 'string' },
  mailbox: { type: 'string' },
  concurrency: { type: 'string' },
  'fail-on': { type: 'string' },
  keep: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type CheckValues = ConnectionValues & {
  json?: string | undefined;
  junit?: string | undefined;
  md?: string | undefined;
  html?: string | undefined;
  rcpt?: string | undefined;
  mailbox?: string | undefined;
  concurrency?: string | undefined;
  'fail-on'?: string | undefined;
  keep?: boolean | undefined;
  verbose?: boolean | undefined;
};

/** Validate the shared options (output paths first, so a typo costs nothing). */
export async function resolveCheckOptions(values: CheckValues, io: CliIo): Promise<Omit<CheckExecution, 'command' | 'targets' | 'checks'>> {
  const rcpt = values.rcpt;
  if (rcpt !== undefined && !/^[^@\s]+@[^@\s]+$/.test(rcpt)) throw new MailprobeError('ECONFIG', `--rcpt "${rcpt}" is not an address like user@example.org`);
  const failOn = values['fail-on'] === undefined ? 'fail' : parseChoice('--fail-on', values['fail-on'], ['fail', 'warn'] as const);
  const outputs = { json: values.json, junit: values.junit, md: values.md, html: values.html };
  await checkOutputPaths(outputs);
  return {
    connection: await resolveConnection(values, io, { timeoutMs: 10_000, starttls: 'optional' }),
    rcpt,
    mailbox: values.mailbox ?? 'INBOX',
    concurrency: values.concurrency === undefined ? 4 : parsePositiveInt('--concurrency', values.concurrency, 64),
    outputs,
    failOnWarn: failOn === 'warn',
    keep: values.keep === true,
    verbose: values.verbose === true,
  };
}

export interface CheckExecution {
  readonly command: 'check' | 'run';
  readonly targets: readonly Target[];
  readonly checks: readonly RunnableCheck[];
  readonly connection: ConnectionSettings;
  readonly rcpt: string | undefined;
  readonly mailbox: string;
  readonly concurrency: number;
  readonly outputs: OutputPaths;
  /** Exit 1 on `warn` too (`--fail-on warn`), not only on `fail`. */
  readonly failOnWarn: boolean;
  /** `--keep`: leave what checks create (test mailboxes, messages); cleanup steps are skipped. */
  readonly keep: boolean;
  readonly verbose: boolean;
  /** Checks that span targets (the interop suite), run after the per-target ones. */
  readonly crossTarget?: () => Promise<CheckResult[]>;
}

export async function executeChecks(x: CheckExecution, io: CliIo): Promise<number> {
  const consoleOut = jsonToStdout(x.outputs) ? io.stderr : io.stdout;
  const color = shouldColor(consoleOut, io.env);
  const startedAt = new Date();
  const t0 = performance.now();
  const done: CheckResult[] = [];
  let partial = false;
  let output: Awaited<ReturnType<typeof runChecks>> | undefined;
  try {
    output = await runChecks({
      targets: x.targets,
      checks: x.checks,
      tls: x.connection.tls,
      starttls: x.connection.starttls,
      timeouts: x.connection.timeouts,
      stepTimeoutMs: x.connection.stepTimeoutMs,
      fixtures: { credentials: x.connection.credentials, rcpt: x.rcpt, mailbox: x.mailbox, clientName: 'mailprobe.invalid', keep: x.keep },
      signal: io.signal,
      concurrency: x.concurrency,
      onResult: (r) => {
        done.push(r);
        consoleOut.write(`${renderCheckLine(r, { color })}\n`);
      },
    });
    if (x.crossTarget && !io.signal?.aborted) {
      for (const r of await x.crossTarget()) {
        output.checks.push(r);
        consoleOut.write(`${renderCheckLine(r, { color })}\n`);
      }
    }
  } catch (err) {
    if (!isMailprobeError(err, 'EABORTED')) throw err;
    partial = true;
  }
  const report = buildReport({
    command: x.command,
    version: toolVersion(),
    startedAt,
    durationMs: performance.now() - t0,
    targets: x.targets.map((t) => t.url),
    server: output?.server ?? {},
    checks: output?.checks ?? done,
    partial,
    insecure: x.connection.tls.insecure === true,
  });
  consoleOut.write(renderConsole(report, { color, verbose: x.verbose, lines: false }));
  const code = partial
    ? EXIT.INTERRUPTED
    : output && output.unreachable.length === x.targets.length && x.targets.length > 0
      ? EXIT.UNREACHABLE
      : exitFor(report.checks.map((c) => c.status), x.failOnWarn);
  await writeReportFiles(report, x.outputs, io, { exitCode: code });
  return code;
}

function exitFor(statuses: readonly CheckStatus[], failOnWarn: boolean): number {
  const bad = statuses.some((s) => s === 'fail' || s === 'error' || (failOnWarn && s === 'warn'));
  return bad ? EXIT.FAILED : EXIT.OK;
}
