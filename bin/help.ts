import { ERROR_CODES } from '../drivers/errors.js';
import { EXIT } from './exit-codes.js';

/** The top-level --help text; the error and exit code tables come from their definitions. */
export function usage(version: string): string {
  const codes = Object.entries(ERROR_CODES)
    .map(([code, text]) => `  ${code.padEnd(20)} ${text}`)
    .join('\n');
  return `mailprobe ${version}: check, diagnose and benchmark SMTP, IMAP and POP3 servers

Usage:
  mailprobe --version
  mailprobe --help

Targets are URLs: smtp://host[:25], submission://host[:587], smtps:// or submissions://host[:465],
imap://host[:143], imaps://host[:993], pop3://host[:110], pop3s://host[:995]; IPv6 as [::1].

Commands (check, diagnose, bench, run, demo, sandbox, merge) are being built; today the
wire drivers are usable as a library: import { connectSmtp, connectImap, connectPop3 } from 'mailprobe'.

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
