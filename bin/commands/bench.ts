/**
 * `mailprobe bench URL [WATCH_URL] --scenario NAME …`: load a mail server at a fixed arrival
 * rate (open loop) or concurrency (closed loop) and report per-command latency percentiles,
 * errors by class and thresholds (exit 3 when one is crossed). The engine is engine/load, the
 * scenarios suites/bench; this file turns flags into a request and the outcome into output.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MailprobeError } from '../../drivers/errors.js';
import { parseTarget } from '../../drivers/target.js';
import type { ClockReport, Report, ShardReport, TimelinePoint } from '../../engine/report-types.js';
import type { LoadPlan, Slice } from '../../engine/load/types.js';
import { IMAP_OPS, SCENARIO_NAMES, type BenchUser, type ImapOp, type ScenarioConfig } from '../../suites/bench/config.js';
import { DEFAULT_MIX } from '../../suites/bench/metric-names.js';
import { parseChoice, parseDuration, parsePositiveInt, splitList } from '../args.js';
import { CONNECTION_OPTIONS, resolveConnection } from '../connection-options.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { checkOutputPaths, jsonToStdout, writeOutputFile } from '../report-files.js';
import { toolVersion } from '../version.js';

export const usage = `Usage: mailprobe bench URL [WATCH_URL] --scenario NAME [options]

Loads a mail server and reports throughput, per-command latency percentiles (HDR histograms),
errors by class and thresholds. Latency is measured from when an iteration was due, so a slow
server cannot hide behind a slowed-down generator (coordinated omission).

Scenarios (--scenario):
  smtp-send       SMTP sessions sending messages (STARTTLS when offered, AUTH on submission
                  ports, PIPELINING when advertised); an iteration is one message
  imap-session    IMAP login, select, the --mix of commands per iteration, logout
  pop3-session    POP3 login, STAT, LIST, UIDL, RETR per iteration, QUIT
  e2e             submit over SMTP (URL), time until the message shows up over IMAP IDLE
                  or POP3 (WATCH_URL): e2e.delivery

Load:
  --rate N[/s|/m]         open loop: iterations start at this rate, due at t0 + i/rate;
                          an arrival finding no free session slot is dropped, not queued
  --ramp STAGES           open loop stages DURATION:RATE,…, e.g. 10s:100/s,30s:500/s
                          (linear; --rate is the starting rate, default 0)
  --concurrency N         closed loop: N sessions back to back (default 1); with --rate:
                          the most iterations in flight (default: one second's worth)
  --duration D            measured time (default 10s; e.g. 30s, 2m)
  --messages N            measured iterations (messages for smtp-send and e2e)
  --warmup D              run this long first, excluded from every metric
  --messages-per-session N  iterations on one connection before it is closed (default 1)
  --workers N             spread the load over N worker threads (rate and users split)

Distributed (docs/distributed.md):
  --shard i/N             run shard i (0 to N-1) of N: every N-th arrival of the one schedule,
                          every N-th user from i (never a user of another shard), 1/N of the
                          concurrency and budget; N shards make the load of one run. The JSON
                          report records shard, host and clock, and per-second histograms;
                          combine the reports with mailprobe merge (thresholds are judged
                          there: a shard's exit code ignores them)
  --start-at TIME         begin the schedule at TIME: ISO-8601 with a zone
                          (2030-01-02T03:04:05Z) or epoch milliseconds, the same for all
                          shards; at most 1 s late is accepted, later is exit 2
  --ntp HOST[:PORT]       measure this host's clock offset from an NTP server, correct the
                          start by it and record it in the report

Content:
  --size SIZE             message size: 1k (default), 10k, or bytes
  --users FILE            user:password lines; sessions log in round-robin (each worker
                          takes its own users)
  --from ADDRESS          envelope sender (default: the login, else mailprobe@<client name>)
  --rcpt ADDRESS          recipient, repeatable (default: each session's own user)
  --mix OPS               imap-session commands per iteration, in order, from
                          ${IMAP_OPS.join(', ')}
                          (default ${DEFAULT_MIX.join(',')}); OP*N repeats
  --pipeline              imap-session: write consecutive fetch/search/store/noop/status/
                          list of the mix as one pipelined group (RFC 9051 §5.5)
  --mailbox NAME          IMAP mailbox (default INBOX)
  --delivery-timeout D    e2e: a message not seen by then is lost (default 30s)
  --poll D                e2e over POP3: how often the mailbox is polled (default 250ms)

Gates and output:
  --threshold EXPR        repeatable: [metric:]stat op value, e.g. smtp.data:p99<50ms,
                          session:rate>100/s, errors<1%, dropped<1%; exit 3 when crossed
  --abort-on-fail         stop as soon as a threshold is crossed (checked every second)
  --json FILE|-           JSON report (- for stdout), with mergeable HDR histograms
  --html FILE             self-contained HTML report with latency and timeline charts
  --md FILE               Markdown summary (e.g. $GITHUB_STEP_SUMMARY)

Connection (as for check): --user, --password-env, --password-file, --servername, --ca,
--insecure, --starttls required|optional|never (default optional: used when offered),
--timeout D (per step, default 10s; also how long in-flight work may finish at the end).

Exit codes: 0 done, 1 nothing succeeded, 2 bad usage, 3 a threshold was crossed,
4 target unreachable, 130 interrupted (the report still covers what finished).
`;

/** The flags bench accepts (exported for the tests that check deployment files use only these). */
export const OPTIONS = {
  ...CONNECTION_OPTIONS,
  json: { type: 'string' },
  md: { type: 'string' },
  html: { type: 'string' },
  scenario: { type: 'string' },
  rate: { type: 'string' },
  ramp: { type: 'string' },
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  messages: { type: 'string' },
  warmup: { type: 'string' },
  'messages-per-session': { type: 'string' },
  workers: { type: 'string' },
  size: { type: 'string' },
  users: { type: 'string' },
  from: { type: 'string' },
  rcpt: { type: 'string', multiple: true },
  mix: { type: 'string' },
  pipeline: { type: 'boolean' },
  mailbox: { type: 'string' },
  'delivery-timeout': { type: 'string' },
  poll: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  'abort-on-fail': { type: 'boolean' },
  shard: { type: 'string' },
  'start-at': { type: 'string' },
  ntp: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.OK;
  }
  if (values.scenario === undefined) throw new MailprobeError('ECONFIG', `bench needs --scenario: ${SCENARIO_NAMES.join(', ')}`);
  const scenarioName = parseChoice('--scenario', values.scenario, SCENARIO_NAMES);
  if (positionals.length === 0 || positionals.length > 2) throw new MailprobeError('ECONFIG', 'bench takes a target URL (and, for e2e, a second URL to watch delivery on)');
  const target = parseTarget(positionals[0]!);
  const watch = positionals[1] === undefined ? undefined : parseTarget(positionals[1]);
  const outputs = { json: values.json, md: values.md, html: values.html };
  await checkOutputPaths(outputs);
  const connection = await resolveConnection(values, io, { timeoutMs: 10_000, starttls: 'optional' });

  // Only now load the engine (and hdr-histogram-js): --help and usage errors stay cheap.
  const load = await import('../../engine/load/index.js');
  const { buildPlan } = await import('../../engine/load/plan.js');
  const { checkScenario, checkThresholdMetrics } = await import('../../suites/bench/validate.js');
  const { BENCH_SCENARIOS } = await import('../../suites/bench/registry.js');

  const users: BenchUser[] = values.users !== undefined ? await load.readUsersFile(values.users) : [];
  if (connection.credentials) users.unshift({ user: connection.credentials.user, password: connection.credentials.password.reveal() });
  const workers = values.workers === undefined ? 1 : parsePositiveInt('--workers', values.workers, 64);
  const shard = values.shard === undefined ? undefined : load.parseShard(values.shard);
  const startAtMs = values['start-at'] === undefined ? undefined : load.parseStartAt(values['start-at']);
  const ntp = values.ntp === undefined ? undefined : load.parseNtpServer(values.ntp);
  const rcpt = splitList(values.rcpt);
  for (const r of rcpt) if (!/^[^@\s<>]+@[^@\s<>]+$/.test(r)) throw new MailprobeError('ECONFIG', `--rcpt "${r}" is not an address like user@example.org`);
  if ((values.mix !== undefined || values.pipeline) && scenarioName !== 'imap-session') throw new MailprobeError('ECONFIG', '--mix and --pipeline apply to --scenario imap-session only');
  const config: ScenarioConfig = {
    name: scenarioName,
    target,
    watch,
    tls: connection.tls,
    starttls: connection.starttls,
    timeouts: connection.timeouts,
    users,
    from: values.from,
    rcpt,
    sizeBytes: values.size === undefined ? 1024 : parseSize(values.size),
    mix: values.mix === undefined ? DEFAULT_MIX : parseMix(values.mix),
    pipeline: values.pipeline === true,
    mailbox: values.mailbox ?? 'INBOX',
    clientName: 'mailprobe.invalid',
    runId: randomBytes(4).toString('hex'),
    deliveryTimeoutMs: values['delivery-timeout'] === undefined ? 30_000 : parseDuration('--delivery-timeout', values['delivery-timeout']),
    pollMs: values.poll === undefined ? 250 : parseDuration('--poll', values.poll),
  };
  // Parts the run is cut into: shards × threads, each with its own users and Message-IDs.
  const parts = (shard?.count ?? 1) * workers;
  if (shard) checkShardParts(config, shard, workers, load.MAX_PARTS);
  checkScenario(config, parts);
  const thresholds = (values.threshold ?? []).map(load.parseThreshold);
  checkThresholdMetrics(config, thresholds);
  const plan = buildPlan({
    ratePerSec: values.rate === undefined ? undefined : load.parseRate('--rate', values.rate),
    stages: values.ramp === undefined ? [] : load.parseStages('--ramp', values.ramp, parseDuration),
    concurrency: values.concurrency === undefined ? undefined : parsePositiveInt('--concurrency', values.concurrency, 100_000),
    durationMs: values.duration === undefined ? undefined : parseDuration('--duration', values.duration),
    iterations: values.messages === undefined ? undefined : parsePositiveInt('--messages', values.messages),
    warmupMs: values.warmup === undefined ? 0 : parseDuration('--warmup', values.warmup),
    perSession: values['messages-per-session'] === undefined ? 1 : parsePositiveInt('--messages-per-session', values['messages-per-session']),
    drainMs: connection.stepTimeoutMs,
    parts: workers,
  });
  if (shard && plan.concurrency < parts) {
    throw new MailprobeError('ECONFIG', `${shardText(shard, workers)} needs --concurrency of at least ${parts} in all (one session per shard${workers > 1 ? ' and worker' : ''}); it is ${plan.concurrency}`);
  }

  const consoleOut = jsonToStdout(outputs) ? io.stderr : io.stdout;
  const { renderBenchConsole, renderBenchProgress } = await import('../../reports/bench-console.js');
  const { shouldColor } = await import('../../reports/console-colors.js');
  const color = shouldColor(consoleOut, io.env);
  const plannedSeconds = plan.durationMs === undefined ? undefined : Math.ceil(plan.durationMs / 1000);
  const live = liveProgress(consoleOut, (p) => renderBenchProgress(p, { color, ...(plannedSeconds ? { plannedSeconds } : {}) }));
  consoleOut.write(`mailprobe ${toolVersion()} bench ${scenarioName} ${[target, watch].filter((t) => t !== undefined).map((t) => t.url).join(' ')}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}\n`);

  const clock = ntp === undefined && startAtMs === undefined ? undefined : await measureClock(ntp, startAtMs, consoleOut);
  if (startAtMs !== undefined) consoleOut.write(`waiting for --start-at ${new Date(startAtMs).toISOString()}\n`);
  const startedAt = new Date();
  const t0 = performance.now();
  const outcome = await load.runBench({
    scenario: config,
    scenarios: BENCH_SCENARIOS,
    plan,
    thresholds,
    abortOnFail: values['abort-on-fail'] === true,
    workers,
    ...(io.signal ? { signal: io.signal } : {}),
    onPoint: live.point,
    ...(shard ? { shard, timelineHistograms: true } : {}),
    ...(startAtMs === undefined ? {} : { startAtMs }),
    ...(typeof clock?.offsetMs === 'number' ? { clockOffsetMs: clock.offsetMs } : {}),
  });
  live.end();
  const bench = {
    ...outcome.bench,
    ...(clock === undefined ? {} : { clock: { ...clock, ...(outcome.startLateMs === undefined ? {} : { startLateMs: outcome.startLateMs }) } }),
    ...(shard ? { shard: shardReport(shard, config, plan, load.usersOf(users, shard)) } : {}),
  };

  const { buildReport } = await import('../../engine/build-report.js');
  const report = buildReport({
    command: 'bench',
    version: toolVersion(),
    startedAt,
    durationMs: performance.now() - t0,
    targets: [target, watch].filter((t) => t !== undefined).map((t) => t.url),
    server: outcome.server,
    checks: [],
    bench,
    partial: outcome.aborted,
    insecure: connection.tls.insecure === true,
  });
  consoleOut.write(renderBenchConsole(bench, { color }));
  if (report.insecure) consoleOut.write('warning: --insecure: certificate verification was off\n');
  if (report.partial) consoleOut.write('note: the run was interrupted; the report covers what finished\n');
  if (outcome.startLateMs) consoleOut.write(`note: the schedule began ${outcome.startLateMs} ms after --start-at\n`);
  if (shard && thresholds.length > 0) {
    consoleOut.write(`note: shard ${shard.index}/${shard.count}: the thresholds above are this shard's numbers only; mailprobe merge judges them over all shards (this exit code ignores them)\n`);
  }
  // A shard's thresholds gate nothing: they are evaluated once, over the merged numbers.
  const crossed = !shard && bench.thresholds.some((t) => !t.ok);
  const code = outcome.aborted
    ? EXIT.INTERRUPTED
    : outcome.unreachable
      ? EXIT.UNREACHABLE
      : crossed
        ? EXIT.THRESHOLD
        : outcome.succeeded === 0
          ? EXIT.FAILED
          : EXIT.OK;
  await writeOutputs(report, outputs, io, code);
  return code;
}

