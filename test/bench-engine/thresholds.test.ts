import { describe, expect, it } from 'vitest';
import { MailprobeError } from '../../drivers/errors.js';
import { abortable, evaluateThresholds, type ThresholdMetricView, type ThresholdSource } from '../../engine/load/thresholds-eval.js';
import { parseThreshold } from '../../engine/load/thresholds-parse.js';

describe('threshold parser', () => {
  it.each([
    ['smtp.data:p99<50ms', { metric: 'smtp.data', stat: { kind: 'percentile', p: 99 }, op: '<', value: 50 }],
    ['p99.9<=2s', { metric: undefined, stat: { kind: 'percentile', p: 99.9 }, op: '<=', value: 2000 }],
    ['imap.fetch:p(95) < 800us', { metric: 'imap.fetch', stat: { kind: 'percentile', p: 95 }, op: '<', value: 0.8 }],
    ['smtp.connect:p999<10', { metric: 'smtp.connect', stat: { kind: 'percentile', p: 99.9 }, op: '<', value: 10 }],
    ['session:rate>100/s', { metric: 'session', stat: { kind: 'rate' }, op: '>', value: 100 }],
    ['rate>=6000/m', { metric: undefined, stat: { kind: 'rate' }, op: '>=', value: 100 }],
    ['errors<1%', { metric: undefined, stat: { kind: 'errors', percent: true }, op: '<', value: 1 }],
    ['smtp.rcpt:errors==0', { metric: 'smtp.rcpt', stat: { kind: 'errors', percent: false }, op: '==', value: 0 }],
    ['dropped<0.5%', { metric: undefined, stat: { kind: 'dropped', percent: true }, op: '<', value: 0.5 }],
    ['e2e.delivery:max<1m', { metric: 'e2e.delivery', stat: { kind: 'max' }, op: '<', value: 60_000 }],
    ['iteration:avg<5ms', { metric: 'iteration', stat: { kind: 'mean' }, op: '<', value: 5 }],
    ['count>=1000', { metric: undefined, stat: { kind: 'count' }, op: '>=', value: 1000 }],
  ])('parses %s', (text, want) => {
    expect(parseThreshold(text)).toEqual({ expr: text.trim(), ...want });
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['smtp.data:', /expected|unknown statistic/],
    [':p99<5ms', /metric name before ":" is empty/],
    ['Smtp.Data:p99<5ms', /not a metric name/],
    ['smtp.data:p99', /expected <, <=, >, >= or == after "p99"/],
    ['smtp.data:p99<', /expected a value after "<"/],
    ['smtp.data:p99<<50ms', /not an operator/],
    ['smtp.data:p99=50ms', /use == for equality/],
    ['smtp.data:p99!=50ms', /not an operator/],
    ['smtp.data:p99<fast', /is not a number/],
    ['smtp.data:p99<-5ms', /is not a number/],
    ['smtp.data:p99<50xs', /not a time unit/],
    ['smtp.data:p101<50ms', /outside \(0, 100\]/],
    ['smtp.data:p0<50ms', /outside \(0, 100\]/],
    ['smtp.data:median<50ms', /unknown statistic "median"/],
    ['rate>100ms', /not a rate unit/],
    ['errors<5/s', /takes a percentage/],
    ['errors<1.5', /whole number/],
    ['errors<150%', /cannot exceed 100%/],
    ['count>10ms', /plain number/],
    ['count>2.5', /whole number/],
    ['smtp.data:dropped<1%', /whole run/],
  ])('refuses %j with ECONFIG', (text, message) => {
    let err: unknown;
    try {
      parseThreshold(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MailprobeError);
    expect((err as MailprobeError).code).toBe('ECONFIG');
    expect((err as MailprobeError).message).toMatch(message);
    expect((err as MailprobeError).message).toContain(`threshold "${text.trim()}"`);
    expect((err as MailprobeError).hint).toMatch(/smtp\.data:p99<50ms/);
  });
});

function view(v: Partial<ThresholdMetricView> & { p?: Record<number, number> }): ThresholdMetricView {
  return {
    count: v.count ?? 0,
    errors: v.errors ?? 0,
    ratePerSec: v.ratePerSec ?? 0,
    percentileMs: (p) => v.p?.[p],
    minMs: v.minMs,
    maxMs: v.maxMs,
    meanMs: v.meanMs,
  };
}

describe('threshold evaluator', () => {
  const source: ThresholdSource = {
    metric: (name) =>
      ({
        iteration: view({ count: 1000, errors: 20, ratePerSec: 250, p: { 50: 3, 99: 40, 99.9: 90 }, maxMs: 120, minMs: 1, meanMs: 5 }),
        'smtp.data': view({ count: 1000, errors: 0, ratePerSec: 250, p: { 99: 12.5 } }),
        'smtp.tls': view({ count: 0 }),
      })[name],
    dropped: 5,
    arrivals: 1000,
  };
  const run = (...exprs: string[]) => evaluateThresholds(exprs.map(parseThreshold), source);

  it('compares in the expression unit and reports the actual value', () => {
    expect(run('smtp.data:p99<50ms', 'p99<30ms', 'p99.9<=90ms', 'max<0.1s')).toEqual([
      { expr: 'smtp.data:p99<50ms', ok: true, actual: 12.5 },
      { expr: 'p99<30ms', ok: false, actual: 40 },
      { expr: 'p99.9<=90ms', ok: true, actual: 90 },
      { expr: 'max<0.1s', ok: false, actual: 120 },
    ]);
  });

  it('errors and drops as a share or a count, rates per second', () => {
    expect(run('errors<1%', 'errors<=2%', 'errors<25', 'dropped<1%', 'dropped==5', 'rate>=240/s', 'rate>15000/m').map((r) => [r.ok, r.actual])).toEqual([
      [false, 2],
      [true, 2],
      [true, 20],
      [true, 0.5],
      [true, 5],
      [true, 250],
      [false, 250],
    ]);
  });

  it('fails a latency threshold with nothing to measure, and says so', () => {
    expect(run('smtp.tls:p99<10ms', 'imap.fetch:p50<1ms')).toEqual([
      { expr: 'smtp.tls:p99<10ms', ok: false, actual: 0, note: 'no samples to measure' },
      { expr: 'imap.fetch:p50<1ms', ok: false, actual: 0, note: 'no samples to measure' },
    ]);
    // A metric that never counted anything has no errors and no rate.
    expect(run('smtp.tls:errors<1%', 'smtp.tls:rate<1/s').map((r) => r.ok)).toEqual([true, true]);
  });

  it('checks only upper bounds on latency, errors and drops while running', () => {
    expect(['p99<5ms', 'errors<1%', 'dropped<=2', 'rate>5/s', 'count>=10', 'p50>1ms'].map((e) => abortable(parseThreshold(e)))).toEqual([true, true, true, false, false, false]);
  });
});
