/**
 * `mailprobe merge`: the shard reports of a distributed run (or whole bench reports) as one.
 *
 * - Counts, errors by class, drops, arrivals and interruptions add exactly.
 * - Latency histograms add (same settings, checked), and every percentile is read again from
 *   the sum: exactly what one histogram fed every sample would say.
 * - The timeline is aligned on absolute time (each report's `measuredFrom`) and summed per
 *   second, from the per-second histograms shard reports carry (merge-timeline.ts).
 * - Thresholds are evaluated once, over the merged numbers: `--threshold` given to merge, or
 *   else the expressions the shards were given.
 * - A saturated generator anywhere is flagged, naming the shard.
 *
 * Refused (ECONFIG, exit 2): reports of different scenarios or modes, histograms of other
 * settings, a shard twice, shards of different runs (total load, start, warm-up, shard count),
 * shard reports mixed with whole ones, and — unless allowed — missing shards.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { SCHEMA_VERSION, type BenchReport, type ClockReport, type GeneratorReport, type MergedShardReport, type Report, type ServerInfo, type ShardReport } from '../report-types.js';
import { isUnreachable, type ErrorClass } from './classify.js';
import { createHistogram } from './histogram.js';
import { addChecked } from './merge-histograms.js';
import type { MergeInput } from './merge-read.js';
import { mergeTimelines } from './merge-timeline.js';
import { benchMetrics, mergedSource, type MergedRun } from './result.js';
import { evaluateThresholds } from './thresholds-eval.js';
import { parseThreshold, type Threshold } from './thresholds-parse.js';

export interface MergeOptions {
  /** Evaluate these instead of the thresholds found in the reports. */
  readonly thresholds?: readonly Threshold[];
  /** Merge even when shards are missing (the report then says which, and is partial). */
  readonly allowPartial?: boolean;
  /** mailprobe's version, for the report's `tool`. */
  readonly version: string;
}

export interface MergeOutcome {
  readonly report: Report;
  /** Iterations that succeeded, all inputs together. */
  readonly succeeded: number;
  /** Nothing succeeded and every failure was a failure to connect. */
  readonly unreachable: boolean;
}

/** A shard an input covers: a shard report covers itself, a merged report the shards in it. */
interface Covered {
  readonly shard: ShardReport;
  readonly clock: ClockReport | undefined;
  readonly input: MergeInput;
}

/** Clock offsets further apart than this are worth a note. */
const CLOCK_SPREAD_NOTE_MS = 100;

