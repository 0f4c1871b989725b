/**
 * `mailprobe diagnose …` in-process with a JSON report on stdout, and the assertion every fault
 * test makes: the expected finding is there and nothing else above info is (false alarms are
 * bugs of the same weight as misses).
 */
import { expect } from 'vitest';
import { run } from '../../bin/commands/diagnose.js';
import type { Finding, Report } from '../../engine/report-types.js';
import { fakeIo } from '../helpers/cli.js';

export interface DiagnoseRun {
  readonly code: number;
  readonly report: Report;
  /** The console report (stderr, since the JSON goes to stdout). */
  readonly console: string;
}

export async function runDiagnose(args: readonly string[], env: Record<string, string> = {}): Promise<DiagnoseRun> {
  const io = fakeIo(env);
  const code = await run([...args, '--json', '-'], io);
  return { code, report: JSON.parse(io.out()) as Report, console: io.err() };
}

/** Findings above info, as `id@port` for readable failures. */
export function serious(report: Report): string[] {
  return report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}@${f.port ?? f.target}`);
}

/** `id` was found (at `severity` if given), and no other finding above info was. */
export function expectOnly(r: DiagnoseRun, id: string, severity?: Finding['severity']): Finding {
  const found = r.report.findings.find((f) => f.id === id);
  expect(found, `${id} missing; findings: ${JSON.stringify(r.report.findings.map((f) => [f.id, f.severity, f.detail]), null, 1)}`).toBeDefined();
  if (severity !== undefined) expect(found!.severity).toBe(severity);
  const others = r.report.findings.filter((f) => f.id !== id && f.severity !== 'info');
  expect(others.map((f) => `${f.id} (${f.severity}): ${f.detail}`)).toEqual([]);
  return found!;
}
