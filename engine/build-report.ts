import type { BenchReport, Command, CheckResult, Finding, PortReport, Report, ServerInfo } from './report-types.js';
import { SCHEMA_VERSION, summarize } from './report-types.js';

export interface ReportInput {
  readonly command: Command;
  readonly version: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly targets: readonly string[];
  readonly server: Readonly<Record<string, ServerInfo>>;
  readonly checks: readonly CheckResult[];
  readonly findings?: readonly Finding[];
  readonly ports?: readonly PortReport[];
  readonly bench?: BenchReport;
  readonly partial?: boolean;
  readonly insecure?: boolean;
}

/** Assemble the versioned report every output format renders (DESIGN.md "Report schema"). */
export function buildReport(input: ReportInput): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: input.version },
    command: input.command,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    targets: input.targets,
    server: input.server,
    summary: summarize(input.checks),
    checks: input.checks,
    findings: input.findings ?? [],
    ...(input.ports ? { ports: input.ports } : {}),
    ...(input.bench ? { bench: input.bench } : {}),
    ...(input.partial ? { partial: true } : {}),
    ...(input.insecure ? { insecure: true } : {}),
  };
}
