/**
 * Reports for the HTML tests, one per command, shaped like what mailprobe writes: a check run
 * over SMTP, IMAP and POP3 with transcripts, a diagnose run with a port matrix and findings,
 * and a bench run whose metrics come from real HdrHistograms of generated latencies (so the
 * percentiles, counts and `hdr` agree with each other as the engine's do); and a demo's combined
 * report of all of them with two bench runs, built as `mailprobe demo` builds it.
 */
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { buildDemoReport } from '../../bin/demo-report.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import {
  SCHEMA_VERSION,
  summarize,
  type BenchMetric,
  type BenchReport,
  type CheckResult,
  type Finding,
  type PortReport,
  type Report,
  type TimelinePoint,
} from '../../engine/report-types.js';

const STARTED_AT = '2025-06-01T09:30:00.000Z';
const DAY_MS = 86_400_000;

export const SMTP = 'smtp://mx.example.test:25';
export const IMAP = 'imaps://mail.example.test:993';
export const POP3 = 'pop3://mail.example.test:110';

/** A conversation: `[dir, text]` pairs 0.8 ms apart. */
export function conversation(...lines: [TranscriptEntry['dir'], string][]): TranscriptEntry[] {
  return lines.map(([dir, text], i) => ({ t: Math.round(i * 0.8 * 1000) / 1000, dir, text }));
}

const EHLO = conversation(
  ['S', '220 mx.example.test ESMTP Postfix'],
  ['C', 'EHLO mailprobe.test'],
  ['S', '250-mx.example.test'],
  ['S', '250-PIPELINING'],
  ['S', '250-SIZE 10240000'],
  ['S', '250-STARTTLS'],
  ['S', '250 8BITMIME'],
);

function check(c: Partial<CheckResult> & Pick<CheckResult, 'id' | 'title' | 'status'>): CheckResult {
  return { protocol: 'smtp', target: SMTP, ref: 'RFC 5321 §4.1.1.1', level: 'MUST', message: '', durationMs: 14, transcript: [], ...c };
}

