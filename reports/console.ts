/**
 * The console report (the default output): one line per check, the why and the end of the
 * conversation under each failure, findings, and a summary line. Only verdicts are coloured
 * (console-colors.ts, and only when the caller says so); everything a server or a suite file
 * supplied goes through escapeUnprintable so it cannot move the cursor or change colours.
 */
import { renderPortMatrix } from './diagnose-console.js';
import type { ChalkInstance } from 'chalk';
import type { CheckResult, CheckStatus, Finding, Report } from '../engine/report-types.js';
import { chalkFor, paintSeverity, paintStatus } from './console-colors.js';
import { humanDuration } from './duration.js';
import { escapeUnprintable } from './escape.js';
import { bySeverity } from './severity.js';
import { transcriptLines, transcriptTail } from './transcript-text.js';

/** Options of {@link renderConsole}. */
export interface ConsoleOptions {
  /** ANSI colours on the verdicts; decide with {@link shouldColor}. */
  readonly color: boolean;
  /** Whole transcripts (not the last 8 lines) under every non-pass check, and why checks were skipped. */
  readonly verbose?: boolean;
  /**
   * One line per check (default true). False when the lines were already printed live with
   * renderCheckLine: then only checks with something to explain (failures, warnings,
   * inconclusive) are repeated, each with its details.
   */
  readonly lines?: boolean;
}

/** Options of {@link renderCheckLine}. */
export interface CheckLineOptions {
  readonly color: boolean;
  /** Pad the id and ref columns to these widths so consecutive lines align. */
  readonly idWidth?: number;
  readonly refWidth?: number;
}

/** Transcript lines shown under a failure when not verbose: where it went wrong is at the end. */
const TAIL_LINES = 8;
const INDENT = '      ';
/** Column widths stop growing here so one long id does not push every title off screen. */
const MAX_ID_WIDTH = 48;
const MAX_REF_WIDTH = 24;

const LABELS: Readonly<Record<CheckStatus, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  inconclusive: 'INCON',
  error: 'ERROR',
};
const LABEL_WIDTH = 6;

/**
 * One check as one line, for live progress as checks finish:
 * `PASS  smtp.ehlo.multiline-format  RFC 5321 §4.1.1.1  title`.
 */
export function renderCheckLine(result: CheckResult, options: CheckLineOptions): string {
  const label = LABELS[result.status];
  const id = escapeUnprintable(result.id).padEnd(options.idWidth ?? 0);
  const ref = escapeUnprintable(result.ref).padEnd(options.refWidth ?? 0);
  const status = paintStatus(chalkFor(options.color), result.status, label) + ' '.repeat(LABEL_WIDTH - label.length);
  return `${status}${id}  ${ref}  ${escapeUnprintable(result.title)}`.trimEnd();
}

/** The indented lines under a check: the message, the requirement and the transcript tail. */
function checkDetail(c: CheckResult, verbose: boolean): string[] {
  const problem = c.status === 'fail' || c.status === 'error';
  const explained = problem || c.status === 'warn' || c.status === 'inconclusive' || (verbose && c.status === 'skip');
  if (!explained) return [];
  const lines = multiline(c.message);
  if (problem) lines.push(`${c.ref} ${c.level}${c.source === undefined ? '' : ` (${c.source})`}`);
  if (problem || verbose) {
    const transcript = verbose ? transcriptLines(c.transcript) : transcriptTail(c.transcript, TAIL_LINES);
    lines.push(...transcript.map((line) => `  ${line}`));
  }
  return lines.map((line) => `${INDENT}${escapeUnprintable(line)}`);
}

function findingLines(f: Finding, chalk: ChalkInstance): string[] {
  const label = f.severity.toUpperCase();
  const head = `${paintSeverity(chalk, f.severity, label)}${' '.repeat(Math.max(1, 10 - label.length))}${escapeUnprintable(f.id)}  ${escapeUnprintable(f.target)}  ${escapeUnprintable(f.title)}`;
  const body = [...multiline(f.detail), ...f.evidence.map((e) => `  ${e}`), ...multiline(`fix: ${f.fix}`)];
  return [head, ...body.map((line) => `${' '.repeat(10)}${escapeUnprintable(line)}`)];
}

