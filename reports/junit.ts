/**
 * JUnit XML (`--junit FILE`) in the dialect GitHub actions (mikepenz/action-junit-report,
 * dorny/test-reporter), GitLab and Jenkins read: one `<testsuite>` per protocol per target, one
 * `<testcase>` per check, and a `findings` suite for diagnose. JUnit knows pass, failure, error
 * and skipped; mailprobe's warn and inconclusive map onto pass and skipped and keep their real
 * verdict in a `verdict` property, so nothing is lost for tools that read properties.
 */
import type { CheckResult, Report, Severity } from '../engine/report-types.js';
import { findingsSuite, idPrefix } from './junit-findings.js';
import { DEFAULT_FAIL_ON, atOrAbove } from './severity.js';
import { transcriptLines } from './transcript-text.js';
import { attrs, element, optionalText, properties } from './xml.js';

/** Options of {@link renderJunit}. */
export interface JunitOptions {
  /** Findings at or above this severity are `<failure>`s, the rest pass (default `high`). */
  readonly failOn?: Severity;
}

/** The report as a JUnit XML document (UTF-8, trailing newline). */
export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const failOn = options.failOn ?? DEFAULT_FAIL_ON;
  const s = report.summary;
  const failedFindings = report.findings.filter((f) => atOrAbove(f.severity, failOn)).length;
  const checkCount = s.pass + s.fail + s.warn + s.skip + s.inconclusive + s.error;
  const root = attrs({
    name: 'mailprobe',
    tests: checkCount + report.findings.length,
    failures: s.fail + failedFindings,
    errors: s.error,
    skipped: s.skip + s.inconclusive,
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  });
  const runProps = {
    ...(report.insecure === true ? { insecure: 'true' } : {}),
    ...(report.partial === true ? { partial: 'true' } : {}),
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${root}>`,
    ...[...groupBySuite(report.checks)].flatMap((checks) => checkSuite(checks, report.startedAt, runProps)),
    ...findingsSuite(report.findings, failOn, report.startedAt, runProps),
    '</testsuites>',
    '',
  ].join('\n');
}

/** Checks grouped per target and protocol, in the order they first appear. */
function groupBySuite(checks: readonly CheckResult[]): Iterable<CheckResult[]> {
  const groups = new Map<string, CheckResult[]>();
  for (const c of checks) {
    const key = `${c.protocol} ${c.target}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return groups.values();
}

function checkSuite(checks: readonly CheckResult[], timestamp: string, runProps: Record<string, string>): string[] {
  const first = checks[0];
  if (!first) return [];
  const count = (...statuses: CheckResult['status'][]): number => checks.filter((c) => statuses.includes(c.status)).length;
  const suite = attrs({
    name: `${first.protocol} ${first.target}`,
    tests: checks.length,
    failures: count('fail'),
    errors: count('error'),
    skipped: count('skip', 'inconclusive'),
    time: seconds(checks.reduce((ms, c) => ms + c.durationMs, 0)),
    timestamp,
  });
  return [
    `  <testsuite${suite}>`,
    ...properties({ protocol: first.protocol, target: first.target, ...runProps }, '    '),
    ...checks.flatMap(testcase),
    '  </testsuite>',
  ];
}

function testcase(c: CheckResult): string[] {
  const head = attrs({ classname: className(c), name: `${c.id}: ${c.title}`, time: seconds(c.durationMs) });
  if (c.status === 'pass') return [`    <testcase${head}/>`];
  const body: string[] = [];
  const transcript = transcriptLines(c.transcript).join('\n');
  switch (c.status) {
    case 'fail':
      body.push(element('failure', { message: c.message, type: c.level }, why(c)), ...optionalText('system-out', transcript));
      break;
    case 'error':
      body.push(element('error', { message: c.message, type: 'harness-error' }, why(c)), ...optionalText('system-out', transcript));
      break;
    case 'skip':
      body.push(element('skipped', { message: c.message }));
      break;
    case 'inconclusive':
      body.push(
        ...properties({ verdict: 'inconclusive' }, ''),
        element('skipped', { message: `inconclusive: ${c.message}` }),
        ...optionalText('system-out', transcript),
      );
      break;
    case 'warn':
      body.push(...properties({ verdict: 'warn' }, ''), ...optionalText('system-out', transcript === '' ? why(c) : `${why(c)}\n\n${transcript}`));
      break;
    default: {
      const unknown: never = c.status;
      throw new Error(`unknown check status ${String(unknown)}`);
    }
  }
  return [`    <testcase${head}>`, ...body.map((line) => `      ${line}`), '    </testcase>'];
}

/** The failure body: the requirement, where the check is defined, then what happened. */
function why(c: CheckResult): string {
  const where = c.source === undefined ? '' : ` (${c.source})`;
  return `${c.ref} ${c.level}${where}\n${c.message}`;
}

/**
 * `<protocol>.<id prefix>`: the check id without its last segment, so reporters group
 * `smtp.ehlo.*` checks together. Ids already start with their protocol (docs/suites.md); it is
 * added only when one does not, rather than doubled.
 */
function className(c: CheckResult): string {
  const prefix = idPrefix(c.id);
  return prefix === c.protocol || prefix.startsWith(`${c.protocol}.`) ? prefix : `${c.protocol}.${prefix}`;
}

/** JUnit's `time`: seconds with millisecond precision. */
function seconds(ms: number): string {
  return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0';
}
