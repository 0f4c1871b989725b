/**
 * The JSON report (`--json FILE|-`): DESIGN.md "Report schema", the contract users script
 * against. Each object is rebuilt field by field so the key order is the schema's whatever
 * order the engine assembled it in, and nothing outside the schema leaks into the file.
 */
import type { CheckResult, Finding, Report, ServerInfo } from '../engine/report-types.js';
import type { TranscriptEntry } from '../drivers/transcript.js';

/**
 * The report as pretty-printed JSON (2 spaces) with a trailing newline.
 *
 * Beyond the DESIGN.md keys, `partial` and `insecure` are always present (booleans, after
 * `durationMs`) because DESIGN.md requires `--insecure` to show in every report, and a check's
 * `source` (`file.yaml:14`) appears when the check came from a user's file. JSON.stringify
 * writes lone surrogates as `\udXXX`, so the output is always valid UTF-8.
 */
export function renderJson(report: Report): string {
  const ordered = {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    command: report.command,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    partial: report.partial === true,
    insecure: report.insecure === true,
    targets: [...report.targets],
    server: Object.fromEntries(Object.entries(report.server).map(([url, info]) => [url, server(info)])),
    summary: {
      pass: report.summary.pass,
      fail: report.summary.fail,
      warn: report.summary.warn,
      skip: report.summary.skip,
      inconclusive: report.summary.inconclusive,
      error: report.summary.error,
    },
    checks: report.checks.map(check),
    findings: report.findings.map(finding),
    // ports (diagnose) and bench are plain data built to the schema's order by their engines.
    ...(report.ports === undefined ? {} : { ports: report.ports }),
    ...(report.bench === undefined ? {} : { bench: report.bench }),
    ...(report.benches === undefined ? {} : { benches: report.benches }),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function server(info: ServerInfo): object {
  return { greeting: info.greeting, ...(info.implementation === undefined ? {} : { implementation: info.implementation }), capabilities: [...info.capabilities] };
}

function check(c: CheckResult): object {
  return {
    id: c.id,
    protocol: c.protocol,
    target: c.target,
    title: c.title,
    ref: c.ref,
    level: c.level,
    status: c.status,
    message: c.message,
    durationMs: c.durationMs,
    ...(c.source === undefined ? {} : { source: c.source }),
    transcript: c.transcript.map(entry),
  };
}

function entry(e: TranscriptEntry): object {
  return { t: e.t, dir: e.dir, text: e.text };
}

function finding(f: Finding): object {
  return {
    id: f.id,
    severity: f.severity,
    target: f.target,
    ...(f.port === undefined ? {} : { port: f.port }),
    title: f.title,
    detail: f.detail,
    fix: f.fix,
    evidence: [...f.evidence],
  };
}
