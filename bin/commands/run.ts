/** `mailprobe run FILE.yaml URL...`: a user's own scripted conversation (docs/suites.md). */
import { parseArgs } from 'node:util';
import { MailprobeError } from '../../drivers/errors.js';
import { parseTarget } from '../../drivers/target.js';
import { loadSuiteFile } from '../../engine/suite/loader.js';
import { CHECK_OPTIONS, executeChecks, resolveCheckOptions } from '../execute-checks.js';
import type { CliIo } from '../io.js';

export const usage = `Usage: mailprobe run FILE.yaml URL... [options]

Runs the checks of a suite file (format: docs/suites.md) against each target of its protocol.
Options are those of "mailprobe check" (--user, --rcpt, --ca, --servername, --insecure,
--starttls, --timeout, --concurrency, --fail-on, --keep, --json, --junit, --md, --html,
--verbose). --keep skips the suite's cleanup steps, leaving what its checks created.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: CHECK_OPTIONS });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const [file, ...urls] = positionals;
  if (file === undefined || urls.length === 0) throw new MailprobeError('ECONFIG', 'run needs a suite file and at least one target URL: mailprobe run FILE.yaml URL');
  const suite = await loadSuiteFile(file);
  const targets = urls.map(parseTarget);
  const wrong = targets.find((t) => t.protocol !== suite.protocol);
  if (wrong) throw new MailprobeError('ECONFIG', `${file} is a ${suite.protocol} suite but ${wrong.url} is a ${wrong.protocol} target`);
  const shared = await resolveCheckOptions(values, io);
  return executeChecks({ command: 'run', targets, checks: suite.checks, ...shared }, io);
}