export function mergeReports(given: readonly MergeInput[], options: MergeOptions): MergeOutcome {
  if (given.length === 0) throw new MailprobeError('ECONFIG', 'merge needs at least one bench report');
  const notes: string[] = [];
  checkSameRun(given);
  const covering = given.map(coverage);
  const sharded = covering.some((c) => c.length > 0);
  const plain = given.filter((_, n) => covering[n]!.length === 0);
  if (sharded && plain.length > 0) {
    const shardFile = given.find((_, n) => covering[n]!.length > 0)!.file;
    throw new MailprobeError('ECONFIG', `${plain[0]!.file} is a whole bench report (no --shard) but ${shardFile} is a shard: merge the shards of one run, or only whole reports`);
  }
  let inputs = [...given];
  let missing: number[] = [];
  let shardCount = 0;
  if (sharded) {
    ({ missing, count: shardCount } = checkShards(covering.flat(), options.allowPartial === true));
    if (missing.length > 0) notes.push(`${plural(missing.length, 'shard')} of ${shardCount} missing (${missing.map((i) => `${i}/${shardCount}`).join(', ')}): the numbers cover only part of the run's load`);
    const first = (input: MergeInput): number => Math.min(...coverage(input).map((c) => c.shard.index));
    inputs = inputs.sort((a, b) => first(a) - first(b));
  } else if (given.length > 1) {
    notes.push('the reports are not shards of one run (no --shard): their load was added as it was, without a check that it was split');
  }

  // Where each input sits in absolute time.
  const starts = inputs.map((i) => (i.bench.measuredFrom === undefined ? undefined : Date.parse(i.bench.measuredFrom)));
  const known = starts.filter((s): s is number => s !== undefined);
  const base = known.length > 0 ? Math.min(...known) : undefined;
  inputs.forEach((i, n) => {
    if (starts[n] === undefined && inputs.length > 1) notes.push(`${i.file} does not say when its measured window began (measuredFrom): its timeline was aligned on the earliest report's`);
  });
  const offsetMs = starts.map((s) => (s === undefined || base === undefined ? 0 : s - base));
  const windowMs = Math.max(0, ...inputs.map((i, n) => offsetMs[n]! + i.bench.durationMs));

  const run = mergeRun(inputs, windowMs);
  const timeline = mergeTimelines(inputs.map((i, n) => ({ file: i.file, points: i.bench.timeline, offsetS: Math.round(offsetMs[n]! / 1000) })));
  if (!timeline.exact && inputs.length > 1) notes.push('some reports hold no per-second histograms (written without --shard): the timeline p50 is weighted and its p99 is the largest of the reports\'');

  const thresholds = options.thresholds ?? thresholdsOf(inputs, notes);
  notes.push(...clockNotes(covering.flat()), ...inputNotes(inputs));

  const totals = sharded && missing.length === 0 ? coverage(inputs[0]!)[0]!.shard.total : undefined;
  const first = inputs[0]!.bench;
  const sum = (f: (b: BenchReport) => number): number => inputs.reduce((a, i) => a + f(i.bench), 0);
  const targets = [...new Set(inputs.flatMap((i) => i.report.targets))];
  if (new Set(inputs.map((i) => i.report.targets.join(' '))).size > 1) notes.push(`the reports loaded different targets: ${targets.join(', ')}`);
  const stages = totals?.stages ?? summedStages(inputs);
  const bench: BenchReport = {
    scenario: first.scenario,
    mode: first.mode,
    ratePerSec: first.mode === 'open' ? (totals?.ratePerSec ?? round6(sum((b) => b.ratePerSec))) : 0,
    concurrency: totals?.concurrency ?? sum((b) => b.concurrency),
    durationMs: Math.round(windowMs),
    warmupMs: Math.max(...inputs.map((i) => i.bench.warmupMs)),
    dropped: run.dropped,
    metrics: benchMetrics(run),
    timeline: timeline.points,
    thresholds: evaluateThresholds(thresholds, mergedSource(run)),
    errors: run.errors,
    ...(Object.keys(run.errorSamples).length > 0 ? { errorSamples: run.errorSamples } : {}),
    ...(run.interrupted > 0 ? { interrupted: run.interrupted } : {}),
    ...(run.thresholdAbort === undefined ? {} : { abortedBy: run.thresholdAbort }),
    ...(stages === undefined ? {} : { stages }),
    generator: run.generator,
    ...(base === undefined ? {} : { measuredFrom: new Date(base).toISOString() }),
    arrivals: run.arrivals,
    shards: inputs.flatMap(shardEntries).sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0)),
    ...(notes.length > 0 ? { notes } : {}),
  };

  const startedAt = Math.min(...inputs.map((i) => Date.parse(i.report.startedAt)));
  const endedAt = Math.max(...inputs.map((i) => Date.parse(i.report.startedAt) + i.report.durationMs));
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: options.version },
    command: 'bench',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Math.max(0, Math.round(endedAt - startedAt)),
    targets,
    server: Object.assign({}, ...inputs.map((i) => i.report.server).reverse()) as Record<string, ServerInfo>,
    summary: { pass: 0, fail: 0, warn: 0, skip: 0, inconclusive: 0, error: 0 },
    checks: [],
    findings: [],
    bench,
    ...(inputs.some(interrupted) || missing.length > 0 ? { partial: true } : {}),
    ...(inputs.some((i) => i.report.insecure === true) ? { insecure: true } : {}),
  };
  const it = bench.metrics['iteration'];
  const succeeded = it ? it.count - it.errors : 0;
  const classes = Object.keys(run.errors) as ErrorClass[];
  return { report, succeeded, unreachable: succeeded === 0 && classes.length > 0 && classes.every(isUnreachable) };
}

