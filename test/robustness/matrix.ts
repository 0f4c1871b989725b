/**
 * One row of the hostile-server matrix: check, diagnose and bench against one hostile server
 * (the three at once, each timed on its own), then the assertions every row shares: within the
 * bound, a classified result with a transcript, every report well-formed, no unhandled error,
 * no leaked socket or timer, memory bounded. describeMatrix turns a file's rows into tests.
 */
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_IDS } from '../../engine/diagnose/catalogue.js';
import { ERROR_CLASSES } from '../../engine/load/classify.js';
import { SEVERITIES, type Severity } from '../../engine/report-types.js';
import { CASES, type CaseMeta } from './hostile-cases.js';
import { recordFigure, resources, runCli, settleLeaks, startHostiles, warmUp, watchMemory, type CliRun, type Hostiles } from './harness.js';

/** --timeout for every command of the matrix. */
export const TIMEOUT_MS = 1000;
/** --duration of the bench runs. */
export const BENCH_DURATION_MS = 1000;
/**
 * The bound each command must finish within. No row should come near it (the figures in
 * docs/robustness.md are 0.1–3 s), but a loaded CI machine gets room; what it proves is that
 * the deadlines hold: without them greeting-after-30s alone would take 30 s, and drip-feed,
 * the stalls and the never-reading server would never end.
 */
export const BOUND_MS = 10 * TIMEOUT_MS;
/** Peak growth of heap + ArrayBuffers during a row (the three commands together). */
export const PEAK_MEMORY_MB = 256;
/** Growth that survives a full GC after the row: what would accumulate over many runs. */
export const RETAINED_MEMORY_MB = 32;

export const PASSWORD = 'Hostile-Pass-7f3e';
const USER = 'robust@hostile.test';

export interface RowExpectation {
  readonly check: number;
  readonly bench: number;
  /** Error classes the bench must report (at least these; nothing unclassified). */
  readonly benchErrors: readonly string[];
  /** diagnose must find nothing above info (a false alarm would be a bug). */
  readonly diagnoseClean?: boolean;
  /** The finding diagnose must report at high (docs/robustness.md's diagnose column). */
  readonly diagnoseFinding?: string;
}

export interface RowResult {
  readonly check: CliRun;
  readonly diagnose: CliRun;
  readonly bench: CliRun;
  readonly leaked: string[];
  readonly memory: { peakMb: number; afterGcMb: number };
  readonly unhandled: string[];
}

/**
 * A test file's rows of the matrix: the hostile servers of those rows started (with a warm-up)
 * before, stopped after, and one test per row that runs it, records its figures and asserts
 * expectRow; `more` adds a file's own assertions for a row.
 */
export function describeMatrix(title: string, rows: Readonly<Record<string, RowExpectation>>, more?: (c: CaseMeta, r: RowResult) => void): void {
  const cases = CASES.filter((c) => c.name in rows);
  let h: Hostiles;
  beforeAll(async () => {
    [h] = await Promise.all([startHostiles(cases.map((c) => c.name)), warmUp()]);
  }, 60_000);
  afterAll(() => h?.stop());

  describe(title, () => {
    it.each(cases)('$name ($what)', async (c) => {
      const r = await runRow(h, c);
      recordFigures(c, r);
      expectRow(c, r, rows[c.name]!);
      more?.(c, r);
    }, 3 * BOUND_MS);
  });
}

export async function runRow(h: Hostiles, c: CaseMeta): Promise<RowResult> {
  const url = h.url(c.name, c.scheme);
  const t = `${TIMEOUT_MS}ms`;
  const trust = c.trustRoot ? ['--ca', h.chainRootPath, '--servername', 'mail.test'] : [];
  const scenario =
    c.protocol === 'smtp'
      ? ['--scenario', 'smtp-send', '--rcpt', 'sink@hostile.test', ...(c.scheme === 'smtps' ? ['--user', USER] : [])]
      : ['--scenario', 'imap-session', '--user', USER];
  const env = { MAILPROBE_PASSWORD: PASSWORD, NO_COLOR: '1' };
  const unhandled: string[] = [];
  const onUnhandled = (err: unknown): void => void unhandled.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const baseline = resources();
  const memory = watchMemory();
  try {
    const [check, diagnose, bench] = await Promise.all([
      runCli(['check', url, '--timeout', t, ...trust], { env, formats: ['json', 'junit', 'md', 'html'] }),
      runCli(['diagnose', url, '--timeout', t, ...trust], { env, formats: ['json', 'junit', 'md'] }),
      runCli(['bench', url, ...scenario, '--concurrency', '2', '--duration', `${BENCH_DURATION_MS}ms`, '--timeout', t, ...(c.benchArgs ?? []), ...trust], { env, formats: ['json', 'md', 'html'] }),
    ]);
    const peakMb = memory.stop();
    // Sockets release their write buffers when their handles close: measure after that.
    const leaked = await settleLeaks(baseline);
    return { check, diagnose, bench, leaked, memory: { peakMb, afterGcMb: await memory.retained(RETAINED_MEMORY_MB) }, unhandled };
  } finally {
    memory.stop();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  }
}

