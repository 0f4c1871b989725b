/**
 * `mailprobe merge REPORT… [--threshold EXPR]…`: the JSON reports of a distributed bench run's
 * shards (`bench --shard i/N --json FILE`) as one report: histograms and counters added,
 * percentiles and the timeline recomputed, thresholds evaluated once; exit codes as bench.
 * The merging is engine/load/merge.ts; this file is flags in, files and exit code out.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MailprobeError } from '../../drivers/errors.js';
import type { Report } from '../../engine/report-types.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { checkOutputPaths, jsonToStdout, OUTPUT_OPTIONS, type OutputPaths, writeOutputFile } from '../report-files.js';
import { toolVersion } from '../version.js';

export const usage = `Usage: mailprobe merge REPORT.json... [--threshold EXPR]... [options]

Combines the JSON reports of a distributed bench run, one per shard (bench --shard i/N
--json FILE on each machine), into one report: counts and errors add, latency histograms add
and every percentile is recomputed from the sum (exact: the same as one histogram fed every
sample), the per-second timeline is aligned on absolute time and summed, and thresholds are
evaluated once, over the merged numbers. A saturated generator on any shard is flagged with
the shard's name. See docs/distributed.md.

REPORT may also be a captured log whose last part is a report written with --json -
(e.g. kubectl logs of a shard pod).

Refused (exit 2): reports of different scenarios or loop modes, histograms of other settings
(another mailprobe version), a shard given twice, shards of different runs (total load,
--start-at, warm-up or shard count differ), shard reports mixed with whole ones, and
missing shards (unless --allow-partial).

Options:
  --threshold EXPR      repeatable: [metric:]stat op value, as for bench (e.g.
                        smtp.data:p99<50ms, session:rate>100/s, errors<1%, dropped<1%);
                        without it, the thresholds the shards were given are evaluated
  --allow-partial       merge even when shards are missing; the report says which and is
                        marked partial
  --json FILE|-         the merged JSON report (- for stdout); it can be merged again
  --md FILE             Markdown summary with a table of the shards (e.g. $GITHUB_STEP_SUMMARY)
  --html FILE           self-contained HTML report with latency and timeline charts
  --junit FILE          JUnit XML: one test case per threshold, one for the run

Exit codes: 0 done, 1 no iteration succeeded, 2 bad usage or reports that cannot be merged,
3 a threshold was crossed, 4 the target was unreachable from every shard.
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      ...OUTPUT_OPTIONS,
      threshold: { type: 'string', multiple: true },
      'allow-partial': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.OK;
  }
  if (positionals.length === 0) throw new MailprobeError('ECONFIG', 'give the shard reports to merge: mailprobe merge shard-0.json shard-1.json …');
  const outputs: OutputPaths = { json: values.json, md: values.md, html: values.html, junit: values.junit };
  for (const [flag, path] of Object.entries(outputs) as [string, string | undefined][]) {
    if (path === undefined || path === '-') continue;
    if (positionals.some((f) => resolve(f) === resolve(path))) throw new MailprobeError('ECONFIG', `--${flag} ${path} would overwrite a report being merged`);
  }
  await checkOutputPaths(outputs);

  const load = await import('../../engine/load/index.js');
  const thresholds = values.threshold?.map(load.parseThreshold);
  const inputs = [];
  for (const file of positionals) inputs.push(await load.readMergeInput(file));
  if (thresholds) {
    const scenario = inputs[0]!.bench.scenario;
    const { SCENARIOS } = await import('../../suites/bench/registry.js');
    const { IMAP_OPS } = await import('../../suites/bench/config.js');
    const info = Object.hasOwn(SCENARIOS, scenario) ? SCENARIOS[scenario as keyof typeof SCENARIOS] : undefined;
    checkMetricNames(scenario, [...(info?.metrics(IMAP_OPS) ?? []), ...inputs.flatMap((i) => Object.keys(i.bench.metrics))], thresholds);
  }
  const outcome = load.mergeReports(inputs, { version: toolVersion(), allowPartial: values['allow-partial'] === true, ...(thresholds ? { thresholds } : {}) });
  const { report } = outcome;
  const bench = report.bench!;

  const consoleOut = jsonToStdout(outputs) ? io.stderr : io.stdout;
  const { renderBenchConsole } = await import('../../reports/bench-console.js');
  const { renderShardsConsole } = await import('../../reports/bench-shards.js');
  const { shouldColor } = await import('../../reports/console-colors.js');
  const color = shouldColor(consoleOut, io.env);
  consoleOut.write(`mailprobe ${toolVersion()} merge: ${inputs.length} ${inputs.length === 1 ? 'report' : 'reports'} of ${bench.scenario} ${report.targets.join(' ')}\n`);
  consoleOut.write(renderBenchConsole(bench, { color }));
  consoleOut.write(renderShardsConsole(bench, { color }));
  if (report.insecure) consoleOut.write('warning: --insecure: certificate verification was off on at least one shard\n');
  const code = outcome.unreachable
    ? EXIT.UNREACHABLE
    : bench.thresholds.some((t) => !t.ok)
      ? EXIT.THRESHOLD
      : outcome.succeeded === 0
        ? EXIT.FAILED
        : EXIT.OK;
  await writeOutputs(report, outputs, io, code);
  return code;
}

/**
 * A threshold must name a metric the scenario can record (as bench checks before a run) or one
 * the reports hold: a typo is exit 2, not a threshold that fails for want of samples.
 */
function checkMetricNames(scenario: string, recorded: readonly string[], thresholds: readonly { expr: string; metric: string | undefined }[]): void {
  const known = new Set(recorded);
  known.add('iteration');
  for (const t of thresholds) {
    if (t.metric === undefined || known.has(t.metric)) continue;
    throw new MailprobeError('ECONFIG', `threshold "${t.expr}": ${scenario} records no metric "${t.metric}"; it records ${[...known].sort().join(', ')}`);
  }
}

async function writeOutputs(report: Report, outputs: OutputPaths, io: CliIo, exitCode: number): Promise<void> {
  const { renderJson } = await import('../../reports/json.js');
  if (outputs.json === '-') io.stdout.write(renderJson(report));
  else if (outputs.json !== undefined) await writeOutputFile('json', outputs.json, renderJson(report));
  if (outputs.md !== undefined) {
    const { renderBenchMarkdown } = await import('../../reports/bench-markdown.js');
    const { renderShardsMarkdown } = await import('../../reports/bench-shards.js');
    await writeOutputFile('md', outputs.md, renderBenchMarkdown(report.bench!, 2, { insecure: report.insecure === true }) + renderShardsMarkdown(report.bench!));
  }
  if (outputs.junit !== undefined) {
    const { renderBenchJunit } = await import('../../reports/bench-junit.js');
    await writeOutputFile('junit', outputs.junit, renderBenchJunit(report));
  }
  if (outputs.html !== undefined) {
    const { renderHtml } = await import('../../reports/html/index.js');
    await writeOutputFile('html', outputs.html, renderHtml(report, { exitCode }));
  }
}
