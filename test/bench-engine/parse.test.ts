import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../bin/args.js';
import { MailprobeError } from '../../drivers/errors.js';
import { buildPlan, DEFAULT_DURATION_MS } from '../../engine/load/plan.js';
import { parseRate, parseStages } from '../../engine/load/rate.js';
import { ownsArrival, shareOf, usersOf } from '../../engine/load/slice.js';
import { parseUsers } from '../../engine/load/users.js';

function configError(fn: () => unknown): MailprobeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MailprobeError);
    expect((err as MailprobeError).code).toBe('ECONFIG');
    return err as MailprobeError;
  }
  throw new Error('expected ECONFIG');
}

describe('users file', () => {
  it('reads user:password lines, skipping blanks and comments; the password keeps its colons', () => {
    expect(parseUsers('# bench users\nalice@x:pw1\n\n  bob@x:p:w:2  \r\ncarol@x: sp ace\n', 'u.txt')).toEqual([
      { user: 'alice@x', password: 'pw1' },
      { user: 'bob@x', password: 'p:w:2' },
      { user: 'carol@x', password: ' sp ace' },
    ]);
  });

  it('points at file:line and never quotes a password', () => {
    expect(configError(() => parseUsers('a:1\nnocolon-secret\n', 'u.txt')).message).toBe('u.txt:2: expected user:password');
    expect(configError(() => parseUsers(':secret', 'u.txt')).message).toMatch(/u.txt:1: the user name is empty/);
    expect(configError(() => parseUsers('bob:', 'u.txt')).message).toMatch(/u.txt:1: the password of bob is empty/);
    expect(configError(() => parseUsers('# only comments\n', 'u.txt')).message).toMatch(/no user:password lines/);
    expect(configError(() => parseUsers('a b:topsecret', 'u.txt')).message).not.toContain('topsecret');
  });
});

describe('rates, ramps and plans', () => {
  it('parses rates per second or minute', () => {
    expect(parseRate('--rate', '250')).toBe(250);
    expect(parseRate('--rate', '250/s')).toBe(250);
    expect(parseRate('--rate', '600/m')).toBe(10);
    expect(parseRate('--rate', '0.5/s')).toBe(0.5);
    configError(() => parseRate('--rate', 'fast'));
    configError(() => parseRate('--rate', '0'));
  });

  it('parses ramp stages', () => {
    expect(parseStages('--ramp', '10s:100/s, 30s:500/s,5s:0', parseDuration)).toEqual([
      { durationMs: 10_000, targetRatePerSec: 100 },
      { durationMs: 30_000, targetRatePerSec: 500 },
      { durationMs: 5_000, targetRatePerSec: 0 },
    ]);
    configError(() => parseStages('--ramp', '10s', parseDuration));
    configError(() => parseStages('--ramp', 'x:5/s', parseDuration));
  });

  it('defaults: closed loop of 1 for 10 s; a rate means open loop with a second of arrivals in flight', () => {
    expect(buildPlan({ drainMs: 1000 })).toMatchObject({ mode: 'closed', concurrency: 1, durationMs: DEFAULT_DURATION_MS, perSession: 1, warmupMs: 0 });
    expect(buildPlan({ ratePerSec: 250, drainMs: 1000 })).toMatchObject({ mode: 'open', concurrency: 250, ratePerSec: 250 });
    expect(buildPlan({ ratePerSec: 2, drainMs: 1000 }).concurrency).toBe(10);
    expect(buildPlan({ ratePerSec: 50_000, drainMs: 1000 }).concurrency).toBe(1000);
    expect(buildPlan({ iterations: 500, drainMs: 1000 }).durationMs).toBeUndefined();
    expect(buildPlan({ stages: [{ durationMs: 5000, targetRatePerSec: 10 }], warmupMs: 1000, drainMs: 1 })).toMatchObject({ mode: 'open', durationMs: 4000 });
    configError(() => buildPlan({ stages: [{ durationMs: 5000, targetRatePerSec: 0 }], drainMs: 1 }));
    configError(() => buildPlan({ concurrency: 2, parts: 4, drainMs: 1 }));
  });
});

describe('slices (workers now, shards later)', () => {
  it('split concurrency and budgets evenly, users and arrivals disjointly', () => {
    expect([0, 1, 2].map((index) => shareOf(10, { index, count: 3 }))).toEqual([4, 3, 3]);
    const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
    const parts = [0, 1].map((index) => usersOf(users, { index, count: 2 }));
    expect(parts).toEqual([
      ['u0', 'u2', 'u4'],
      ['u1', 'u3'],
    ]);
    const owners = Array.from({ length: 12 }, (_, i) => [0, 1, 2].filter((index) => ownsArrival(i, { index, count: 3 })));
    expect(owners.every((o) => o.length === 1)).toBe(true);
  });
});