export function checkReport(): Report {
  const checks: CheckResult[] = [
    check({ id: 'smtp.greeting.code', title: 'The greeting is a 220 reply', ref: 'RFC 5321 §4.2', status: 'pass', transcript: EHLO.slice(0, 1) }),
    check({ id: 'smtp.ehlo.multiline-format', title: 'EHLO reply lines are well formed', ref: 'RFC 5321 §4.2.1', status: 'pass', transcript: EHLO }),
    check({
      id: 'smtp.transaction.bare-lf',
      title: 'A bare LF in DATA is refused',
      ref: 'RFC 5321 §2.3.8',
      status: 'fail',
      message: 'expected 5xx for a message with a bare LF, got 250 2.0.0 Ok: queued as 4Zx1',
      durationMs: 31,
      transcript: [
        ...EHLO,
        ...conversation(['C', 'MAIL FROM:<probe@mailprobe.test>'], ['S', '250 2.1.0 Ok'], ['C', 'RCPT TO:<postmaster@example.test>'], ['S', '250 2.1.5 Ok'], ['C', 'DATA'], ['S', '354 End data with <CR><LF>.<CR><LF>'], ['I', '(sent 212 bytes, one bare LF at byte 96)'], ['C', '.'], ['S', '250 2.0.0 Ok: queued as 4Zx1']).map((e) => ({ ...e, t: e.t + 6 })),
      ],
    }),
    check({ id: 'smtp.vrfy.answer', title: 'VRFY is answered', ref: 'RFC 5321 §3.5.3', level: 'SHOULD', status: 'warn', message: 'VRFY answered 502 5.5.1 disabled: permitted, but 252 is preferred', transcript: conversation(['C', 'VRFY postmaster'], ['S', '502 5.5.1 VRFY command is disabled']) }),
    check({ id: 'smtp.auth.plain', title: 'AUTH PLAIN after STARTTLS', ref: 'RFC 4954 §4', status: 'skip', message: 'the server does not announce AUTH' }),
    check({ id: 'smtp.rate.greeting-delay', title: 'Greeting within 5 minutes', ref: 'RFC 5321 §4.5.3.2.1', status: 'inconclusive', message: '421 4.7.0 too many connections from your address', transcript: conversation(['S', '421 4.7.0 too many connections from your address']) }),
    check({ id: 'imap.capability.imap4rev2', protocol: 'imap', target: IMAP, title: 'CAPABILITY lists IMAP4rev1 or IMAP4rev2', ref: 'RFC 9051 §6.1.1', status: 'pass', durationMs: 9 }),
    check({
      id: 'imap.fetch.body-peek',
      protocol: 'imap',
      target: IMAP,
      title: 'BODY.PEEK does not set \\Seen',
      ref: 'RFC 9051 §6.4.5',
      status: 'fail',
      message: 'expected FLAGS without \\Seen after BODY.PEEK[], got:\n* 1 FETCH (FLAGS (\\Seen))',
      transcript: conversation(['C', 'a1 SELECT INBOX'], ['S', '* 1 EXISTS'], ['S', 'a1 OK [READ-WRITE] SELECT completed'], ['C', 'a2 FETCH 1 (BODY.PEEK[])'], ['S', '* 1 FETCH (BODY[] {42}'], ['I', '(42-byte literal)'], ['S', 'a2 OK Fetch completed'], ['C', 'a3 FETCH 1 (FLAGS)'], ['S', '* 1 FETCH (FLAGS (\\Seen))'], ['S', 'a3 OK Fetch completed']),
    }),
    check({ id: 'pop3.capa.stls', protocol: 'pop3', target: POP3, title: 'CAPA lists STLS', ref: 'RFC 2595 §4', status: 'pass' }),
    check({ id: 'pop3.uidl.unique', protocol: 'pop3', target: POP3, title: 'UIDL ids are unique', ref: 'RFC 1939 §7', status: 'error', message: 'TypeError: harness bug: cannot read properties of undefined', transcript: conversation(['C', 'UIDL'], ['S', '+OK'], ['I', 'harness error after 1 line']) }),
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: '0.1.0' },
    command: 'check',
    startedAt: STARTED_AT,
    durationMs: 4_812,
    targets: [SMTP, IMAP, POP3],
    server: {
      [SMTP]: { greeting: '220 mx.example.test ESMTP Postfix', capabilities: ['PIPELINING', 'SIZE 10240000', 'STARTTLS', '8BITMIME'] },
      [IMAP]: { greeting: '* OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN] Dovecot ready.', capabilities: ['IMAP4rev1', 'IMAP4rev2', 'AUTH=PLAIN', 'IDLE'] },
      [POP3]: { greeting: '+OK Dovecot ready.', capabilities: ['TOP', 'UIDL', 'STLS', 'USER'] },
    },
    summary: summarize(checks),
    checks,
    findings: [],
  };
}

function cert(daysLeft: number, overrides: Partial<NonNullable<NonNullable<PortReport['tls']>['certificate']>> = {}) {
  const start = Date.parse(STARTED_AT);
  return {
    subject: 'CN=mail.example.test',
    san: ['mail.example.test', 'mx.example.test'],
    issuer: 'CN=Example Test CA, O=Example',
    notBefore: new Date(start - 60 * DAY_MS).toISOString(),
    // An hour off the whole day, away from it: the days-left text is stable.
    notAfter: new Date(start + daysLeft * DAY_MS + Math.sign(daysLeft) * 3_600_000).toISOString(),
    keyBits: 2048,
    chainLength: 2,
    trusted: true,
    error: null,
    ...overrides,
  };
}

