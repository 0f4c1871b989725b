/**
 * The JSON report of engine/report-types.ts as a zod schema, for reading saved reports back
 * (`mailprobe report FILE`). The schema is written out by hand and the compiler holds it to the
 * type in both directions ({@link SAME_AS_REPORT} below): a field added to `Report` (a bench
 * shard, a clock, a merge's parts) and not here, or here and not there, or of another type,
 * fails `tsc`, so re-rendering a saved report cannot silently drop what a newer mailprobe wrote.
 */
import { z } from 'zod';
import { SCHEMA_VERSION, SEVERITIES, type Command, type ObservedService, type Report } from './report-types.js';

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

const transcriptEntry = z.object({ t: z.number(), dir: z.enum(['C', 'S', 'I']), text: z.string() });

const check = z.object({
  id: z.string(),
  protocol: z.enum(['smtp', 'imap', 'pop3']),
  target: z.string(),
  title: z.string(),
  ref: z.string(),
  level: z.enum(['MUST', 'SHOULD', 'MAY']),
  status: z.enum(['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error']),
  message: z.string(),
  durationMs: z.number(),
  transcript: z.array(transcriptEntry),
  source: z.string().optional(),
});

const finding = z.object({
  id: z.string(),
  severity: z.enum(SEVERITIES),
  target: z.string(),
  port: z.number().optional(),
  title: z.string(),
  detail: z.string(),
  fix: z.string(),
  evidence: z.array(z.string()),
});

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

const port = z.object({
  port: z.number(),
  host: z.string().optional(),
  expected: z.string(),
  observed: z.enum(OBSERVED),
  tls: z.object({ version: z.string().nullable(), cipher: z.string().nullable(), versions: z.array(z.string()), certificate: certificate.nullable() }).optional(),
});

const latency = z.object({ min: z.number(), mean: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() });
const metric = z.object({ count: z.number(), errors: z.number(), ratePerSec: z.number(), latencyMs: latency, hdr: z.string() });
const timelinePoint = z.object({ t: z.number(), ops: z.number(), errors: z.number(), p50Ms: z.number(), p99Ms: z.number(), hdr: z.string().optional() });
const threshold = z.object({ expr: z.string(), ok: z.boolean(), actual: z.number(), note: z.string().optional() });
const generator = z.object({
  cpuPercent: z.number(),
  eventLoopDelayP99Ms: z.number(),
  saturated: z.boolean(),
  eventLoopUtilization: z.number().optional(),
  startLagP99Ms: z.number().optional(),
  reason: z.string().optional(),
});
const stages = z.array(z.object({ durationMs: z.number(), ratePerSec: z.number() }));

const clock = z.object({
  startAt: z.string().optional(),
  offsetMs: z.number().nullable(),
  source: z.string().optional(),
  rttMs: z.number().optional(),
  error: z.string().optional(),
  startLateMs: z.number().optional(),
});

const shard = z.object({
  index: z.number(),
  count: z.number(),
  host: z.string(),
  runId: z.string(),
  users: z.object({ count: z.number(), names: z.array(z.string()) }),
  total: z.object({ ratePerSec: z.number(), concurrency: z.number(), iterations: z.number().optional(), stages: stages.optional() }),
});

const mergedShard = z.object({
  file: z.string(),
  shard: shard.optional(),
  clock: clock.optional(),
  startedAt: z.string(),
  measuredFrom: z.string().optional(),
  durationMs: z.number(),
  iterations: z.number(),
  errors: z.number(),
  dropped: z.number(),
  workers: z.number().optional(),
  partial: z.boolean().optional(),
  abortedBy: z.string().optional(),
  generator,
});

const bench = z.object({
  scenario: z.string(),
  mode: z.enum(['open', 'closed']),
  ratePerSec: z.number(),
  concurrency: z.number(),
  durationMs: z.number(),
  warmupMs: z.number(),
  dropped: z.number(),
  metrics: z.record(z.string(), metric),
  timeline: z.array(timelinePoint),
  thresholds: z.array(threshold),
  errors: z.record(z.string(), z.number()).optional(),
  errorSamples: z.record(z.string(), z.array(z.string())).optional(),
  interrupted: z.number().optional(),
  abortedBy: z.string().optional(),
  workers: z.number().optional(),
  stages: stages.optional(),
  generator,
  measuredFrom: z.string().optional(),
  arrivals: z.number().optional(),
  clock: clock.optional(),
  shard: shard.optional(),
  shards: z.array(mergedShard).optional(),
  notes: z.array(z.string()).optional(),
});

/**
 * The bench parts, for a reader that holds them to more than their types: `mailprobe merge`
 * (engine/load/merge-read.ts) extends these with whole non-negative counts and ISO times, so
 * the bench shape is written once, here.
 */
export const BENCH_PARTS = { metric, timelinePoint, shard, mergedShard, bench } as const;

/** The whole report. Unknown keys are stripped: a renderer cannot trip over them. */
export const REPORT_SCHEMA = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('mailprobe'), version: z.string() }),
  command: z.enum(COMMANDS),
  startedAt: z.string(),
  durationMs: z.number(),
  targets: z.array(z.string()),
  server: z.record(z.string(), z.object({ greeting: z.string(), implementation: z.string().optional(), capabilities: z.array(z.string()) })),
  summary: z.object({ pass: z.number(), fail: z.number(), warn: z.number(), skip: z.number(), inconclusive: z.number(), error: z.number() }),
  checks: z.array(check),
  findings: z.array(finding),
  ports: z.array(port).optional(),
  bench: bench.optional(),
  benches: z.array(bench).optional(),
  partial: z.boolean().optional(),
  insecure: z.boolean().optional(),
});

// ---- the compile-time check: schema and type are the same, field for field ----

/** Readonly at every depth, so zod's mutable output and the readonly interfaces compare. */
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** True only for identical types (optional keys, unions, literals and all), not merely assignable ones. */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/**
 * Fails to compile ("Type 'true' is not assignable to type 'false'") when the schema and
 * engine/report-types.ts's `Report` differ anywhere: a missing or extra field, optional on one
 * side only, another type or another list of literals. Compare the two, part by part.
 */
const SAME_AS_REPORT: Same<DeepReadonly<z.output<typeof REPORT_SCHEMA>>, DeepReadonly<Report>> = true;
void SAME_AS_REPORT;

/**
 * Keep the key order of what was read: zod builds its output in the schema's order, but
 * `bench` and `ports` are written in the engine's (reports/json.ts), so a saved report read
 * back and written again would otherwise differ in order only. Keys the parse dropped stay
 * dropped; `parsed` decides the values.
 */
export function inReadOrder(read: unknown, parsed: unknown): unknown {
  if (Array.isArray(parsed)) return Array.isArray(read) ? parsed.map((v, i) => inReadOrder(read[i], v)) : parsed;
  if (!isPlainObject(parsed) || !isPlainObject(read)) return parsed;
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a key `__proto__` (JSON.parse makes it an own key) stays data.
  const put = (key: string, value: unknown): unknown => Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const key of Object.keys(read)) if (Object.hasOwn(parsed, key)) put(key, inReadOrder(read[key], parsed[key]));
  for (const key of Object.keys(parsed)) if (!Object.hasOwn(out, key)) put(key, parsed[key]);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