/** Raw control characters a terminal would act on (NUL, ESC, …); newline and tab are fine. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function expectCommon(run: CliRun, name: string): void {
  const what = `${name}: ${run.argv.join(' ')}\nstderr: ${run.stderr.slice(0, 2000)}`;
  expect(run.ms, what).toBeLessThan(BOUND_MS);
  expect(run.report, what).toBeDefined();
  expect(run.report!.partial, what).toBe(false);
  expect(run.stderr, what).not.toMatch(/internal error|\n\s+at /);
  expect(CONTROL.test(run.stdout), `${what}: raw control characters on the console`).toBe(false);
  if (run.files['junit'] !== undefined) expect(XMLValidator.validate(run.files['junit']), `${what}: JUnit`).toBe(true);
  if (run.files['md'] !== undefined) expect(CONTROL.test(run.files['md']), `${what}: Markdown`).toBe(false);
  if (run.files['html'] !== undefined) expect(run.files['html'], what).toMatch(/^<!doctype html>/i);
}

export function expectRow(c: CaseMeta, r: RowResult, want: RowExpectation): void {
  expect(r.unhandled, `${c.name}: unhandled errors`).toEqual([]);
  expect(r.leaked, `${c.name}: sockets or timers left behind`).toEqual([]);
  expect(r.memory.peakMb, `${c.name}: peak memory`).toBeLessThan(PEAK_MEMORY_MB);
  expect(r.memory.afterGcMb, `${c.name}: memory retained after GC`).toBeLessThan(RETAINED_MEMORY_MB);

  // check: every verdict classified, none is a harness error, the non-passing ones explained.
  expectCommon(r.check, `${c.name} check`);
  const check = r.check.report!;
  expect(r.check.code, `${c.name} check exit; stdout:\n${r.check.stdout.slice(-3000)}`).toBe(want.check);
  expect(check.summary.error, `${c.name}: harness errors ${JSON.stringify(check.checks.filter((x) => x.status === 'error').map((x) => x.message))}`).toBe(0);
  expect(check.checks.length).toBeGreaterThan(0);
  for (const x of check.checks) if (x.status !== 'pass') expect(x.message.length, x.id).toBeGreaterThan(0);
  expect(check.checks.some((x) => x.status !== 'pass' && x.status !== 'skip' && x.transcript.length > 0), `${c.name}: no transcript`).toBe(true);

  // diagnose: the port classified, findings from the catalogue with evidence, exit per --fail-on high.
  expectCommon(r.diagnose, `${c.name} diagnose`);
  const diag = r.diagnose.report!;
  expect(diag.ports?.length).toBe(1);
  if (want.diagnoseClean) expect(diag.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}: ${f.detail}`), `${c.name}: false alarm`).toEqual([]);
  else expect(diag.findings.length, `${c.name}: diagnose found nothing`).toBeGreaterThan(0);
  if (want.diagnoseFinding !== undefined) {
    expect(diag.findings.map((f) => `${f.id} (${f.severity})`), `${c.name}: diagnose findings`).toContain(`${want.diagnoseFinding} (high)`);
  }
  // Every finding is from the catalogue and says what was seen (evidence is the finding's own
  // business: some, like starttls.not-offered, state an absence and carry none).
  for (const f of diag.findings) {
    expect(FINDING_IDS as readonly string[]).toContain(f.id);
    expect(f.detail.length).toBeGreaterThan(0);
  }
  const high = diag.findings.some((f) => SEVERITIES.indexOf(f.severity as Severity) <= SEVERITIES.indexOf('high'));
  expect(r.diagnose.code, `${c.name} diagnose exit`).toBe(high ? 1 : 0);

  // bench: errors by class (never "other": that would be mailprobe's own bug), samples as transcript.
  expectCommon(r.bench, `${c.name} bench`);
  const bench = r.bench.report!.bench!;
  expect(r.bench.code, `${c.name} bench exit; errors ${JSON.stringify(bench.errors)} ${JSON.stringify(bench.errorSamples)}`).toBe(want.bench);
  const classes = Object.keys(bench.errors ?? {});
  for (const k of classes) expect(ERROR_CLASSES as readonly string[]).toContain(k);
  expect(classes, `${c.name}: unclassified bench errors ${JSON.stringify(bench.errorSamples)}`).not.toContain('other');
  for (const k of want.benchErrors) expect(classes, `${c.name}: bench errors ${JSON.stringify(bench.errors)}`).toContain(k);
  for (const k of classes) expect(bench.errorSamples?.[k]?.length ?? 0, `${c.name}: no sample for ${k}`).toBeGreaterThan(0);
}

/** The row's figures for docs/robustness.md (harness.ts recordFigure). */
export function recordFigures(c: CaseMeta, r: RowResult): void {
  recordFigure({
    kind: 'matrix',
    case: c.name,
    what: c.what,
    check: { code: r.check.code, ms: Math.round(r.check.ms), summary: r.check.report?.summary },
    diagnose: { code: r.diagnose.code, ms: Math.round(r.diagnose.ms), observed: r.diagnose.report?.ports?.map((p) => p.observed), findings: r.diagnose.report?.findings.map((f) => `${f.id} (${f.severity})`) },
    bench: { code: r.bench.code, ms: Math.round(r.bench.ms), errors: r.bench.report?.bench?.errors, sample: Object.values(r.bench.report?.bench?.errorSamples ?? {})[0]?.[0] },
    memory: r.memory,
  });
}
