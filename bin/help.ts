import { ERROR_CODES } from '../drivers/errors.js';
import { COMMANDS } from './commands/index.js';
import { EXIT } from './exit-codes.js';

/** The top-level --help text; the error and exit code tables come from their definitions. */
export function usage(version: string): string {
  const codes = Object.entries(ERROR_CODES)
    .map(([code, text]) => `  ${code.padEnd(20)} ${text}`)
    .join('\n');
  const commands = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
    .join('\n');
  return `mailprobe ${version}: check, diagnose and benchmark SMTP, IMAP and POP3 servers

Usage:
  mailprobe COMMAND [options]     ("mailprobe help COMMAND" or "COMMAND --help" for its options)
  mailprobe --version

Commands:
${commands}

Targets are URLs: smtp://host[:25], submission://host[:587], smtps:// or submissions://host[:465],
imap://host[:143], imaps://host[:993], pop3://host[:110], pop3s://host[:995]; IPv6 as [::1].

Passwords never go on the command line: --user U with $MAILPROBE_PASSWORD (or --password-env
VAR, --password-file FILE). The wire drivers are a library too:
import { connectSmtp, connectImap, connectPop3 } from 'mailprobe'.

Exit codes:
  ${EXIT.OK}    all good
  ${EXIT.FAILED}    a check failed or a finding at or above --fail-on
  ${EXIT.USAGE}    bad usage, config or suite file
  ${EXIT.THRESHOLD}    a bench threshold was crossed
  ${EXIT.UNREACHABLE}    target unreachable
  ${EXIT.INTERRUPTED}  interrupted

Error codes:
${codes}
`;
}
