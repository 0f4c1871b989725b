import type { Report } from '../engine/report-types.js';

/** The few lines `mailprobe demo` prints at the end: what each job found and where the files are. */
export function renderDemoSummary(reports: readonly Report[], out: string, html: boolean): string {
  const lines: string[] = [''];
  for (const r of reports) {
    if (r.command === 'check') {
      const s = r.summary;
      lines.push(`check     ${r.checks.length} checks: ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip, ${s.inconclusive} inconclusive, ${s.error} error`);
    } else if (r.command === 'diagnose') {
      const bySeverity = new Map<string, number>();
      for (const f of r.findings) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
      const counts = [...bySeverity].map(([sev, n]) => `${n} ${sev}`).join(', ');
      lines.push(`diagnose  ${r.ports?.length ?? 0} ports, ${r.findings.length} findings${counts ? ` (${counts})` : ''}`);
    } else if (r.command === 'bench' && r.bench) {
      const b = r.bench;
      const it = b.metrics.iteration ?? b.metrics.session;
      const rate = it ? `${Math.round(it.ratePerSec)}/s` : '?';
      const p99 = it ? `p99 ${it.latencyMs.p99.toFixed(1)} ms` : '';
      // Failed iterations: one failure is also counted by the session and command metrics it hit.
      const errors = it ? it.errors : Object.values(b.errors ?? {}).reduce((n, count) => n + count, 0);
      lines.push(`bench     ${b.scenario.padEnd(13)} ${rate} iterations, ${p99}, ${errors} errors`);
    }
  }
  lines.push('', `Reports in ${out}: report.json${html ? ', report.html' : ''}, junit.xml, summary.md, and each job's own JSON.`, '');
  return lines.join('\n');
}