/** `42 checks: 38 pass, 1 fail, 2 warn, 1 skip (3.2 s)`: the counts come from report.summary. */
function summaryLine(report: Report, chalk: ChalkInstance): string {
  if (report.command === 'diagnose') {
    const ports = report.ports?.length ?? 0;
    const findings = report.findings.length;
    return `${ports} ${ports === 1 ? 'port' : 'ports'}, ${findings} ${findings === 1 ? 'finding' : 'findings'} (${humanDuration(report.durationMs)})`;
  }
  const s = report.summary;
  const total = s.pass + s.fail + s.warn + s.skip + s.inconclusive + s.error;
  const counts = (Object.keys(LABELS) as CheckStatus[])
    .filter((status) => s[status] > 0)
    .map((status) => paintStatus(chalk, status, `${s[status]} ${status}`));
  const checks = `${total} ${total === 1 ? 'check' : 'checks'}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
  return `${checks} (${humanDuration(report.durationMs)})`;
}

function findingsLine(findings: readonly Finding[], chalk: ChalkInstance): string {
  const order = bySeverity(findings).map((f) => f.severity);
  const counts = [...new Set(order)].map((sev) => paintSeverity(chalk, sev, `${order.filter((o) => o === sev).length} ${sev}`));
  return `${findings.length} ${findings.length === 1 ? 'finding' : 'findings'}: ${counts.join(', ')}`;
}

/** `server imaps://mail.example.org:993: Dovecot` for each target that said what it is (IMAP ID, POP3 IMPLEMENTATION). */
function serverLines(report: Report): string[] {
  return Object.entries(report.server)
    .filter(([, info]) => info.implementation !== undefined)
    .map(([target, info]) => `server ${escapeUnprintable(target)}: ${escapeUnprintable(info.implementation ?? '')}`);
}

/** Lines of text in a message, a lone CR kept (and later escaped) so it cannot rewrite a line. */
function multiline(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The whole report for a terminal or a CI log, ending in a newline. */
export function renderConsole(report: Report, options: ConsoleOptions): string {
  const chalk = chalkFor(options.color);
  const verbose = options.verbose === true;
  const shown = options.lines === false ? report.checks.filter((c) => checkDetail(c, verbose).length > 0) : report.checks;
  const idWidth = Math.min(MAX_ID_WIDTH, shown.reduce((w, c) => Math.max(w, c.id.length), 0));
  const refWidth = Math.min(MAX_REF_WIDTH, shown.reduce((w, c) => Math.max(w, c.ref.length), 0));
  // After live lines the run's start is already on screen; a heading there would split the output.
  const out = options.lines === false ? [] : [escapeUnprintable(`mailprobe ${report.tool.version} ${report.command} ${report.targets.join(' ')}`), ''];
  for (const c of shown) {
    out.push(renderCheckLine(c, { color: options.color, idWidth, refWidth }), ...checkDetail(c, verbose));
  }
  if (shown.length > 0) out.push('');
  const matrix = renderPortMatrix(report, { color: options.color });
  if (matrix.length > 0) out.push(...matrix, '');
  if (report.findings.length > 0) {
    for (const f of bySeverity(report.findings)) out.push(...findingLines(f, chalk));
    out.push('', findingsLine(report.findings, chalk));
  }
  out.push(...serverLines(report));
  if (report.insecure === true) {
    out.push('warning: --insecure: certificate verification was off; TLS results are not trustworthy');
  }
  if (report.partial === true) {
    out.push('note: the run was interrupted; these results cover only the checks that finished');
  }
  out.push(summaryLine(report, chalk));
  return `${out.join('\n')}\n`;
}
