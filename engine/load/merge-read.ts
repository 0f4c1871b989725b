/**
 * Reading the reports `mailprobe merge` combines: a JSON file written by `bench --json`, or a
 * captured stdout/log (`kubectl logs`) that ends with one. Each is checked to be a bench
 * report of this schema version with what a merge reads; anything else is an ECONFIG error
 * naming the file and the JSON path (exit 2), never a crash halfway through adding.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import { SCHEMA_VERSION, type BenchReport, type Report } from '../report-types.js';

export interface MergeInput {
  /** As given on the command line. */
  readonly file: string;
  readonly report: Report;
  readonly bench: BenchReport;
}

/** The start of a pretty-printed report (reports/json.ts), to find one inside a captured log. */
const REPORT_START = /^\{\s*\n\s*"schemaVersion"/gm;

export async function readMergeInput(file: string): Promise<MergeInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = nodeErrorCode(err);
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory; give the report files (e.g. results/*.json)' : err instanceof Error ? err.message : String(err);
    throw new MailprobeError('ECONFIG', `cannot read ${file}: ${why}`);
  }
  return parseMergeInput(text, file);
}

export function parseMergeInput(text: string, file: string): MergeInput {
  const data = extractJson(text, file);
  const head = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const tool = head['tool'];
  if (typeof tool !== 'object' || tool === null || (tool as Record<string, unknown>)['name'] !== 'mailprobe') {
    throw new MailprobeError('ECONFIG', `${file} is not a mailprobe report (no "tool": { "name": "mailprobe" }); write shard reports with bench --json`);
  }
  if (head['schemaVersion'] !== SCHEMA_VERSION) {
    throw new MailprobeError('ECONFIG', `${file} has schemaVersion ${JSON.stringify(head['schemaVersion']) ?? 'missing'}; this mailprobe merges version ${SCHEMA_VERSION}`);
  }
  if (head['command'] !== 'bench' || head['bench'] === undefined) {
    throw new MailprobeError('ECONFIG', `${file} is a "${String(head['command'])}" report, not a bench report: only bench reports can be merged`);
  }
  const parsed = INPUT.safeParse(data);
  if (!parsed.success) {
    const shown = parsed.error.issues.slice(0, 3).map((i) => `at ${jsonPath(i.path)}: ${i.message}`);
    throw new MailprobeError('ECONFIG', `${file} is not a valid bench report: ${shown.join('; ')}`);
  }
  // Validated; the original object keeps every field (the schema only checks what merge reads).
  const report = data as Report;
  return { file, report, bench: report.bench! };
}

/** The whole text as JSON, or else the last report in it (a log whose tail is `--json -`). */
function extractJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (whole) {
    const starts = [...text.matchAll(REPORT_START)].map((m) => m.index);
    for (const at of starts.reverse()) {
      const candidate = text.slice(at);
      // Trailing log lines after the report: cut at the last closing brace on its own line.
      const end = candidate.lastIndexOf('\n}');
      try {
        return JSON.parse(end === -1 ? candidate : candidate.slice(0, end + 2));
      } catch {
        // Not this one; an earlier start, if any.
      }
    }
    throw new MailprobeError('ECONFIG', `${file} is not JSON and holds no mailprobe report: ${whole instanceof Error ? whole.message : String(whole)}`);
  }
}

function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

const latency = z.object({ min: z.number(), mean: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() });
const count = z.number().int().nonnegative();
const generator = z.object({
  cpuPercent: z.number(),
  eventLoopDelayP99Ms: z.number(),
  saturated: z.boolean(),
  eventLoopUtilization: z.number().optional(),
  startLagP99Ms: z.number().optional(),
  reason: z.string().optional(),
});
const stages = z.array(z.object({ durationMs: z.number(), ratePerSec: z.number() }));
const shard = z.object({
  index: count,
  count: z.number().int().positive(),
  host: z.string(),
  runId: z.string(),
  users: z.object({ count, names: z.array(z.string()) }),
  total: z.object({ ratePerSec: z.number(), concurrency: count, iterations: count.optional(), stages: stages.optional() }),
});
const clock = z.object({
  startAt: z.string().optional(),
  offsetMs: z.number().nullable(),
  source: z.string().optional(),
  rttMs: z.number().optional(),
  error: z.string().optional(),
  startLateMs: z.number().optional(),
});
const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'not an ISO-8601 time');
const INPUT = z.object({
  startedAt: isoTime,
  durationMs: z.number(),
  targets: z.array(z.string()),
  server: z.record(z.string(), z.object({ greeting: z.string(), capabilities: z.array(z.string()) })),
  partial: z.boolean().optional(),
  insecure: z.boolean().optional(),
  bench: z.object({
    scenario: z.string(),
    mode: z.enum(['open', 'closed']),
    ratePerSec: z.number(),
    concurrency: z.number(),
    durationMs: z.number().nonnegative(),
    warmupMs: z.number(),
    dropped: count,
    metrics: z.record(z.string(), z.object({ count, errors: count, ratePerSec: z.number(), latencyMs: latency, hdr: z.string() })),
    timeline: z.array(z.object({ t: z.number().int().positive(), ops: count, errors: count, p50Ms: z.number(), p99Ms: z.number(), hdr: z.string().optional() })),
    thresholds: z.array(z.object({ expr: z.string(), ok: z.boolean(), actual: z.number(), note: z.string().optional() })),
    errors: z.record(z.string(), count).optional(),
    errorSamples: z.record(z.string(), z.array(z.string())).optional(),
    interrupted: count.optional(),
    abortedBy: z.string().optional(),
    workers: z.number().optional(),
    stages: stages.optional(),
    generator,
    measuredFrom: isoTime.optional(),
    arrivals: count.optional(),
    clock: clock.optional(),
    shard: shard.optional(),
    shards: z
      .array(
        z.object({
          file: z.string(),
          shard: shard.optional(),
          clock: clock.optional(),
          startedAt: z.string(),
          measuredFrom: z.string().optional(),
          durationMs: z.number(),
          iterations: count,
          errors: count,
          dropped: count,
          workers: z.number().optional(),
          partial: z.boolean().optional(),
          abortedBy: z.string().optional(),
          generator,
        }),
      )
      .optional(),
    notes: z.array(z.string()).optional(),
  }),
});
