import { summarize, type BenchReport, type Report, type ServerInfo } from '../engine/report-types.js';

/**
 * One report for the demo's folder: the checks of `check`, the ports and findings of
 * `diagnose`, and every bench run (`benches`). Each job's own report is kept beside it.
 */
export function buildDemoReport(reports: readonly Report[]): Report {
  const first = reports[0];
  const started = reports.map((r) => Date.parse(r.startedAt)).filter((t) => Number.isFinite(t));
  const t0 = started.length > 0 ? Math.min(...started) : Date.now();
  const end = Math.max(t0, ...reports.map((r) => Date.parse(r.startedAt) + r.durationMs).filter((t) => Number.isFinite(t)));
  const server: Record<string, ServerInfo> = {};
  for (const r of reports) Object.assign(server, r.server);
  const checks = reports.flatMap((r) => r.checks);
  const benches = reports.map((r) => r.bench).filter((b): b is BenchReport => b !== undefined);
  const ports = reports.flatMap((r) => r.ports ?? []);
  return {
    schemaVersion: 1,
    tool: first?.tool ?? { name: 'mailprobe', version: '0.0.0' },
    command: 'demo',
    startedAt: new Date(t0).toISOString(),
    durationMs: end - t0,
    targets: [...new Set(reports.flatMap((r) => r.targets))],
    server,
    summary: summarize(checks),
    checks,
    findings: reports.flatMap((r) => r.findings),
    ...(ports.length > 0 ? { ports } : {}),
    ...(benches.length > 0 ? { benches } : {}),
    ...(reports.some((r) => r.partial) ? { partial: true } : {}),
  };
}
