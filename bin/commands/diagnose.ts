/**
 * `mailprobe diagnose HOST [--ports …]` or `mailprobe diagnose URL…`: what each port really
 * speaks and what is wrong with its TLS, certificate and authentication, with the fix.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMailprobeError, MailprobeError } from '../../drivers/errors.js';
import { buildReport } from '../../engine/build-report.js';
import { diagnose, endpointsFor, endpointUrl, parsePortList, type DiagnoseResult } from '../../engine/diagnose/index.js';
import { SEVERITIES, type Severity } from '../../engine/report-types.js';
import { renderConsole, shouldColor } from '../../reports/index.js';
import { atOrAbove, DEFAULT_FAIL_ON } from '../../reports/severity.js';
import { parseChoice, splitList } from '../args.js';
import { CONNECTION_OPTIONS, resolveConnection } from '../connection-options.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { checkOutputPaths, jsonToStdout, OUTPUT_OPTIONS, writeReportFiles } from '../report-files.js';
import { toolVersion } from '../version.js';

export const usage = `Usage: mailprobe diagnose HOST [options]
       mailprobe diagnose URL... [options]

Finds what each port really speaks (plaintext, STARTTLS, implicit TLS, another protocol,
nothing) and what is wrong with its TLS, certificate and authentication, and says how to fix
it. HOST gets the mail ports 25, 465, 587, 143, 993, 110 and 995; a URL probes one port in the
role its scheme states (submission://mail.example.org:2587, smtps://…, imap://…, pop3s://…).

Options:
  --ports LIST          ports for HOST, e.g. 25,587 or 2587=submission to name a role
  --servername NAME     SNI and the name the certificate must match (default: HOST)
  --ca FILE             extra trusted CA certificates (PEM): your private CA is not "untrusted"
  --insecure            report trust and name problems as info only
  --timeout DURATION    deadline per step and per connection phase (default 5s); a port that
                        stays silent is known to be silent after about this long
  --user USER           with a password ($MAILPROBE_PASSWORD, --password-env VAR or
                        --password-file FILE): where a port offers login before TLS, diagnose
                        TRIES it over the cleartext connection, to prove whether passwords are
                        accepted unencrypted (finding auth.plaintext-accepted)
  --probes              also the security probes that open mail transactions or fail logins
                        on purpose: open relay (RCPT to example.com, never DATA), VRFY/EXPN,
                        RCPT enumeration, SMTP smuggling (messages to --rcpt only) and login
                        throttling (5 failed logins with a made-up user per login port);
                        what each sends: docs/security-probes.md
  --rcpt ADDRESS        with --probes: a local recipient on the target's own domain; the
                        smuggling probe mails it (about 8 short messages per SMTP port)
  --fail-on SEVERITY    critical | high (default) | medium | low | info: the lowest severity
                        of a finding that makes exit code 1
  --json FILE|-         JSON report (- for stdout)
  --junit FILE          JUnit XML report (one testcase per finding)
  --md FILE             Markdown summary (e.g. $GITHUB_STEP_SUMMARY)

Exit codes: 0 no finding at or above --fail-on, 1 there is one, 2 bad usage, 4 nothing
reachable, 130 interrupted. Finding ids and fixes: docs/diagnose.md.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      ...CONNECTION_OPTIONS,
      ...OUTPUT_OPTIONS,
      ports: { type: 'string', multiple: true },
      probes: { type: 'boolean' },
      rcpt: { type: 'string' },
      'fail-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.OK;
  }
  if (values.starttls !== undefined) {
    throw new MailprobeError('ECONFIG', '--starttls does not apply to diagnose: it tries STARTTLS wherever it is offered');
  }
  const rcpt = values.rcpt;
  if (rcpt !== undefined && values.probes !== true) throw new MailprobeError('ECONFIG', '--rcpt is for --probes (the smuggling and RCPT probes mail it); add --probes');
  if (rcpt !== undefined && !/^[^@\s<>]+@[^@\s<>]+$/.test(rcpt)) throw new MailprobeError('ECONFIG', `--rcpt "${rcpt}" is not an address like user@example.org`);
  const probes = values.probes === true ? { rcpt } : undefined;
  const ports = values.ports === undefined ? undefined : parsePortList(splitList(values.ports));
  const endpoints = endpointsFor(positionals, ports);
  const failOn: Severity = values['fail-on'] === undefined ? DEFAULT_FAIL_ON : parseChoice('--fail-on', values['fail-on'], SEVERITIES);
  const outputs = { json: values.json, junit: values.junit, md: values.md };
  await checkOutputPaths(outputs);
  const connection = await resolveConnection(values, io, { timeoutMs: 5_000, starttls: 'optional' });
  const consoleOut = jsonToStdout(outputs) ? io.stderr : io.stdout;
  if (connection.credentials) {
    consoleOut.write(`note: --user ${connection.credentials.user}: a login will be attempted over cleartext wherever a port offers it before TLS\n`);
  }
  if (probes !== undefined) {
    consoleOut.write(
      `note: --probes: mail transactions are opened (relay test to example.com, stopped before DATA) and 5 failed logins with a made-up user are tried per login port${
        probes.rcpt === undefined ? '; without --rcpt the SMTP smuggling and RCPT probes are skipped' : `; SMTP smuggling probe messages go to ${probes.rcpt}`
      }\n`,
    );
  }

  const startedAt = new Date();
  const t0 = performance.now();
  let result: DiagnoseResult;
  try {
    result = await diagnose({
      endpoints,
      settings: {
        tls: connection.tls,
        timeoutMs: connection.stepTimeoutMs,
        timeouts: connection.timeouts,
        credentials: connection.credentials,
        ...(probes ? { probes } : {}),
        signal: io.signal,
        now: () => new Date(),
        clientName: 'mailprobe.invalid',
      },
    });
  } catch (err) {
    if (isMailprobeError(err, 'EDNS')) {
      io.stderr.write(`mailprobe: ${err.message}\n`);
      return EXIT.UNREACHABLE;
    }
    if (!isMailprobeError(err, 'EABORTED')) throw err;
    result = { ports: [], findings: [], server: {}, reachable: false, partial: true };
  }
  const report = buildReport({
    command: 'diagnose',
    version: toolVersion(),
    startedAt,
    durationMs: performance.now() - t0,
    targets: endpoints.map(endpointUrl),
    server: result.server,
    checks: [],
    findings: result.findings,
    ports: result.ports,
    partial: result.partial,
    insecure: connection.tls.insecure === true,
  });
  consoleOut.write(renderConsole(report, { color: shouldColor(consoleOut, io.env) }));
  await writeReportFiles(report, outputs, io, { failOn });
  if (result.partial) return EXIT.INTERRUPTED;
  if (!result.reachable) return EXIT.UNREACHABLE;
  return report.findings.some((f) => atOrAbove(f.severity, failOn)) ? EXIT.FAILED : EXIT.OK;
}
