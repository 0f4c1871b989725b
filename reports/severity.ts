/** Finding severities in order, and the `--fail-on` threshold test (DESIGN.md "Verdicts, exit codes"). */
import { SEVERITIES, type Finding, type Severity } from '../engine/report-types.js';

/** The default `--fail-on`: a finding at `high` or `critical` fails the run. */
export const DEFAULT_FAIL_ON: Severity = 'high';

/** 0 for `critical`, rising towards `info`. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Whether a finding of `severity` meets the `failOn` threshold. */
export function atOrAbove(severity: Severity, failOn: Severity): boolean {
  return severityRank(severity) <= severityRank(failOn);
}

/** Findings most severe first; the report's order is kept among equals. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}
