/**
 * `mailprobe check URL... [--suite smtp,imap,pop3] [--only ID,...] [--skip ID,...] …`: the
 * built-in conformance suites against each target, one verdict per RFC requirement.
 */
import { parseArgs } from 'node:util';
import { MailprobeError } from '../../drivers/errors.js';
import { parseTarget } from '../../drivers/target.js';
import { checkMeta } from '../../engine/runner/run-check.js';
import { runInterop } from '../../suites/interop/round-trip.js';
import { BUILTIN_SUITES, builtinChecks, OPT_IN_SUITES, type SuiteName } from '../../suites/index.js';
import { idMatcher, parseChoice, splitList } from '../args.js';
import { CHECK_OPTIONS, executeChecks, resolveCheckOptions } from '../execute-checks.js';
import type { CliIo } from '../io.js';

export const usage = `Usage: mailprobe check URL... [options]

Runs the built-in conformance suites (one verdict per RFC requirement) against each target.

Options:
  --suite LIST          smtp, imap, pop3, security, interop (default: the protocols of the
                        targets; security opens mail transactions and fails logins on purpose,
                        see docs/security-probes.md; interop submits with nodemailer and reads
                        back with imapflow/POP3)
  --only IDS            run only these check ids (comma-separated, * wildcards)
  --skip IDS            leave these check ids out
  --user USER           login for checks that need one; the password comes from
                        $MAILPROBE_PASSWORD, --password-env VAR or --password-file FILE
  --rcpt ADDRESS        a local recipient on the target's own domain (for checks that send)
  --mailbox NAME        mailbox for IMAP checks that select one (default INBOX)
  --servername NAME     SNI and the name the certificate must match
  --ca FILE             extra trusted CA certificates (PEM)
  --insecure            do not verify certificates (said in every report)
  --starttls MODE       required | optional (default) | never
  --timeout DURATION    deadline per step and per connection phase (default 10s)
  --concurrency N       connections in flight per target (default 4)
  --fail-on LEVEL       fail (default) | warn: the lowest verdict that makes exit code 1
  --keep                leave what checks create (test mailboxes, the interop message) instead
                        of deleting it afterwards, e.g. to look at it on the server
  --json FILE|-         JSON report (- for stdout)
  --junit FILE          JUnit XML report
  --md FILE             Markdown summary (e.g. $GITHUB_STEP_SUMMARY)
  --html FILE           self-contained HTML report (no network needed to view it)
  --verbose             show transcripts of every non-passing check
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      ...CHECK_OPTIONS,
      suite: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  if (positionals.length === 0) throw new MailprobeError('ECONFIG', 'check needs at least one target URL, e.g. mailprobe check smtp://mail.example.org');
  const targets = positionals.map(parseTarget);
  const chosen = values.suite === undefined ? undefined : splitList(values.suite).map((s) => parseChoice('--suite', s, [...BUILTIN_SUITES, ...OPT_IN_SUITES, 'interop'] as const));
  const suites: SuiteName[] =
    chosen === undefined ? BUILTIN_SUITES.filter((s) => targets.some((t) => t.protocol === s)) : chosen.filter((s): s is SuiteName => s !== 'interop');
  const interop = chosen?.includes('interop') ?? false;
  const smtpTarget = targets.find((t) => t.protocol === 'smtp' && t.role === 'submission') ?? targets.find((t) => t.protocol === 'smtp');
  if (interop && (!smtpTarget || !targets.some((t) => t.protocol === 'imap' || t.protocol === 'pop3'))) {
    throw new MailprobeError('ECONFIG', '--suite interop needs an SMTP target to submit to and an IMAP or POP3 target to read from, e.g. submission://mx:587 imaps://mx');
  }
  const only = splitList(values.only);
  const skip = splitList(values.skip);
  const shared = await resolveCheckOptions(values, io);
  const { connection, rcpt } = shared;

  const isOnly = only.length > 0 ? idMatcher(only) : () => true;
  const isSkipped = idMatcher(skip);
  const checks = (await builtinChecks(suites)).filter((c) => isOnly(checkMeta(c).id) && !isSkipped(checkMeta(c).id));
  if (only.length > 0 && checks.length === 0) throw new MailprobeError('ECONFIG', `--only ${only.join(',')} matches no check; see mailprobe list`);
  const runnable = checks.filter((c) => targets.some((t) => t.protocol === c.protocol));
  if (runnable.length === 0 && !interop) {
    throw new MailprobeError('ECONFIG', `no check to run: the selected suites (${suites.join(', ') || 'none'}) do not match the targets' protocols (${[...new Set(targets.map((t) => t.protocol))].join(', ')})`);
  }

  return executeChecks(
    {
      command: 'check',
      targets,
      checks,
      ...shared,
      ...(interop && smtpTarget
        ? {
            crossTarget: () =>
              runInterop({
                smtp: smtpTarget,
                imap: targets.find((t) => t.protocol === 'imap'),
                pop3: targets.find((t) => t.protocol === 'pop3'),
                tls: connection.tls,
                credentials: connection.credentials,
                rcpt,
                timeoutMs: connection.stepTimeoutMs,
                keep: shared.keep,
              }),
          }
        : {}),
    },
    io,
  );
}