function shardText(shard: Slice, workers: number): string {
  return `--shard ${shard.index}/${shard.count}${workers > 1 ? ` with --workers ${workers}` : ''}`;
}

/**
 * Every part (shard × thread) needs its own users when sessions log in or mail their own user
 * (two shards must never log in as the same user), and a Message-ID part number of its own.
 */
function checkShardParts(config: ScenarioConfig, shard: Slice, workers: number, maxParts: number): void {
  const parts = shard.count * workers;
  if (parts > maxParts) throw new MailprobeError('ECONFIG', `${shardText(shard, workers)} cuts the run into ${parts} parts; at most ${maxParts} (shards × workers)`);
  const needsLogin = config.name !== 'smtp-send' || config.target.role === 'submission';
  const usersNeeded = needsLogin || config.rcpt.length === 0;
  if (usersNeeded && config.users.length < parts) {
    throw new MailprobeError(
      'ECONFIG',
      `${shardText(shard, workers)} needs at least ${parts} users (each shard${workers > 1 ? ' and worker' : ''} logs in as its own, so no user is used by two shards at once); ${config.users.length === 0 ? 'none given' : `there ${config.users.length === 1 ? 'is 1' : `are ${config.users.length}`}`}`,
      {},
      { hint: 'give every shard the same --users FILE with enough user:password lines' },
    );
  }
}

