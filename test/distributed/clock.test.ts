/**
 * A common start across machines: SNTP against a scripted NTP server on loopback whose clock
 * runs a known offset ahead (engine/load/sntp.ts), and `bench --start-at … --ntp …` starting
 * when the corrected clock reads the agreed time, recording start, offset and measured window
 * in the report's `clock`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureClockOffset, parseNtpServer, readTimestamp, writeTimestamp } from '../../engine/load/sntp.js';
import { bench } from '../bench-engine/helpers/bench-cli.js';
import { fakeNtp, type FakeNtp } from './ntp-server.js';
import { smtpResponder, type Responder } from '../bench-engine/helpers/smtp-responder.js';

const OFFSET = 5000;
let ntp: FakeNtp;
let smtp: Responder;
beforeAll(async () => {
  [ntp, smtp] = await Promise.all([fakeNtp(OFFSET), smtpResponder()]);
});
afterAll(async () => {
  await Promise.all([ntp.close(), smtp.close()]);
});

describe('SNTP', () => {
  it('timestamps round-trip through the NTP format, in both eras', () => {
    const buf = Buffer.alloc(8);
    for (const ms of [Date.parse('2030-01-02T03:04:05.678Z'), Date.parse('2040-06-01T00:00:00.125Z')]) {
      writeTimestamp(buf, 0, ms);
      expect(Math.abs(readTimestamp(buf, 0) - ms)).toBeLessThan(0.001);
    }
  });

  it('measures the offset of a server whose clock is 5 s ahead', async () => {
    ntp.behaviour = 'good';
    const m = await measureClockOffset('127.0.0.1', ntp.port, { samples: 3, timeoutMs: 500 });
    expect(Math.abs(m.offsetMs - OFFSET)).toBeLessThan(50);
    expect(m.rttMs).toBeGreaterThanOrEqual(0);
    expect(m.rttMs).toBeLessThan(100);
    expect(m.source).toBe(`ntp://127.0.0.1:${ntp.port}`);
  });

  it('ignores replies that do not echo its request, and refuses kiss-of-death and unsynchronised servers', async () => {
    ntp.behaviour = 'wrong-origin';
    await expect(measureClockOffset('127.0.0.1', ntp.port, { samples: 1, timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
    ntp.behaviour = 'kiss-of-death';
    await expect(measureClockOffset('127.0.0.1', ntp.port, { samples: 1, timeoutMs: 200 })).rejects.toThrow(/kiss-of-death "RATE"/);
    ntp.behaviour = 'unsynchronised';
    await expect(measureClockOffset('127.0.0.1', ntp.port, { samples: 1, timeoutMs: 200 })).rejects.toThrow(/not synchronised/);
    ntp.behaviour = 'good';
  });

  it('parses --ntp HOST[:PORT]', () => {
    expect(parseNtpServer('time.example.org')).toEqual({ host: 'time.example.org', port: 123 });
    expect(parseNtpServer('ntp://10.0.0.1:1123')).toEqual({ host: '10.0.0.1', port: 1123 });
    expect(parseNtpServer('[::1]:123')).toEqual({ host: '::1', port: 123 });
    expect(() => parseNtpServer('a:b:c')).toThrow(/is not HOST\[:PORT\]/);
    expect(() => parseNtpServer('host:99999')).toThrow(/is not HOST\[:PORT\]/);
  });
});

describe('bench --start-at with --ntp', () => {
  it('starts when the corrected clock reads --start-at, and records the clock in the report', async () => {
    ntp.behaviour = 'good';
    // 1.2 s from now on the reference clock, which runs 5 s ahead of ours.
    const startAtMs = Date.now() + OFFSET + 1200;
    const startAt = new Date(startAtMs).toISOString();
    const t0 = Date.now();
    const r = await bench([smtp.url, '--scenario', 'smtp-send', '--rcpt', 'sink@responder.test', '--rate', '20', '--duration', '500ms', '--start-at', startAt, '--ntp', `127.0.0.1:${ntp.port}`]);
    const took = Date.now() - t0;
    expect(r.code, r.io.err()).toBe(0);
    // Uncorrected it would have waited 6.2 s.
    expect(took).toBeLessThan(4000);
    expect(took).toBeGreaterThanOrEqual(1100);
    const b = r.report.bench!;
    expect(b.clock).toMatchObject({ startAt, offsetMs: expect.closeTo(OFFSET, -2), source: `ntp://127.0.0.1:${ntp.port}`, startLateMs: 0 });
    // The measured window began at --start-at on the reference clock.
    expect(Math.abs(Date.parse(b.measuredFrom!) - startAtMs)).toBeLessThan(100);
    expect(b.metrics['iteration']!.count).toBe(10);
    expect(b.shard).toBeUndefined();
    expect(r.io.err()).toMatch(/clock: \+\d+(\.\d+)? ms from ntp:\/\/127\.0\.0\.1:\d+/);
    expect(r.io.err()).toContain(`waiting for --start-at ${startAt}`);
  });

  it('an NTP server that does not answer is a warning: the run starts by its own clock', async () => {
    ntp.behaviour = 'wrong-origin';
    try {
      // Two unanswered tries of 1 s, then the start.
      const startAt = new Date(Date.now() + 3000).toISOString();
      const r = await bench([smtp.url, '--scenario', 'smtp-send', '--rcpt', 'sink@responder.test', '--messages', '5', '--start-at', startAt, '--ntp', `127.0.0.1:${ntp.port}`]);
      expect(r.code, r.io.err()).toBe(0);
      expect(r.report.bench!.clock).toMatchObject({ startAt, offsetMs: null, error: expect.stringMatching(/no answer/) });
      expect(r.io.err()).toMatch(/warning: --ntp: no clock offset/);
    } finally {
      ntp.behaviour = 'good';
    }
  });
});
