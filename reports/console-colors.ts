/**
 * Colour for the console report: whether to use it (shouldColor) and which colour each verdict
 * and severity gets. Chalk instances are made here with an explicit level; chalk's global
 * instance guesses from process.stdout and the environment, which would override the caller.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { CheckStatus, Severity } from '../engine/report-types.js';

/**
 * Whether to colour output written to `stream`: only on a TTY, and not when NO_COLOR is set to
 * anything non-empty (https://no-color.org) or FORCE_COLOR is `0`/`false` (chalk's off values).
 * FORCE_COLOR does not turn colour on for a pipe: a file or CI log gets plain text.
 */
export function shouldColor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (stream.isTTY !== true) return false;
  if ((env['NO_COLOR'] ?? '') !== '') return false;
  const force = env['FORCE_COLOR'];
  return force !== '0' && force !== 'false';
}

const PLAIN = new Chalk({ level: 0 });
// Level 1 (16 colours) is understood by every colour terminal and CI log viewer.
const COLOURED = new Chalk({ level: 1 });

/** The chalk to paint with: level 0 leaves every string untouched. */
export function chalkFor(color: boolean): ChalkInstance {
  return color ? COLOURED : PLAIN;
}

/** A check verdict in its colour. */
export function paintStatus(chalk: ChalkInstance, status: CheckStatus, text: string): string {
  switch (status) {
    case 'pass':
      return chalk.green(text);
    case 'fail':
      return chalk.red(text);
    case 'warn':
      return chalk.yellow(text);
    case 'skip':
      return chalk.gray(text);
    case 'inconclusive':
      return chalk.magenta(text);
    case 'error':
      return chalk.bold.red(text);
  }
}

/** A finding severity in its colour. */
export function paintSeverity(chalk: ChalkInstance, severity: Severity, text: string): string {
  switch (severity) {
    case 'critical':
      return chalk.bold.red(text);
    case 'high':
      return chalk.red(text);
    case 'medium':
      return chalk.yellow(text);
    case 'low':
      return chalk.cyan(text);
    case 'info':
      return chalk.gray(text);
  }
}
