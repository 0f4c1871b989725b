/**
 * The slicing rule of --shard and --workers (engine/load/slice.ts), as properties: N shards of
 * W threads each take every arrival exactly once, disjoint users whose union is the list, and
 * shares of concurrency and budget that add up to the whole; plus the parsing of --shard and
 * --start-at and the start instant (engine/load/shard.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MailprobeError } from '../../drivers/errors.js';
import { parseShard, parseStartAt, startInstant, START_LATE_TOLERANCE_MS, wallClock } from '../../engine/load/shard.js';
import { ownsArrival, shareOf, subSlice, usersOf } from '../../engine/load/slice.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('slicing shards and their threads', () => {
  const shape = fc.record({ shards: fc.integer({ min: 1, max: 9 }), threads: fc.integer({ min: 1, max: 4 }), arrivals: fc.integer({ min: 0, max: 300 }), users: fc.integer({ min: 0, max: 40 }), total: fc.integer({ min: 0, max: 500 }) });

  it('every arrival goes to exactly one thread of exactly the shard that owns it', () => {
    fc.assert(
      fc.property(shape, ({ shards, threads, arrivals }) => {
        const owners = range(arrivals).map((i) => {
          const parts = range(shards).flatMap((k) => range(threads).map((w) => ({ k, part: subSlice({ index: k, count: shards }, { index: w, count: threads }) })));
          return parts.filter((p) => ownsArrival(i, p.part));
        });
        owners.forEach((o, i) => {
          expect(o).toHaveLength(1);
          expect(o[0]!.k).toBe(i % shards);
          expect(ownsArrival(i, { index: o[0]!.k, count: shards })).toBe(true);
        });
      }),
    );
  });

  it('users: disjoint between shards, all used, and a shard\'s threads use exactly its users', () => {
    fc.assert(
      fc.property(shape, ({ shards, threads, users }) => {
        const list = range(users).map((u) => `user${u}`);
        const byShard = range(shards).map((k) => usersOf(list, { index: k, count: shards }));
        expect(byShard.flat().sort()).toEqual([...list].sort());
        expect(new Set(byShard.flat()).size).toBe(list.length);
        byShard.forEach((mine, k) => {
          const threadUsers = range(threads).flatMap((w) => usersOf(list, subSlice({ index: k, count: shards }, { index: w, count: threads })));
          expect(threadUsers.sort()).toEqual([...mine].sort());
        });
      }),
    );
  });

  it('shares of concurrency and budget add up: threads to their shard\'s, shards to the whole (remainders included)', () => {
    fc.assert(
      fc.property(shape, ({ shards, threads, total }) => {
        const perShard = range(shards).map((k) => shareOf(total, { index: k, count: shards }));
        expect(perShard.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...perShard) - Math.min(...perShard)).toBeLessThanOrEqual(1);
        perShard.forEach((share, k) => {
          const threadsShare = range(threads).map((w) => shareOf(total, subSlice({ index: k, count: shards }, { index: w, count: threads })));
          expect(threadsShare.reduce((a, b) => a + b, 0)).toBe(share);
        });
      }),
    );
  });
});

describe('--shard and --start-at', () => {
  it('parses i/N from 0 and refuses what is not a shard', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    const refused = (text: string, why: RegExp): void => {
      expect(() => parseShard(text)).toThrow(why);
      try {
        parseShard(text);
      } catch (err) {
        expect(err).toBeInstanceOf(MailprobeError);
        expect((err as MailprobeError).code).toBe('ECONFIG');
      }
    };
    refused('4/4', /count from 0, so i is 0 to 3/);
    refused('1', /is not i\/N/);
    refused('-1/4', /is not i\/N/);
    refused('0/0', /at least 1/);
    refused('0/1001', /at most 1000 shards/);
    refused('a/b', /is not i\/N/);
  });

  it('takes ISO-8601 with a zone or epoch milliseconds; refuses local times, seconds, the past and far futures', () => {
    const now = Date.parse('2030-01-02T03:04:00Z');
    expect(parseStartAt('2030-01-02T03:04:05Z', now)).toBe(Date.parse('2030-01-02T03:04:05Z'));
    expect(parseStartAt('2030-01-02T05:04:05.250+02:00', now)).toBe(Date.parse('2030-01-02T03:04:05.250Z'));
    expect(parseStartAt(String(now + 5000), now)).toBe(now + 5000);
    // Slightly behind is still accepted (clock jitter); the start instant decides.
    expect(parseStartAt(new Date(now - 500).toISOString(), now)).toBe(now - 500);
    expect(() => parseStartAt('2030-01-02T03:04:05', now)).toThrow(/with a zone/);
    expect(() => parseStartAt(String(Math.floor(now / 1000) + 10), now)).toThrow(/epoch seconds/);
    expect(() => parseStartAt('2030-01-02T03:00:00Z', now)).toThrow(/has passed \(4 min ago\)/);
    expect(() => parseStartAt('2030-01-05T00:00:00Z', now)).toThrow(/more than a day ahead/);
    expect(() => parseStartAt('2030-13-45T03:04:05Z', now)).toThrow(/not a valid date/);
  });

  it('starts at the instant the corrected clock reads --start-at; a little late starts now; later is refused', () => {
    // Wall clock 1_000_000 at absolute monotonic time 50.
    const clock = wallClock({ wall: 1_000_000, abs: 50 });
    expect(startInstant({ epochMs: 1_002_000, clockOffsetMs: 0 }, clock, 60)).toEqual({ t0Abs: 2050, lateMs: 0 });
    // This host's clock is 300 ms behind the reference: it must start when it reads 300 ms earlier.
    expect(startInstant({ epochMs: 1_002_000, clockOffsetMs: 300 }, clock, 60)).toEqual({ t0Abs: 1750, lateMs: 0 });
    expect(startInstant({ epochMs: 1_002_000, clockOffsetMs: 0 }, clock, 2050 + 400)).toEqual({ t0Abs: 2450, lateMs: 400 });
    expect(() => startInstant({ epochMs: 1_002_000, clockOffsetMs: 0 }, clock, 2050 + START_LATE_TOLERANCE_MS + 1)).toThrow(/passed 1\.0 s before this shard was ready/);
  });
});
