/**
 * A bench report as JUnit XML (`mailprobe merge --junit FILE`): one `<testcase>` per threshold
 * (a crossed one is a `<failure>` with its actual value), and one for the run itself (a
 * failure when no iteration succeeded). CI systems that read JUnit then gate and show a
 * distributed load run like a test run. Pure; text escaped by xml.ts.
 */
import type { Report } from '../engine/report-types.js';
import { count, thresholdActual } from './bench-format.js';
import { attrs, element, properties } from './xml.js';

export function renderBenchJunit(report: Report): string {
  const bench = report.bench;
  if (bench === undefined) throw new Error('renderBenchJunit needs a bench report');
  const it = bench.metrics['iteration'];
  const succeeded = it ? it.count - it.errors : 0;
  const failed = bench.thresholds.filter((t) => !t.ok).length + (succeeded === 0 ? 1 : 0);
  const time = report.durationMs > 0 ? (report.durationMs / 1000).toFixed(3) : '0';
  const suite = attrs({ name: `bench ${bench.scenario}`, tests: bench.thresholds.length + 1, failures: failed, errors: 0, skipped: 0, time, timestamp: report.startedAt });
  const props = {
    scenario: bench.scenario,
    mode: bench.mode,
    ...(bench.shards ? { shards: String(bench.shards.length) } : {}),
    ...(report.partial === true ? { partial: 'true' } : {}),
    ...(report.insecure === true ? { insecure: 'true' } : {}),
    ...(bench.generator.saturated ? { 'generator-saturated': bench.generator.reason ?? 'true' } : {}),
  };
  const classname = `bench.${bench.scenario}`;
  const runCase = attrs({ classname, name: 'iterations succeeded', time });
  const summary = it ? `${count(it.count)} iterations, ${count(it.errors)} errors, ${count(bench.dropped)} dropped` : 'no iterations';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'mailprobe', tests: bench.thresholds.length + 1, failures: failed, errors: 0, skipped: 0, time, timestamp: report.startedAt })}>`,
    `  <testsuite${suite}>`,
    ...properties(props, '    '),
    succeeded > 0
      ? `    <testcase${runCase}/>`
      : [`    <testcase${runCase}>`, `      ${element('failure', { message: 'no iteration succeeded', type: 'bench' }, summary)}`, '    </testcase>'].join('\n'),
    ...bench.thresholds.map((t) => {
      const head = attrs({ classname, name: `threshold ${t.expr}`, time: '0' });
      if (t.ok) return `    <testcase${head}/>`;
      const actual = t.note ?? `actual ${thresholdActual(t.expr, t.actual)}`;
      return [`    <testcase${head}>`, `      ${element('failure', { message: `${t.expr} crossed: ${actual}`, type: 'threshold' }, `${t.expr}\n${actual}\n${summary}`)}`, '    </testcase>'].join('\n');
    }),
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return lines.join('\n');
}
