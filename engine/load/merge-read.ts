/**
 * Reading the reports `mailprobe merge` combines: a JSON file written by `bench --json`, or a
 * captured stdout/log (`kubectl logs`) that ends with one. Each is checked to be a bench
 * report of this schema version with what a merge reads; anything else is an ECONFIG error
 * naming the file and the JSON path (exit 2), never a crash halfway through adding.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import { BENCH_PARTS, REPORT_SCHEMA } from '../report-schema.js';
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
    throw new MailprobeError('ECONFIG', `${file} has schemaVersion ${shown(head['schemaVersion'], 'missing')}; this mailprobe merges version ${SCHEMA_VERSION}`);
  }
  if (head['command'] === 'bench' && head['bench'] === undefined) {
    throw new MailprobeError('ECONFIG', `${file} is a bench report without its "bench" section (cut short or edited?): nothing to merge`);
  }
  if (head['command'] !== 'bench') {
    throw new MailprobeError('ECONFIG', `${file} is a ${shown(head['command'], '"undefined"')} report, not a bench report: only bench reports can be merged`);
  }
  // zod's records skip a "__proto__" key, so what it holds would reach the merge unchecked.
  const proto = protoKeyPath(data);
  if (proto !== undefined) throw new MailprobeError('ECONFIG', `${file} is not a valid bench report: at ${proto}: a key named "__proto__"`);
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

/**
 * A value read from the file, for a message: a primitive as JSON, a container as `[…]` or `{…}`.
 * Never throws: String() throws on `{"toString":1}` and JSON.stringify overflows the stack on
 * arrays nested 100 000 deep, both of which JSON.parse accepts.
 */
function shown(value: unknown, missing: string): string {
  if (value === undefined) return missing;
  if (Array.isArray(value)) return '[…]';
  if (typeof value === 'object' && value !== null) return '{…}';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The JSON path of the first own `__proto__` key in `data`, if any (iterative: any depth). */
function protoKeyPath(data: unknown): string | undefined {
  interface Node {
    readonly value: unknown;
    readonly key: string | number | undefined;
    readonly parent: Node | undefined;
  }
  const stack: Node[] = [{ value: data, key: undefined, parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const value = node.value;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      const child: Node = { value: (value as Record<string, unknown>)[key], key: Array.isArray(value) ? Number(key) : key, parent: node };
      if (key !== '__proto__') {
        stack.push(child);
        continue;
      }
      const path: (string | number)[] = [];
      for (let n: Node | undefined = child; n?.key !== undefined; n = n.parent) path.unshift(n.key);
      return jsonPath(path);
    }
  }
  return undefined;
}

function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

// The bench shape is report-schema.ts's; merge adds what its sums need: counts are whole and
// not negative, a shard count at least 1, timeline seconds count from 1, times parse.
const count = z.number().int().nonnegative();
const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'not an ISO-8601 time');
const shard = BENCH_PARTS.shard.extend({
  index: count,
  count: z.number().int().positive(),
  users: BENCH_PARTS.shard.shape.users.extend({ count }),
  total: BENCH_PARTS.shard.shape.total.extend({ concurrency: count, iterations: count.optional() }),
});
const INPUT = REPORT_SCHEMA.pick({ startedAt: true, durationMs: true, targets: true, server: true, partial: true, insecure: true }).extend({
  startedAt: isoTime,
  bench: BENCH_PARTS.bench.extend({
    durationMs: z.number().nonnegative(),
    dropped: count,
    metrics: z.record(z.string(), BENCH_PARTS.metric.extend({ count, errors: count })),
    timeline: z.array(BENCH_PARTS.timelinePoint.extend({ t: z.number().int().positive(), ops: count, errors: count })),
    errors: z.record(z.string(), count).optional(),
    interrupted: count.optional(),
    measuredFrom: isoTime.optional(),
    arrivals: count.optional(),
    shard: shard.optional(),
    shards: z.array(BENCH_PARTS.mergedShard.extend({ shard: shard.optional(), iterations: count, errors: count, dropped: count })).optional(),
  }),
});
