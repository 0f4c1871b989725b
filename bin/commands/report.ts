/**
 * `mailprobe report FILE --html OUT [--md OUT] [--junit OUT]`: render a saved JSON report (of
 * check, diagnose, bench, run, or merged shards) into the other formats, without running
 * anything. The file is checked against the report schema first, so a wrong or damaged file is
 * a clear usage error (exit 2), not a crash halfway through rendering.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import { SCHEMA_VERSION, SEVERITIES, type Command, type ObservedService, type Report, type Severity } from '../../engine/report-types.js';
import { renderHtml } from '../../reports/html/index.js';
import { renderJunit, renderMarkdown } from '../../reports/index.js';
import { DEFAULT_FAIL_ON } from '../../reports/severity.js';
import { parseChoice } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { checkOutputPaths } from '../report-files.js';

export const usage = `Usage: mailprobe report FILE [--html OUT] [--md OUT] [--junit OUT] [options]

Renders a JSON report saved with --json (check, diagnose, bench, run, or merged shards) into
other formats. Nothing is run and nothing is re-judged: the files show what the report holds.

Options:
  --html FILE           one self-contained HTML page: tables, transcripts, bench charts
  --md FILE             Markdown summary (e.g. $GITHUB_STEP_SUMMARY)
  --junit FILE          JUnit XML
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
  const outputs = { html: values.html, md: values.md, junit: values.junit };
  if (Object.values(outputs).every((p) => p === undefined)) throw new MailprobeError('ECONFIG', 'nothing to write: give --html FILE, --md FILE or --junit FILE');
  for (const [flag, path] of Object.entries(outputs)) {
    if (path !== undefined && resolve(path) === resolve(file)) throw new MailprobeError('ECONFIG', `--${flag} ${path} would overwrite the report being read`);
  }
  const failOn: Severity = values['fail-on'] === undefined ? DEFAULT_FAIL_ON : parseChoice('--fail-on', values['fail-on'], SEVERITIES);
  const exitCode = values['exit-code'] === undefined ? undefined : parseExitCode(values['exit-code']);
  // Same checks as the run commands' outputs (directory exists, not a directory, not stdout).
  await checkOutputPaths(outputs);

  const report = parseReport(await readReport(file), file);
  if (outputs.html !== undefined) await writeFile(outputs.html, renderHtml(report, { failOn, ...(exitCode === undefined ? {} : { exitCode }) }));
  if (outputs.md !== undefined) await writeFile(outputs.md, renderMarkdown(report, { failOn }));
  if (outputs.junit !== undefined) await writeFile(outputs.junit, renderJunit(report, { failOn }));
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
 * naming `file` and the first problems (with their JSON path) when it is not one. Fields the
 * schema does not know are dropped: a renderer cannot trip over them.
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
  const parsed = REPORT.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 3).map((i) => `at ${jsonPath(i.path)}: ${i.message}`);
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
    throw new MailprobeError('ECONFIG', `${file} is not a valid mailprobe report (schemaVersion ${SCHEMA_VERSION}): ${shown.join('; ')}${more}`);
  }
  return parsed.data;
}

/** `checks[3].status` from zod's path. */
function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

// The schema of engine/report-types.ts; `z.ZodType<Report>` makes the compiler check they agree
// (a field the type lacks, or a wrong one), and the lists below must name every member of their
// union: a value added to the type and not here fails to compile rather than to load.
const COMMANDS = ['check', 'diagnose', 'bench', 'run', 'demo'] as const satisfies readonly Command[];
const OBSERVED = [
  'smtp-plaintext',
  'smtp-starttls',
  'imap-plaintext',
  'imap-starttls',
  'pop3-plaintext',
  'pop3-starttls',
  'tls',
  'closed',
  'timeout',
  'silent',
  'unknown',
] as const satisfies readonly ObservedService[];
const EVERY_COMMAND: Exclude<Command, (typeof COMMANDS)[number]> extends never ? true : never = true;
const EVERY_OBSERVED: Exclude<ObservedService, (typeof OBSERVED)[number]> extends never ? true : never = true;
void [EVERY_COMMAND, EVERY_OBSERVED];

const latency = z.object({ min: z.number(), mean: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() });
const certificate = z.object({
  subject: z.string(),
  san: z.array(z.string()),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  keyBits: z.number().nullable(),
  chainLength: z.number(),
  trusted: z.boolean(),
  error: z.string().nullable(),
});
const REPORT: z.ZodType<Report> = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('mailprobe'), version: z.string() }),
  command: z.enum(COMMANDS),
  startedAt: z.string(),
  durationMs: z.number(),
  targets: z.array(z.string()),
  server: z.record(z.string(), z.object({ greeting: z.string(), capabilities: z.array(z.string()) })),
  summary: z.object({ pass: z.number(), fail: z.number(), warn: z.number(), skip: z.number(), inconclusive: z.number(), error: z.number() }),
  checks: z.array(
    z.object({
      id: z.string(),
      protocol: z.enum(['smtp', 'imap', 'pop3']),
      target: z.string(),
      title: z.string(),
      ref: z.string(),
      level: z.enum(['MUST', 'SHOULD', 'MAY']),
      status: z.enum(['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error']),
      message: z.string(),
      durationMs: z.number(),
      transcript: z.array(z.object({ t: z.number(), dir: z.enum(['C', 'S', 'I']), text: z.string() })),
      source: z.string().optional(),
    }),
  ),
  findings: z.array(
    z.object({
      id: z.string(),
      severity: z.enum(SEVERITIES),
      target: z.string(),
      port: z.number().optional(),
      title: z.string(),
      detail: z.string(),
      fix: z.string(),
      evidence: z.array(z.string()),
    }),
  ),
  ports: z
    .array(
      z.object({
        port: z.number(),
        host: z.string().optional(),
        expected: z.string(),
        observed: z.enum(OBSERVED),
        tls: z.object({ version: z.string().nullable(), cipher: z.string().nullable(), versions: z.array(z.string()), certificate: certificate.nullable() }).optional(),
      }),
    )
    .optional(),
  bench: z
    .object({
      scenario: z.string(),
      mode: z.enum(['open', 'closed']),
      ratePerSec: z.number(),
      concurrency: z.number(),
      durationMs: z.number(),
      warmupMs: z.number(),
      dropped: z.number(),
      metrics: z.record(z.string(), z.object({ count: z.number(), errors: z.number(), ratePerSec: z.number(), latencyMs: latency, hdr: z.string() })),
      timeline: z.array(z.object({ t: z.number(), ops: z.number(), errors: z.number(), p50Ms: z.number(), p99Ms: z.number() })),
      thresholds: z.array(z.object({ expr: z.string(), ok: z.boolean(), actual: z.number(), note: z.string().optional() })),
      errors: z.record(z.string(), z.number()).optional(),
      errorSamples: z.record(z.string(), z.array(z.string())).optional(),
      interrupted: z.number().optional(),
      abortedBy: z.string().optional(),
      workers: z.number().optional(),
      generator: z.object({
        cpuPercent: z.number(),
        eventLoopDelayP99Ms: z.number(),
        saturated: z.boolean(),
        eventLoopUtilization: z.number().optional(),
        startLagP99Ms: z.number().optional(),
        reason: z.string().optional(),
      }),
    })
    .optional(),
  partial: z.boolean().optional(),
  insecure: z.boolean().optional(),
});
