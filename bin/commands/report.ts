/**
 * `mailprobe report FILE --html OUT [--md OUT] [--junit OUT] [--json OUT]`: render a saved JSON
 * report (of check, diagnose, bench, a bench shard, run, or merged shards) into the other
 * formats, or write it back (--json), without running anything. The file is checked against
 * the report schema first, so a wrong or damaged file is a clear usage error (exit 2), not a
 * crash halfway through rendering.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import { inReadOrder, REPORT_SCHEMA } from '../../engine/report-schema.js';
import { SCHEMA_VERSION, SEVERITIES, type Report, type Severity } from '../../engine/report-types.js';
import { renderBenchJunit } from '../../reports/bench-junit.js';
import { renderBenchMarkdown } from '../../reports/bench-markdown.js';
import { renderShardsMarkdown } from '../../reports/bench-shards.js';
import { renderHtml } from '../../reports/html/index.js';
import { renderJson, renderJunit, renderMarkdown } from '../../reports/index.js';
import { DEFAULT_FAIL_ON } from '../../reports/severity.js';
import { parseChoice } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { checkOutputPaths, writeOutputFile } from '../report-files.js';

export const usage = `Usage: mailprobe report FILE [--html OUT] [--md OUT] [--junit OUT] [--json OUT] [options]

Renders a JSON report saved with --json (check, diagnose, bench, a bench shard, run, or
merged shards) into other formats. Nothing is run and nothing is re-judged: the files show what the
report holds.

Options:
  --html FILE           one self-contained HTML page: tables, transcripts, bench charts,
                        a shard's slice and clock, a merge's parts
  --md FILE             Markdown summary (e.g. $GITHUB_STEP_SUMMARY); a bench report as
                        bench and merge write it
  --junit FILE          JUnit XML; a bench report as merge writes it (one case per threshold)
  --json FILE|-         the report again, checked against the schema: every field of this
                        version kept in the file's order, fields it does not know dropped
  --fail-on SEVERITY    critical | high (default) | medium | low | info: the findings the
                        reports mark as failing the run
  --exit-code N         the exit status of the run that wrote FILE, shown in the HTML header
                        (the report does not hold it)

Exit codes: 0 written, 2 bad usage, or FILE is not a mailprobe report of schemaVersion ${SCHEMA_VERSION}.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'string' },
      html: { type: 'string' },
      md: { type: 'string' },
      junit: { type: 'string' },
      'fail-on': { type: 'string' },
      'exit-code': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.OK;
  }
  const [file, ...extra] = positionals;
  if (file === undefined) throw new MailprobeError('ECONFIG', 'give the JSON report to render: mailprobe report FILE --html OUT');
  if (extra.length > 0) throw new MailprobeError('ECONFIG', `one report at a time (got ${positionals.length}); shard reports are combined with mailprobe merge`);
  const outputs = { json: values.json, html: values.html, md: values.md, junit: values.junit };
  if (Object.values(outputs).every((p) => p === undefined)) throw new MailprobeError('ECONFIG', 'nothing to write: give --html FILE, --md FILE, --junit FILE or --json FILE');
  for (const [flag, path] of Object.entries(outputs)) {
    if (path !== undefined && path !== '-' && resolve(path) === resolve(file)) throw new MailprobeError('ECONFIG', `--${flag} ${path} would overwrite the report being read`);
  }
  const failOn: Severity = values['fail-on'] === undefined ? DEFAULT_FAIL_ON : parseChoice('--fail-on', values['fail-on'], SEVERITIES);
  const exitCode = values['exit-code'] === undefined ? undefined : parseExitCode(values['exit-code']);
  // Same checks as the run commands' outputs (directory exists, not a directory, not stdout).
  await checkOutputPaths(outputs);

  const report = parseReport(await readReport(file), file);
  // A bench report (a run's, a shard's or a merge's) renders as bench and merge wrote it.
  const bench = report.command === 'bench' ? report.bench : undefined;
  if (outputs.json === '-') io.stdout.write(renderJson(report));
  else if (outputs.json !== undefined) await writeOutputFile('json', outputs.json, renderJson(report));
  if (outputs.html !== undefined) await writeOutputFile('html', outputs.html, renderHtml(report, { failOn, ...(exitCode === undefined ? {} : { exitCode }) }));
  if (outputs.md !== undefined) await writeOutputFile('md', outputs.md, bench ? renderBenchMarkdown(bench, 2, { insecure: report.insecure === true }) + renderShardsMarkdown(bench) : renderMarkdown(report, { failOn }));
  if (outputs.junit !== undefined) await writeOutputFile('junit', outputs.junit, bench ? renderBenchJunit(report) : renderJunit(report, { failOn }));
  return EXIT.OK;
}

function parseExitCode(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) throw new MailprobeError('ECONFIG', `--exit-code "${text}" is not an exit status (0 to 255)`);
  return Number(text);
}

async function readReport(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = nodeErrorCode(err);
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : err instanceof Error ? err.message : String(err);
    throw new MailprobeError('ECONFIG', `cannot read ${file}: ${why}`, {}, { cause: err });
  }
}

/**
 * The report in `text`, checked against the schema of engine/report-types.ts; an ECONFIG error
 * naming `file` and the first problems (with their JSON path) when it is not one. Every field
 * of the Report type is kept; fields it does not know (a later addition) are dropped: a renderer
 * cannot trip over them.
 */
export function parseReport(text: string, file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new MailprobeError('ECONFIG', `${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const head = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const tool = head['tool'];
  if (typeof tool !== 'object' || tool === null || (tool as Record<string, unknown>)['name'] !== 'mailprobe') {
    throw new MailprobeError('ECONFIG', `${file} is not a mailprobe report (no "tool": { "name": "mailprobe" }); write one with --json`);
  }
  const version = head['schemaVersion'];
  if (version !== SCHEMA_VERSION) {
    const newer = typeof version === 'number' && version > SCHEMA_VERSION;
    throw new MailprobeError(
      'ECONFIG',
      `${file} has schemaVersion ${JSON.stringify(version) ?? 'missing'}; this mailprobe reads version ${SCHEMA_VERSION}${newer ? ' (the file was written by a newer mailprobe)' : ''}`,
    );
  }
  const parsed = REPORT_SCHEMA.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 3).map((i) => `at ${jsonPath(i.path)}: ${i.message}`);
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
    throw new MailprobeError('ECONFIG', `${file} is not a valid mailprobe report (schemaVersion ${SCHEMA_VERSION}): ${shown.join('; ')}${more}`);
  }
  // Every field of the Report type is in the schema (engine/report-schema.ts checks it at
  // compile time); the order of the keys is the file's, so --json writes the file back as read.
  return inReadOrder(data, parsed.data) as Report;
}

/** `checks[3].status` from zod's path. */
function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}
