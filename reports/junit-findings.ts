/**
 * The `findings` testsuite of the JUnit report: one testcase per diagnose or security-probe
 * finding. A finding at or above `--fail-on` is a `<failure>` (it fails the run, exit code 1),
 * one below passes with its severity as a property, so CI shows it without going red.
 */
import type { Finding, Severity } from '../engine/report-types.js';
import { atOrAbove } from './severity.js';
import { attrs, element, optionalText, properties } from './xml.js';

/** The suite's lines, or none when the run produced no findings (check reports). */
export function findingsSuite(
  findings: readonly Finding[],
  failOn: Severity,
  timestamp: string,
  runProps: Readonly<Record<string, string>>,
): string[] {
  if (findings.length === 0) return [];
  const suite = attrs({
    name: 'findings',
    tests: findings.length,
    failures: findings.filter((f) => atOrAbove(f.severity, failOn)).length,
    errors: 0,
    skipped: 0,
    time: '0',
    timestamp,
  });
  return [
    `  <testsuite${suite}>`,
    ...properties({ 'fail-on': failOn, ...runProps }, '    '),
    ...findings.flatMap((f) => testcase(f, failOn)),
    '  </testsuite>',
  ];
}

function testcase(f: Finding, failOn: Severity): string[] {
  // The same finding id can occur on several targets; the target keeps test names unique.
  const head = attrs({ classname: `findings.${idPrefix(f.id)}`, name: `${f.id}: ${f.title} (${f.target})`, time: '0' });
  const body = [
    ...properties({ severity: f.severity, target: f.target, ...(f.port === undefined ? {} : { port: String(f.port) }) }, ''),
    ...(atOrAbove(f.severity, failOn)
      ? [element('failure', { message: f.title, type: f.severity }, explain(f))]
      : optionalText('system-out', explain(f))),
  ];
  return [`    <testcase${head}>`, ...body.map((line) => `      ${line}`), '    </testcase>'];
}

/** What was seen, the evidence, and how to fix it (DESIGN.md "Diagnose: finding ids"). */
function explain(f: Finding): string {
  const evidence = f.evidence.map((e) => `  ${e}`);
  return [f.detail, ...(evidence.length > 0 ? ['Evidence:', ...evidence] : []), `Fix: ${f.fix}`].join('\n');
}

/** A dotted id without its last segment (`tls.cert.expired` → `tls.cert`): JUnit's class name. */
export function idPrefix(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot > 0 ? id.slice(0, dot) : id;
}