/** The report's `shard`: which part this is and what the whole run asked for. */
function shardReport(shard: Slice, config: ScenarioConfig, plan: LoadPlan, mine: readonly BenchUser[]): ShardReport {
  return {
    index: shard.index,
    count: shard.count,
    host: hostname(),
    runId: config.runId,
    users: { count: mine.length, names: mine.slice(0, 20).map((u) => u.user) },
    total: {
      ratePerSec: plan.mode === 'open' ? plan.ratePerSec : 0,
      concurrency: plan.concurrency,
      ...(plan.iterations === undefined ? {} : { iterations: plan.iterations }),
      ...(plan.stages.length > 0 ? { stages: plan.stages.map((s) => ({ durationMs: s.durationMs, ratePerSec: s.targetRatePerSec })) } : {}),
    },
  };
}

/** `--ntp` and `--start-at` as the report's `clock`; an NTP failure is a warning, not the end of the run. */
async function measureClock(ntp: { host: string; port: number } | undefined, startAtMs: number | undefined, out: CliIo['stdout']): Promise<ClockReport> {
  const startAt = startAtMs === undefined ? {} : { startAt: new Date(startAtMs).toISOString() };
  if (ntp === undefined) return { ...startAt, offsetMs: null };
  const { measureClockOffset } = await import('../../engine/load/sntp.js');
  try {
    const m = await measureClockOffset(ntp.host, ntp.port);
    out.write(`clock: ${m.offsetMs >= 0 ? '+' : ''}${m.offsetMs} ms from ${m.source} (round trip ${m.rttMs} ms)\n`);
    return { ...startAt, offsetMs: m.offsetMs, source: m.source, rttMs: m.rttMs };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    out.write(`warning: --ntp: no clock offset (${error}); starting by this host's clock\n`);
    return { ...startAt, offsetMs: null, source: `ntp://${ntp.host}:${ntp.port}`, error };
  }
}

