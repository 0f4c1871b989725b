/**
 * `mailprobe diagnose …` in-process with a JSON report on stdout, and the assertion every fault
 * test makes: the expected finding is there and nothing else above info is (false alarms are
 * bugs of the same weight as misses).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect } from 'vitest';
import { run } from '../../bin/commands/diagnose.js';
import type { Finding, Report } from '../../engine/report-types.js';
import { fakeIo } from '../helpers/cli.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';

export interface LabTrust {
  /** The CA that signs the scripted servers' certificates (set in beforeAll). */
  pki: LabPki;
  /** `--servername` and `--ca` for the diagnose command line. */
  args(): string[];
}

/** A lab PKI and its root in a file, made once for the calling test file (call at its top level). */
export function labTrust(): LabTrust {
  let caFile = '';
  const trust: LabTrust = { pki: undefined as unknown as LabPki, args: () => ['--servername', LAB_SERVERNAME, '--ca', caFile] };
  beforeAll(async () => {
    trust.pki = createLabPki();
    caFile = join(await mkdtemp(join(tmpdir(), 'mailprobe-diag-')), 'root.pem');
    await writeFile(caFile, trust.pki.root.certPem);
  });
  return trust;
}

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
