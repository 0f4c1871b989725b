/**
 * Number formats shared by the bench renderers (console and Markdown): latencies in ms with
 * sensible precision, rates and counts with thousands separators, threshold values in the unit
 * their expression uses. Formatting only; the numbers come computed in report.bench.
 */
export function ms(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function rate(n: number): string {
  return n >= 100 ? count(n) : n.toFixed(1);
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  const p = (part / whole) * 100;
  return p === 0 ? '0%' : p < 0.01 ? '<0.01%' : `${p < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** The unit a threshold's actual value is in, from how its expression is written. */
export function thresholdActual(expr: string, actual: number): string {
  const stat = /(?:^|:)\s*([a-z()0-9.]+)\s*[<>=]/i.exec(expr)?.[1]?.toLowerCase() ?? '';
  if (stat === 'rate') return `${rate(actual)}/s`;
  if (stat === 'count') return count(actual);
  if (stat === 'errors' || stat === 'dropped') return expr.trim().endsWith('%') ? `${actual}%` : count(actual);
  return ms(actual);
}
