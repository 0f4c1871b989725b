/**
 * What the security checks share: a probe context opened through the check runner (so the
 * runner's budget, cancellation and transcript apply to every connection a probe makes), and
 * the verdict of a probe report. Verdicts follow the finding's severity: critical or high →
 * fail, medium or low → warn, info → pass with the finding in the message; a probe that does
 * not apply → skip; one that could not decide → inconclusive.
 */
import type { Protocol } from '../../drivers/target.js';
import { fail, inconclusive, pass, skip, warn, type CodeCheckContext, type CodeVerdict } from '../../engine/checks/code-check.js';
import type { ProbeContext, ProbeFinding, ProbeReport, SecurityFindingId } from '../../engine/security/index.js';
import type { Severity } from '../../engine/report-types.js';

export function probeContext<P extends Protocol>(ctx: CodeCheckContext<P>, protocol: P): ProbeContext<P> {
  return {
    protocol,
    open: () => ctx.open('greeted'),
    implicitTls: ctx.env.target.implicitTls,
    starttls: ctx.env.starttls !== 'never',
    timeoutMs: ctx.env.stepTimeoutMs,
    clientName: ctx.env.fixtures.clientName,
    signal: ctx.env.signal,
  };
}

const RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** The verdict of a report, looking only at the findings with `ids` (all when omitted). */
export function verdictOf(report: ProbeReport, ids?: readonly SecurityFindingId[]): CodeVerdict {
  if (report.status === 'not-applicable') return skip(report.summary);
  if (report.status === 'inconclusive') return inconclusive(report.summary);
  const findings = report.findings.filter((f) => ids === undefined || ids.includes(f.id));
  const worst = findings.reduce<ProbeFinding | undefined>((w, f) => (w === undefined || RANK[f.severity] > RANK[w.severity] ? f : w), undefined);
  if (worst === undefined) return pass(report.summary);
  const message = findings.map((f) => `${f.id} (${f.severity}): ${f.seen}`).join(' ');
  if (RANK[worst.severity] >= RANK.high) return fail(message);
  if (RANK[worst.severity] >= RANK.low) return warn(message);
  return pass(message);
}