// ---- what may be merged ----

function coverage(input: MergeInput): Covered[] {
  const b = input.bench;
  if (b.shard !== undefined) return [{ shard: b.shard, clock: b.clock, input }];
  return (b.shards ?? []).flatMap((s) => (s.shard === undefined ? [] : [{ shard: s.shard, clock: s.clock, input }]));
}

/** Scenario and loop mode: adding other ones would measure nothing anyone ran. */
function checkSameRun(inputs: readonly MergeInput[]): void {
  const a = inputs[0]!;
  for (const b of inputs.slice(1)) {
    if (b.bench.scenario !== a.bench.scenario) {
      throw new MailprobeError('ECONFIG', `${a.file} is a ${a.bench.scenario} run and ${b.file} a ${b.bench.scenario} run: reports of different scenarios cannot be merged`);
    }
    if (b.bench.mode !== a.bench.mode) {
      throw new MailprobeError('ECONFIG', `${a.file} ran an ${a.bench.mode} loop and ${b.file} a ${b.bench.mode} one: their latencies mean different things and cannot be merged`);
    }
  }
}

/** One shard count, each shard once, one run (same total load, start and warm-up); returns the missing shards. */
function checkShards(all: readonly Covered[], allowPartial: boolean): { missing: number[]; count: number } {
  const a = all[0]!;
  const count = a.shard.count;
  const seen = new Map<number, string>();
  const name = (c: Covered): string => `${c.input.file} (shard ${c.shard.index}/${c.shard.count})`;
  for (const c of all) {
    if (c.shard.count !== count) throw new MailprobeError('ECONFIG', `${name(a)} and ${name(c)} split their runs into different numbers of shards: they are not shards of one run`);
    const twice = seen.get(c.shard.index);
    if (twice !== undefined) {
      throw new MailprobeError('ECONFIG', `shard ${c.shard.index}/${count} is in both ${twice} and ${c.input.file}: each shard may be merged once`);
    }
    seen.set(c.shard.index, c.input.file);
    const why = differentRun(a, c);
    if (why !== undefined) throw new MailprobeError('ECONFIG', `${name(a)} and ${name(c)} are shards of different runs: ${why}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0 && !allowPartial) {
    const list = missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, …` : missing.join(', ');
    throw new MailprobeError('ECONFIG', `${plural(missing.length, 'shard')} of ${count} missing (${list}): merged, the numbers would not be the run's load`, {}, {
      hint: 'give every shard\'s report, or --allow-partial to merge what there is',
    });
  }
  return { missing, count };
}

function differentRun(a: Covered, b: Covered): string | undefined {
  const ta = a.shard.total;
  const tb = b.shard.total;
  if (ta.ratePerSec !== tb.ratePerSec) return `total rate ${ta.ratePerSec}/s vs ${tb.ratePerSec}/s`;
  if (ta.concurrency !== tb.concurrency) return `total concurrency ${ta.concurrency} vs ${tb.concurrency}`;
  if (ta.iterations !== tb.iterations) return `total --messages ${ta.iterations ?? 'none'} vs ${tb.iterations ?? 'none'}`;
  if (JSON.stringify(ta.stages ?? []) !== JSON.stringify(tb.stages ?? [])) return 'different --ramp stages';
  const sa = a.clock?.startAt;
  const sb = b.clock?.startAt;
  if (sa !== sb) return `--start-at ${sa ?? 'not given'} vs ${sb ?? 'not given'}`;
  if (a.input.bench.warmupMs !== b.input.bench.warmupMs) return `warm-up ${a.input.bench.warmupMs} ms vs ${b.input.bench.warmupMs} ms`;
  return undefined;
}

// ---- adding ----

function mergeRun(inputs: readonly MergeInput[], windowMs: number): MergedRun {
  const metrics = new Map<string, { count: number; errors: number; histogram: ReturnType<typeof createHistogram> }>();
  const errors: Record<string, number> = {};
  const errorSamples: Record<string, string[]> = {};
  let arrivals = 0;
  for (const { file, bench } of inputs) {
    for (const [name, m] of Object.entries(bench.metrics)) {
      let into = metrics.get(name);
      if (into === undefined) {
        into = { count: 0, errors: 0, histogram: createHistogram() };
        metrics.set(name, into);
      }
      const before = into.histogram.totalCount;
      addChecked(into.histogram, m.hdr, `${file}: bench.metrics["${name}"].hdr`);
      const samples = into.histogram.totalCount - before;
      if (m.errors > m.count || samples !== m.count - m.errors) {
        throw new MailprobeError('ECONFIG', `${file}: metric ${name} counts ${m.count - m.errors} successes but its histogram holds ${samples} samples: the report is damaged or was edited`);
      }
      into.count += m.count;
      into.errors += m.errors;
    }
    // Own keys only: an error class named "constructor" or "toString" is not Object.prototype's.
    for (const [c, n] of Object.entries(bench.errors ?? {})) errors[c] = (Object.hasOwn(errors, c) ? errors[c]! : 0) + n;
    for (const [c, list] of Object.entries(bench.errorSamples ?? {})) {
      const into = Object.hasOwn(errorSamples, c) ? errorSamples[c]! : (errorSamples[c] = []);
      for (const s of list) if (into.length < 3 && !into.includes(s)) into.push(s);
    }
    // Reports before `arrivals` existed: every due iteration either ran, was cut off or was dropped.
    arrivals += bench.arrivals ?? (bench.metrics['iteration']?.count ?? 0) + (bench.interrupted ?? 0) + bench.dropped;
  }
  const aborted = inputs.find((i) => i.bench.abortedBy !== undefined);
  return {
    metrics,
    errors: sortedErrors(errors),
    errorSamples,
    arrivals,
    dropped: inputs.reduce((a, i) => a + i.bench.dropped, 0),
    interrupted: inputs.reduce((a, i) => a + (i.bench.interrupted ?? 0), 0),
    windowMs,
    generator: mergeGenerators(inputs),
    aborted: inputs.some(interrupted),
    thresholdAbort: aborted === undefined ? undefined : `${aborted.bench.abortedBy} (${label(aborted)})`,
    parts: 1,
  };
}

function sortedErrors(errors: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A run that was cut short (SIGINT): a merged report is partial also when it lacked shards,
 * which merging it with the rest makes whole, so for one its shards say.
 */
function interrupted(input: MergeInput): boolean {
  const shards = input.bench.shard === undefined ? input.bench.shards : undefined;
  return shards === undefined ? input.report.partial === true : shards.some((s) => s.partial === true);
}

/** `shard 2/4 on host-b`, or the file for a whole report. */
function label(input: MergeInput): string {
  const s = input.bench.shard;
  return s === undefined ? input.file : `shard ${s.index}/${s.count} on ${s.host}`;
}

/** The busiest generator's numbers; saturated when any was, naming which and why. */
function mergeGenerators(inputs: readonly MergeInput[]): GeneratorReport {
  const gens = inputs.map((i) => i.bench.generator);
  const max = (f: (g: GeneratorReport) => number | undefined): number | undefined => {
    const values = gens.map(f).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const saturated = inputs.filter((i) => i.bench.generator.saturated);
  const elu = max((g) => g.eventLoopUtilization);
  const lag = max((g) => g.startLagP99Ms);
  return {
    cpuPercent: max((g) => g.cpuPercent) ?? 0,
    eventLoopDelayP99Ms: max((g) => g.eventLoopDelayP99Ms) ?? 0,
    saturated: saturated.length > 0,
    ...(elu === undefined ? {} : { eventLoopUtilization: elu }),
    ...(lag === undefined ? {} : { startLagP99Ms: lag }),
    ...(saturated.length > 0 ? { reason: saturated.map((i) => `${label(i)}: ${i.bench.generator.reason ?? 'saturated'}`).join('; ') } : {}),
  };
}

function thresholdsOf(inputs: readonly MergeInput[], notes: string[]): Threshold[] {
  const exprs: string[] = [];
  for (const i of inputs) for (const t of i.bench.thresholds) if (!exprs.includes(t.expr)) exprs.push(t.expr);
  const sets = new Set(inputs.map((i) => i.bench.thresholds.map((t) => t.expr).join('\n')));
  if (sets.size > 1) notes.push('the reports were given different thresholds; every one of them was evaluated over the merged numbers');
  return exprs.map((expr) => {
    try {
      return parseThreshold(expr);
    } catch (err) {
      const file = inputs.find((i) => i.bench.thresholds.some((t) => t.expr === expr))!.file;
      throw new MailprobeError('ECONFIG', `${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

function summedStages(inputs: readonly MergeInput[]): BenchReport['stages'] {
  const lists = inputs.map((i) => i.bench.stages ?? []);
  const first = lists[0]!;
  if (first.length === 0 || lists.some((l) => l.length !== first.length || l.some((s, n) => s.durationMs !== first[n]!.durationMs))) return undefined;
  return first.map((s, n) => ({ durationMs: s.durationMs, ratePerSec: round6(lists.reduce((a, l) => a + l[n]!.ratePerSec, 0)) }));
}

// ---- what the reader should know ----

function clockNotes(covered: readonly Covered[]): string[] {
  const notes: string[] = [];
  for (const c of covered) {
    const late = c.clock?.startLateMs ?? 0;
    if (late > 0) notes.push(`shard ${c.shard.index}/${c.shard.count} started ${late} ms after --start-at`);
    if (c.clock?.error !== undefined) notes.push(`shard ${c.shard.index}/${c.shard.count}: its clock offset could not be measured (${c.clock.error})`);
  }
  const hosts = new Set(covered.map((c) => c.shard.host));
  const offsets = covered.map((c) => c.clock?.offsetMs ?? null);
  if (hosts.size > 1 && offsets.some((o) => o === null)) {
    notes.push('clock offsets were not measured on every host (bench --ntp): the shards started, and their timelines are aligned, by their own clocks');
  }
  const measured = offsets.filter((o): o is number => o !== null);
  if (measured.length > 1 && Math.max(...measured) - Math.min(...measured) > CLOCK_SPREAD_NOTE_MS) {
    notes.push(`the hosts' clocks differed by up to ${Math.round(Math.max(...measured) - Math.min(...measured))} ms; starts and timelines were corrected by the measured offsets`);
  }
  return notes;
}

function inputNotes(inputs: readonly MergeInput[]): string[] {
  const notes: string[] = [];
  for (const i of inputs) if (interrupted(i)) notes.push(`${label(i)} was interrupted: its report covers what finished`);
  if (new Set(inputs.map((i) => i.bench.warmupMs)).size > 1) notes.push('the reports had different warm-ups');
  return notes;
}

function shardEntries(input: MergeInput): MergedShardReport[] {
  const b = input.bench;
  if (b.shard === undefined && b.shards !== undefined) return b.shards.map((s) => ({ ...s, file: `${input.file}: ${s.file}` }));
  const it = b.metrics['iteration'];
  return [
    {
      file: input.file,
      ...(b.shard === undefined ? {} : { shard: b.shard }),
      ...(b.clock === undefined ? {} : { clock: b.clock }),
      startedAt: input.report.startedAt,
      ...(b.measuredFrom === undefined ? {} : { measuredFrom: b.measuredFrom }),
      durationMs: b.durationMs,
      iterations: it?.count ?? 0,
      errors: it?.errors ?? 0,
      dropped: b.dropped,
      ...(b.workers === undefined ? {} : { workers: b.workers }),
      ...(input.report.partial === true ? { partial: true } : {}),
      ...(b.abortedBy === undefined ? {} : { abortedBy: b.abortedBy }),
      generator: b.generator,
    },
  ];
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