/** `1k`, `10k`, `2m` (KiB/MiB) or bytes. */
function parseSize(text: string): number {
  const m = /^(\d+)\s*([km]?)b?$/i.exec(text.trim());
  if (!m) throw new MailprobeError('ECONFIG', `--size "${text}" is not a size (e.g. 1k, 10k, 4096)`);
  const bytes = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1024 : m[2]?.toLowerCase() === 'm' ? 1024 * 1024 : 1);
  if (bytes < 1 || bytes > 64 * 1024 * 1024) throw new MailprobeError('ECONFIG', '--size must be between 1 byte and 64m');
  return bytes;
}

/** `fetch,search*2,store` → the ops in order. */
function parseMix(text: string): ImapOp[] {
  const ops: ImapOp[] = [];
  for (const part of splitList([text])) {
    const [name, times] = part.split('*');
    const op = parseChoice('--mix', name!.trim(), IMAP_OPS);
    const n = times === undefined ? 1 : parsePositiveInt('--mix', times.trim(), 100);
    for (let i = 0; i < n; i++) ops.push(op);
  }
  if (ops.length === 0) throw new MailprobeError('ECONFIG', '--mix needs at least one command');
  return ops;
}

/** A line per second rewritten in place on a TTY; a plain line every 10 s otherwise. */
function liveProgress(out: CliIo['stdout'], render: (p: TimelinePoint) => string): { point: (p: TimelinePoint) => void; end: () => void } {
  const tty = out.isTTY === true;
  let shown = false;
  return {
    point: (p) => {
      if (tty) {
        out.write(`\r\x1b[2K${render(p)}`);
        shown = true;
      } else if (p.t % 10 === 0) out.write(`${render(p)}\n`);
    },
    end: () => {
      if (shown) out.write('\n');
    },
  };
}

async function writeOutputs(report: Report, outputs: { json?: string | undefined; md?: string | undefined; html?: string | undefined }, io: CliIo, exitCode: number): Promise<void> {
  const { renderJson } = await import('../../reports/json.js');
  const { renderBenchMarkdown } = await import('../../reports/bench-markdown.js');
  if (outputs.json === '-') io.stdout.write(renderJson(report));
  else if (outputs.json !== undefined) await writeOutputFile('json', outputs.json, renderJson(report));
  if (outputs.md !== undefined && report.bench) await writeOutputFile('md', outputs.md, renderBenchMarkdown(report.bench, 2, { insecure: report.insecure === true }));
  if (outputs.html !== undefined) {
    const { renderHtml } = await import('../../reports/html/index.js');
    await writeOutputFile('html', outputs.html, renderHtml(report, { exitCode }));
  }
}
