/**
 * Threshold expressions (k6's thresholds, mailprobe syntax): `[metric:]stat op value[unit]`.
 *
 *   smtp.data:p99<50ms     a percentile of a metric's latency (p50, p99.9, p(95), …)
 *   session:rate>100/s     completed operations per second (/s, /m, /min)
 *   errors<1%              failed share of iterations (or an absolute count without %)
 *   imap.fetch:max<=2s     min, max, mean/avg latency
 *   count>=1000            operations counted
 *   dropped<1%             open-loop arrivals that found no free slot (whole run only)
 *
 * Without `metric:` the stat is about the run's iterations (metric `iteration`). Every
 * malformed expression is an ECONFIG naming what is wrong, so `--threshold` typos cost
 * nothing.
 */
import { MailprobeError } from '../../drivers/errors.js';

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';

export type ThresholdStat =
  | { readonly kind: 'percentile'; readonly p: number }
  | { readonly kind: 'min' | 'max' | 'mean' }
  | { readonly kind: 'rate' }
  | { readonly kind: 'count' }
  | { readonly kind: 'errors'; readonly percent: boolean }
  | { readonly kind: 'dropped'; readonly percent: boolean };

export interface Threshold {
  /** The expression as written (trimmed). */
  readonly expr: string;
  /** The metric the stat is about; undefined = the run's iterations. */
  readonly metric: string | undefined;
  readonly stat: ThresholdStat;
  readonly op: ThresholdOp;
  /** In the stat's unit: ms for latencies, per second for rates, percent or a count. */
  readonly value: number;
}

/** The metric a threshold without `metric:` is about. */
export const DEFAULT_METRIC = 'iteration';

const METRIC = /^[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*$/;
const SHAPE = /^(?:([^:<>=]*):)?\s*([A-Za-z][A-Za-z0-9.()]*)\s*(<=|>=|==|<|>|=|!=|=<|=>)?\s*(.*)$/s;
const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)\s*(.*)$/;

const LATENCY_UNITS: Readonly<Record<string, number>> = { '': 1, ms: 1, s: 1000, us: 0.001, 'µs': 0.001, m: 60_000, min: 60_000 };
const RATE_UNITS: Readonly<Record<string, number>> = { '': 1, '/s': 1, '/m': 1 / 60, '/min': 1 / 60 };

export function parseThreshold(input: string): Threshold {
  const expr = input.trim();
  const fail = (why: string): never => {
    throw new MailprobeError('ECONFIG', `threshold "${expr}": ${why}`, {}, {
      hint: 'write [metric:]stat op value, e.g. smtp.data:p99<50ms, session:rate>100/s, errors<1%',
    });
  };
  if (expr === '') fail('is empty');
  const m = SHAPE.exec(expr);
  if (!m) return fail('expected [metric:]stat op value');
  const metricText = m[1]?.trim();
  const statText = m[2]!;
  const opText = m[3];
  const valueText = m[4]!.trim();
  if (metricText !== undefined) {
    if (metricText === '') fail('the metric name before ":" is empty');
    if (!METRIC.test(metricText)) fail(`"${metricText}" is not a metric name (lower case, dotted, e.g. smtp.data)`);
  }
  const stat = parseStat(statText, fail);
  if (opText === undefined) fail(`expected <, <=, >, >= or == after "${statText}"`);
  const op = normalizeOp(opText!, fail);
  if (valueText === '') fail(`expected a value after "${opText}"`);
  if (/^[<>=!]/.test(valueText)) fail(`"${opText}${valueText[0]}" is not an operator; use <, <=, >, >= or ==`);
  const n = NUMBER.exec(valueText);
  if (!n) return fail(`"${valueText}" is not a number`);
  const number = Number(n[1]);
  const unit = n[2]!.trim();
  const { value, finalStat } = applyUnit(stat, number, unit, fail);
  if (finalStat.kind === 'dropped' && metricText !== undefined) fail('dropped is about the whole run; write it without a metric name');
  return { expr, metric: metricText, stat: finalStat, op, value };
}

type Fail = (why: string) => never;

function parseStat(text: string, fail: Fail): ThresholdStat {
  const lower = text.toLowerCase();
  const pct = /^p(?:\((\d+(?:\.\d+)?)\)|(\d+(?:\.\d+)?))$/.exec(lower);
  if (pct) {
    const raw = pct[1] ?? pct[2]!;
    // p999 is p99.9 (DESIGN.md's report key); p9999 is p99.99.
    const p = /^99(9+)$/.test(raw) ? Number(`99.${raw.slice(2)}`) : Number(raw);
    if (!(p > 0 && p <= 100)) fail(`percentile ${raw} is outside (0, 100]`);
    return { kind: 'percentile', p };
  }
  switch (lower) {
    case 'min':
    case 'max':
    case 'mean':
      return { kind: lower };
    case 'avg':
      return { kind: 'mean' };
    case 'rate':
      return { kind: 'rate' };
    case 'count':
      return { kind: 'count' };
    case 'errors':
      return { kind: 'errors', percent: false };
    case 'dropped':
      return { kind: 'dropped', percent: false };
    default:
      return fail(`unknown statistic "${text}"; use p50, p90, p99, p99.9, p(95), min, max, mean, rate, count, errors or dropped`);
  }
}

function normalizeOp(text: string, fail: Fail): ThresholdOp {
  switch (text) {
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '==':
      return text;
    case '=':
      return fail('"=" is not an operator; use == for equality');
    default:
      return fail(`"${text}" is not an operator; use <, <=, >, >= or ==`);
  }
}

function applyUnit(stat: ThresholdStat, n: number, unit: string, fail: Fail): { value: number; finalStat: ThresholdStat } {
  switch (stat.kind) {
    case 'percentile':
    case 'min':
    case 'max':
    case 'mean': {
      const scale = LATENCY_UNITS[unit];
      if (scale === undefined) return fail(`"${unit}" is not a time unit; use us, ms, s or m`);
      return { value: n * scale, finalStat: stat };
    }
    case 'rate': {
      const scale = RATE_UNITS[unit];
      if (scale === undefined) return fail(`"${unit}" is not a rate unit; use /s or /m`);
      return { value: n * scale, finalStat: stat };
    }
    case 'count':
      if (unit !== '') fail(`count takes a plain number, not "${unit}"`);
      if (!Number.isInteger(n)) fail('count takes a whole number');
      return { value: n, finalStat: stat };
    case 'errors':
    case 'dropped':
      if (unit === '%') {
        if (n > 100) fail('a percentage cannot exceed 100%');
        return { value: n, finalStat: { kind: stat.kind, percent: true } };
      }
      if (unit !== '') return fail(`${stat.kind} takes a percentage (1%) or a count, not "${unit}"`);
      if (!Number.isInteger(n)) fail(`${stat.kind} as a count takes a whole number (or add %)`);
      return { value: n, finalStat: stat };
  }
}
