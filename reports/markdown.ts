/**
 * Markdown for CI job summaries (`--md FILE`, `$GITHUB_STEP_SUMMARY`): a title with the verdict
 * counts, a table of the checks that did not pass, the findings, each bench run (a demo report
 * holds several, `benches`), and the end of each failure's conversation. GitHub renders inline
 * HTML in summaries, so every server- or file-supplied string goes through escape.ts; the
 * output is cut, with a note, before GitHub's 1 MiB limit.
 */
import { renderBenchMarkdown } from './bench-markdown.js';
import { renderShardsMarkdown } from './bench-shards.js';
import { renderPortsMarkdown } from './diagnose-markdown.js';
import type { CheckResult, CheckStatus, Finding, Report, Severity } from '../engine/report-types.js';
import { humanDuration } from './duration.js';
import { codeFence, escapeHtml, escapeMarkdown, escapeUnprintable } from './escape.js';
import { SizedText } from './markdown-budget.js';
import { DEFAULT_FAIL_ON, atOrAbove, bySeverity } from './severity.js';
import { transcriptTail } from './transcript-text.js';

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Findings at or above this severity are marked as failing the run (default `high`). */
  readonly failOn?: Severity;
  /** Cut the summary before this many UTF-8 bytes (default {@link MARKDOWN_MAX_BYTES}). */
  readonly maxBytes?: number;
  /** Transcript lines shown under each failure (default 20). */
  readonly tailLines?: number;
}

/** The default size cap: GitHub's 1 MiB step-summary limit with room for other steps' output. */
export const MARKDOWN_MAX_BYTES = 1_000_000;

const STATUS_ICON: Readonly<Record<CheckStatus, string>> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  skip: '⏭',
  inconclusive: '❔',
  error: '💥',
};
/** Title count order (DESIGN.md's) and table order (what needs attention first). */
const COUNT_ORDER: readonly CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error'];
const TABLE_ORDER: readonly CheckStatus[] = ['fail', 'error', 'warn', 'inconclusive', 'skip'];
const SEVERITY_ICON: Readonly<Record<Severity, string>> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
  info: '⚪',
};
/** Server text in a cell is clipped: one giant reply should not use up the whole 1 MiB. */
const MAX_CELL_CHARS = 1000;
const MAX_CODE_LINE_CHARS = 2000;

/** The report as GitHub-flavoured Markdown, ending in a newline. */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxBytes = options.maxBytes ?? MARKDOWN_MAX_BYTES;
  const out = new SizedText(
    maxBytes,
    `\n> ✂️ This summary was cut to stay under ${maxBytes} bytes (GitHub's job summary limit). The JSON or JUnit report has everything.\n`,
  );
  const sections = [
    () => out.add(title(report)),
    () => checksSection(out, report),
    () => {
      const ports = renderPortsMarkdown(report);
      return ports === '' || out.add(ports);
    },
    () => findingsSection(out, report.findings, options.failOn ?? DEFAULT_FAIL_ON),
    () => benchesSection(out, report),
    // Transcripts last: they are the bulk, so a cut takes them before the findings.
    () => transcriptsSection(out, report.checks, options.tailLines ?? 20),
  ];
  // Each section returns false at the first block that did not fit; nothing after it is shown.
  for (const section of sections) if (!section()) break;
  return out.toString();
}

function title(report: Report): string {
  const s = report.summary;
  const counts = COUNT_ORDER.map((status) => `${STATUS_ICON[status]} ${s[status]} ${status}`).join(' · ');
  const targets = report.targets.map(escapeMarkdown).join(', ');
  const lines = [
    `### mailprobe ${report.command} · ${targets} · ${counts}`,
    '',
    `mailprobe ${escapeMarkdown(report.tool.version)} · started ${escapeMarkdown(report.startedAt)} · ${humanDuration(report.durationMs)}`,
  ];
  // What each server says it is (IMAP ID, POP3 IMPLEMENTATION): server text, escaped.
  const said = Object.entries(report.server).filter(([, info]) => info.implementation !== undefined);
  if (said.length > 0) {
    lines.push('', `Servers: ${said.map(([target, info]) => `${escapeMarkdown(target)}: ${escapeMarkdown(info.implementation ?? '')}`).join(' · ')}`);
  }
  if (report.insecure === true) {
    lines.push('', '> ⚠️ **Run with `--insecure`:** certificate verification was off; TLS results are not trustworthy.');
  }
  if (report.partial === true) {
    lines.push('', '> ⏹ **Partial run:** interrupted; the results cover only the checks that finished.');
  }
  return `${lines.join('\n')}\n`;
}