export function diagnoseReport(): Report {
  const tls13 = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', versions: ['TLSv1.2', 'TLSv1.3'] };
  const ports: PortReport[] = [
    { port: 25, expected: 'smtp', observed: 'smtp-starttls', tls: { ...tls13, certificate: cert(80) } },
    { port: 465, expected: 'smtps', observed: 'tls', tls: { ...tls13, certificate: cert(-12, { trusted: false, error: 'CERT_HAS_EXPIRED' }) } },
    { port: 587, expected: 'submission', observed: 'smtp-plaintext' },
    { port: 143, expected: 'imap', observed: 'imap-starttls', tls: { ...tls13, certificate: cert(9) } },
    { port: 993, expected: 'imaps', observed: 'tls', tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', versions: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], certificate: cert(80) } },
    { port: 110, expected: 'pop3', observed: 'closed' },
    { port: 995, expected: 'pop3s', observed: 'timeout' },
    { port: 2525, expected: 'smtp', observed: 'imap-plaintext' },
  ];
  const findings: Finding[] = [
    {
      id: 'auth.plaintext-before-tls',
      severity: 'high',
      target: 'mail.example.test:587',
      port: 587,
      title: 'Passwords can be sent before TLS on the submission port',
      detail: 'Port 587 offers AUTH PLAIN LOGIN and no STARTTLS: a client sends the password in cleartext.',
      fix: 'Postfix: smtpd_tls_auth_only = yes and smtpd_tls_security_level = encrypt for submission in master.cf.',
      evidence: ['C: EHLO mailprobe.test', 'S: 250-mail.example.test', 'S: 250-AUTH PLAIN LOGIN', 'S: 250 8BITMIME'],
    },
    {
      id: 'tls.cert.expired',
      severity: 'critical',
      target: 'mail.example.test:465',
      port: 465,
      title: 'The certificate on port 465 expired 12 days ago',
      detail: 'notAfter was 12 days before this run; clients that verify refuse to connect.',
      fix: 'Renew the certificate (certbot renew) and reload the server.',
      evidence: ['subject CN=mail.example.test', `notAfter ${cert(-12).notAfter}`],
    },
    {
      id: 'tls.version.legacy',
      severity: 'medium',
      target: 'mail.example.test:993',
      port: 993,
      title: 'TLS 1.0 and 1.1 are accepted on port 993',
      detail: 'RFC 8996 deprecates TLS 1.0 and 1.1.',
      fix: 'Dovecot: ssl_min_protocol = TLSv1.2',
      evidence: ['handshake with TLSv1 succeeded', 'handshake with TLSv1.1 succeeded'],
    },
    {
      id: 'tls.cert.expiring-soon',
      severity: 'low',
      target: 'mail.example.test:143',
      port: 143,
      title: 'The certificate on port 143 expires in 9 days',
      detail: '',
      fix: 'Renew it before it expires.',
      evidence: [],
    },
    { id: 'port.closed', severity: 'info', target: 'mail.example.test:110', port: 110, title: 'Port 110 is closed', detail: 'Connection refused.', fix: '', evidence: [] },
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: '0.1.0' },
    command: 'diagnose',
    startedAt: STARTED_AT,
    durationMs: 7_340,
    targets: ['mail.example.test'],
    server: {
      'smtp://mail.example.test:25': { greeting: '220 mail.example.test ESMTP Postfix (Debian/GNU)', capabilities: ['PIPELINING', 'STARTTLS', 'SIZE 10240000'] },
      'imap://mail.example.test:143': { greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot (Debian) ready.', capabilities: ['IMAP4rev1', 'STARTTLS', 'LOGINDISABLED'] },
    },
    summary: summarize([]),
    checks: [],
    findings,
    ports,
  };
}

/** A small deterministic PRNG (mulberry32): the same "random" latencies on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A metric from `count` latencies around `medianMs` (log-normal, with a slow tail), the way the engine summarises. */
function metric(seed: number, count: number, errors: number, medianMs: number, durationS: number): BenchMetric {
  const next = random(seed);
  const h = build({ bitBucketSize: 64, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  for (let i = 0; i < count - errors; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const stall = next() < 0.004 ? 40 + next() * 200 : 0;
    h.recordValue(Math.max(1, Math.round((medianMs * Math.exp(0.45 * normal) + stall) * 1000)));
  }
  const ms = (us: number): number => Math.round(Math.min(us, h.maxValue)) / 1000;
  const latencyMs = {
    min: ms(h.minNonZeroValue),
    mean: Math.round(h.mean) / 1000,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
  return { count, errors, ratePerSec: Math.round((count / durationS) * 100) / 100, latencyMs, hdr: encodeIntoCompressedBase64(h) };
}

/** An open-loop smtp-send run at 200/s for 30 s with a server stall around t=17 s. */
export function benchReport(overrides: Partial<BenchReport> = {}): Report {
  const seconds = 30;
  const n = 200 * seconds;
  const next = random(7);
  const timeline: TimelinePoint[] = Array.from({ length: seconds }, (_, i) => {
    const stall = i === 16 || i === 17;
    const ops = 200 + Math.round((next() - 0.5) * 6);
    return {
      t: i + 1,
      ops,
      errors: stall ? 4 + Math.round(next() * 3) : i === 25 ? 1 : 0,
      p50Ms: Math.round((stall ? 6 + next() * 4 : 1.1 + next() * 0.3) * 1000) / 1000,
      p99Ms: Math.round((stall ? 180 + next() * 60 : 7 + next() * 4) * 1000) / 1000,
    };
  });
  const bench: BenchReport = {
    scenario: 'smtp-send',
    mode: 'open',
    ratePerSec: 200,
    concurrency: 64,
    durationMs: seconds * 1000,
    warmupMs: 5_000,
    dropped: 3,
    metrics: {
      iteration: metric(1, n, 12, 2.4, seconds),
      session: metric(2, n, 12, 2.2, seconds),
      'smtp.connect': metric(3, n, 9, 0.25, seconds),
      'smtp.greeting': metric(4, n - 9, 0, 0.05, seconds),
      'smtp.ehlo': metric(5, n - 9, 0, 0.09, seconds),
      'smtp.mail': metric(6, n - 9, 0, 0.06, seconds),
      'smtp.rcpt': metric(7, n - 9, 0, 0.07, seconds),
      'smtp.data': metric(8, n - 9, 3, 0.9, seconds),
      'smtp.quit': metric(9, n - 12, 0, 0.08, seconds),
    },
    timeline,
    thresholds: [
      { expr: 'smtp.data:p99<2ms', ok: false, actual: 0 },
      { expr: 'errors<1%', ok: true, actual: 0.2 },
      { expr: 'iteration:rate>190', ok: true, actual: 199.4 },
    ],
    errors: { connect: 9, '4xx': 3 },
    errorSamples: { connect: ['ECONNRESET: read ECONNRESET'], '4xx': ['451 4.3.0 Error: queue file write error'] },
    workers: 2,
    generator: { cpuPercent: 38.5, eventLoopDelayP99Ms: 4.2, saturated: false, eventLoopUtilization: 0.31, startLagP99Ms: 1.8 },
    ...overrides,
  };
  const data = bench.metrics['smtp.data']!;
  const withActual: BenchReport = { ...bench, thresholds: bench.thresholds.map((t, i) => (i === 0 ? { ...t, actual: data.latencyMs.p99, ok: data.latencyMs.p99 < 2 } : t)) };
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: '0.1.0' },
    command: 'bench',
    startedAt: STARTED_AT,
    durationMs: 35_410,
    targets: [SMTP],
    server: { [SMTP]: { greeting: '220 mx.example.test ESMTP Postfix', capabilities: ['PIPELINING', 'STARTTLS', '8BITMIME'] } },
    summary: summarize([]),
    checks: [],
    findings: [],
    bench: withActual,
  };
}

/** A host name a hostile or careless operator could give a shard (a pod name is free text to the report). */
export const HOSTILE_HOST = '<img src=x onerror=alert(1)>';

const SHARD_START_AT = '2025-06-01T09:30:05.000Z';

/** Shard 1 of 4 of a distributed run on `host`, with its clock measured by NTP and per-second histograms. */
export function shardReport(host = 'bench-1-x7k'): Report {
  const base = benchReport();
  const whole = base.bench!;
  const hdr = whole.metrics['iteration']!.hdr;
  return {
    ...base,
    bench: {
      ...whole,
      ratePerSec: 50,
      concurrency: 16,
      timeline: whole.timeline.map((p) => ({ ...p, hdr })),
      measuredFrom: '2025-06-01T09:30:10.000Z',
      arrivals: 6003,
      clock: { startAt: SHARD_START_AT, offsetMs: 12.5, source: 'ntp://time.example.test:123', rttMs: 0.8, startLateMs: 0 },
      shard: {
        index: 1,
        count: 4,
        host,
        runId: '0a1b2c3d',
        users: { count: 25, names: ['u1@example.test', 'u5@example.test'] },
        total: { ratePerSec: 200, concurrency: 64, iterations: 24_000, stages: [{ durationMs: 10_000, ratePerSec: 400 }] },
      },
    },
  };
}

/** A merge of two shards of two (one of them on `host`, saturated, late and interrupted), with notes. */
export function mergedReport(host = 'bench-1-x7k'): Report {
  const base = benchReport({ stages: [{ durationMs: 10_000, ratePerSec: 400 }], interrupted: 2, abortedBy: 'errors<1% (shard 1/2 on bench-1)' });
  const shardOf = (index: number, h: string) => ({ ...shardReport(h).bench!.shard!, index, count: 2, host: h, runId: `run${index}` });
  const generator = { cpuPercent: 20, eventLoopDelayP99Ms: 2.1, saturated: false, eventLoopUtilization: 0.2, startLagP99Ms: 0.9 };
  return {
    ...base,
    partial: true,
    bench: {
      ...base.bench!,
      generator: { ...base.bench!.generator, cpuPercent: 97, saturated: true, reason: `shard 1/2 on ${host}: the generator's event loop was busy 95% of the time` },
      measuredFrom: '2025-06-01T09:30:10.000Z',
      arrivals: 6003,
      shards: [
        {
          file: 'results/shard-0.json',
          shard: shardOf(0, 'bench-0-a1b'),
          clock: { startAt: SHARD_START_AT, offsetMs: -3, source: 'ntp://time.example.test:123', rttMs: 1.1, startLateMs: 0 },
          startedAt: STARTED_AT,
          measuredFrom: '2025-06-01T09:30:10.000Z',
          durationMs: 30_000,
          iterations: 3000,
          errors: 0,
          dropped: 1,
          workers: 2,
          generator,
        },
        {
          file: `results/${host}.json`,
          shard: shardOf(1, host),
          clock: { startAt: SHARD_START_AT, offsetMs: null, error: 'no answer from ntp://time.example.test:123', startLateMs: 40 },
          startedAt: STARTED_AT,
          measuredFrom: '2025-06-01T09:30:10.040Z',
          durationMs: 29_960,
          iterations: 3000,
          errors: 12,
          dropped: 2,
          workers: 2,
          partial: true,
          abortedBy: 'errors<1%',
          generator: { ...generator, cpuPercent: 97, saturated: true, reason: 'the generator\'s event loop was busy 95% of the time' },
        },
      ],
      notes: [`shard 1/2 started 40 ms after --start-at`, `shard 1/2: its clock offset could not be measured (${host})`],
    },
  };
}

/** A closed-loop imap-session run, 4 sessions for 10 s, against the IMAP target. */
export function imapBenchReport(overrides: Partial<BenchReport> = {}): Report {
  const seconds = 10;
  const n = 80 * seconds;
  const next = random(11);
  const timeline: TimelinePoint[] = Array.from({ length: seconds }, (_, i) => ({
    t: i + 1,
    ops: 80 + Math.round((next() - 0.5) * 8),
    errors: 0,
    p50Ms: Math.round((11 + next() * 2) * 1000) / 1000,
    p99Ms: Math.round((30 + next() * 10) * 1000) / 1000,
  }));
  return {
    ...benchReport(),
    targets: [IMAP],
    server: { [IMAP]: { greeting: '* OK [CAPABILITY IMAP4rev1 IDLE] Dovecot ready.', capabilities: ['IMAP4rev1', 'IDLE'] } },
    bench: {
      scenario: 'imap-session',
      mode: 'closed',
      ratePerSec: 0,
      concurrency: 4,
      durationMs: seconds * 1000,
      warmupMs: 1_000,
      dropped: 0,
      metrics: {
        iteration: metric(21, n, 0, 12, seconds),
        'imap.connect': metric(22, n, 0, 1.5, seconds),
        'imap.login': metric(23, n, 0, 3.1, seconds),
        'imap.select': metric(24, n, 0, 0.8, seconds),
        'imap.fetch': metric(25, n, 0, 4.2, seconds),
        'imap.logout': metric(26, n, 0, 0.3, seconds),
      },
      timeline,
      thresholds: [{ expr: 'imap.fetch:p99<1s', ok: true, actual: 0.02 }],
      generator: { cpuPercent: 12, eventLoopDelayP99Ms: 1.1, saturated: false },
      ...overrides,
    },
  };
}

/** What `mailprobe demo` writes to report.json: check, diagnose and two bench runs in one report. */
export function demoReport(): Report {
  return buildDemoReport([checkReport(), diagnoseReport(), benchReport(), imapBenchReport()]);
}