function checksSection(out: SizedText, report: Report): boolean {
  const problems = TABLE_ORDER.flatMap((status) => report.checks.filter((c) => c.status === status));
  if (problems.length === 0) {
    const n = report.summary.pass;
    return report.checks.length === 0 || out.add(`\nAll ${n} ${n === 1 ? 'check' : 'checks'} passed.\n`);
  }
  const withTarget = report.targets.length > 1;
  const columns = ['verdict', 'check', ...(withTarget ? ['target'] : []), 'ref', 'message'];
  if (!out.add(`\n#### Checks that did not pass\n\n${row(columns)}${row(columns.map(() => '---'))}`)) return false;
  return problems.every((c) =>
    out.add(
      row([
        `${STATUS_ICON[c.status]} ${c.status}`,
        cell(c.id),
        ...(withTarget ? [cell(c.target)] : []),
        cell(c.ref),
        cell(c.message),
      ]),
    ),
  );
}

function transcriptsSection(out: SizedText, checks: readonly CheckResult[], tailLines: number): boolean {
  const failed = checks.filter((c) => (c.status === 'fail' || c.status === 'error') && c.transcript.length > 0);
  if (failed.length === 0) return true;
  return out.add('\n#### Conversations of failed checks\n') && failed.every((c) => out.add(details(c, tailLines)));
}

/**
 * A collapsed transcript tail. The `<summary>` line is raw HTML (escapeHtml); the blank lines
 * around the fence end the HTML block so the fence is parsed as Markdown, where nothing inside
 * is interpreted, and the fence is longer than any backtick run in the text.
 */
function details(c: CheckResult, tailLines: number): string {
  const lines = transcriptTail(c.transcript, tailLines).map((line) => escapeUnprintable(clip(line, MAX_CODE_LINE_CHARS)));
  const fence = codeFence(lines);
  const summary = escapeHtml(`${STATUS_ICON[c.status]} ${c.id}: ${c.title}`);
  return ['', `<details><summary>${summary}</summary>`, '', `${fence}text`, ...lines, fence, '', '</details>', ''].join('\n');
}

function findingsSection(out: SizedText, findings: readonly Finding[], failOn: Severity): boolean {
  if (findings.length === 0) return true;
  const columns = ['severity', 'finding', 'target', 'problem', 'fix'];
  if (!out.add(`\n#### Findings\n\n${row(columns)}${row(columns.map(() => '---'))}`)) return false;
  return bySeverity(findings).every((f) => {
    // Bold marks the findings that fail the run (at or above --fail-on).
    const severity = `${SEVERITY_ICON[f.severity]} ${atOrAbove(f.severity, failOn) ? `**${f.severity}**` : f.severity}`;
    return out.add(row([severity, cell(f.id), cell(f.target), cell(f.title), cell(f.fix)]));
  });
}

/** Each bench run under the title: a bench report's `bench`, then a demo's `benches`, one block each. */
function benchesSection(out: SizedText, report: Report): boolean {
  const runs = [...(report.bench === undefined ? [] : [report.bench]), ...(report.benches ?? [])];
  return runs.every((bench) => out.add(`\n${renderBenchMarkdown(bench, 4)}${renderShardsMarkdown(bench, 5)}`));
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`;
}

function cell(text: string): string {
  return escapeMarkdown(clip(text, MAX_CELL_CHARS));
}

/** At most `max` UTF-16 units, never splitting a surrogate pair, with `…` when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}
