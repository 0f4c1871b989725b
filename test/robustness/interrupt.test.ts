/**
 * SIGINT during check, diagnose and bench: in-process (io.signal aborted mid-run) and as real
 * processes (`node dist/bin/mailprobe.js …` sent SIGINT). Each must stop promptly, close every
 * socket and timer, write its report in every requested format marked `"partial": true`, and
 * exit 130. A real process that exits on its own after one SIGINT proves nothing was left
 * open: bin/mailprobe.ts only sets process.exitCode, so any live socket or timer would keep
 * it running.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../engine/report-types.js';
import { recordFigure, REPO, resources, runCli, settleLeaks, startHostiles, warmUp, type CliRun, type Format, type Hostiles } from './harness.js';

/** After the abort, a command must be done within this (the deadlines are 20 s: not waited for). */
const STOP_BOUND_MS = 2000;
/** A real process: node start-up plus the same. */
const PROCESS_STOP_BOUND_MS = 5000;

let h: Hostiles;
beforeAll(async () => {
  [h] = await Promise.all([startHostiles(['slow-smtp', 'no-greeting', 'reply-421-always']), warmUp()]);
}, 60_000);
afterAll(() => h?.stop());

/** The three commands, each against targets that keep it busy far longer than the test. */
function argvs(): Record<'check' | 'diagnose' | 'bench', { argv: string[]; formats: Format[]; abortAfterMs: number; afterOutput?: boolean }> {
  const slow = h.url('slow-smtp', 'smtp');
  return {
    // Every reply takes 300 ms: interrupted 300 ms after the first verdict is printed, a few
    // checks have finished, most have not.
    check: { argv: ['check', slow, '--timeout', '20s'], formats: ['json', 'junit', 'md', 'html'], abortAfterMs: 300, afterOutput: true },
    // One port is done at once (421), the silent one would take 20 s: the partial report has the first.
    diagnose: { argv: ['diagnose', h.url('reply-421-always', 'smtp'), h.url('no-greeting', 'smtp'), '--timeout', '20s'], formats: ['json', 'junit', 'md'], abortAfterMs: 1000 },
    bench: { argv: ['bench', slow, '--scenario', 'smtp-send', '--rcpt', 'sink@hostile.test', '--concurrency', '4', '--duration', '60s', '--timeout', '20s'], formats: ['json', 'md', 'html'], abortAfterMs: 4000 },
  };
}

function expectPartial(command: string, run: Pick<CliRun, 'code' | 'report' | 'files' | 'stderr'>): Report {
  expect(run.code, `${command}: ${run.stderr}`).toBe(130);
  expect(run.report, command).toBeDefined();
  const report = run.report!;
  expect(report).toMatchObject({ command, partial: true });
  if (run.files['junit'] !== undefined) expect(XMLValidator.validate(run.files['junit'])).toBe(true);
  if (run.files['md'] !== undefined) expect(run.files['md'].length).toBeGreaterThan(0);
  if (run.files['html'] !== undefined) expect(run.files['html']).toMatch(/^<!doctype html>/i);
  return report;
}

describe('interruption in-process (io.signal)', () => {
  it.each(['check', 'diagnose', 'bench'] as const)('%s: stops, closes everything, partial report, exit 130', async (command) => {
    const { argv, formats, abortAfterMs, afterOutput } = argvs()[command];
    const baseline = resources();
    const ac = new AbortController();
    let abortedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer ??= setTimeout(() => {
        abortedAt = performance.now();
        ac.abort(new Error('interrupted (SIGINT)'));
      }, abortAfterMs);
    };
    if (!afterOutput) arm();
    const run = await runCli(argv, { signal: ac.signal, formats, ...(afterOutput ? { onStdout: arm } : {}) });
    clearTimeout(timer);
    const stoppedAfter = performance.now() - abortedAt;
    recordFigure({ kind: 'interrupt', mode: 'in-process', command, stoppedAfterMs: Math.round(stoppedAfter), code: run.code, partial: run.report?.partial, checks: run.report?.checks.length, iterations: run.report?.bench?.metrics['iteration']?.count });
    expect(abortedAt, 'finished before the interrupt').toBeGreaterThan(0);
    expect(stoppedAfter).toBeLessThan(STOP_BOUND_MS);
    const report = expectPartial(command, run);
    expect(Object.keys(run.files).sort()).toEqual([...formats].sort());
    if (command === 'check') {
      expect(report.checks.length).toBeGreaterThan(0);
      expect(report.checks.length).toBeLessThan(66);
    }
    if (command === 'diagnose') expect((report.ports ?? []).map((p) => p.port)).toEqual([Number(new URL(h.url('reply-421-always', 'smtp')).port)]);
    if (command === 'bench') expect(report.bench!.metrics['iteration']!.count).toBeGreaterThan(0);
    expect(await settleLeaks(baseline), 'sockets or timers left after the interrupt').toEqual([]);
  }, 30_000);
});

describe('interruption of a real process (SIGINT)', () => {
  it('check, diagnose and bench each exit 130 on their own with a partial report', async () => {
    const bin = join(REPO, 'dist', 'bin', 'mailprobe.js');
    const node = existsSync(bin) ? [bin] : ['--import', 'tsx', join(REPO, 'bin', 'mailprobe.ts')];
    const dir = await mkdtemp(join(tmpdir(), 'mailprobe-sigint-'));
    try {
      const results = await Promise.all(
        Object.entries(argvs()).map(async ([command, { argv, abortAfterMs, afterOutput }]) => {
          const json = join(dir, `${command}.json`);
          const child = spawn(process.execPath, [...node, ...argv, '--json', json], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' } });
          let stderr = '';
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          const output = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
          child.stdout.resume();
          const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
          // The same point of the run as in-process (plus Node's start-up when timed).
          if (afterOutput) await output;
          await new Promise((r) => setTimeout(r, (afterOutput ? 0 : 1000) + abortAfterMs));
          const sentAt = performance.now();
          child.kill('SIGINT');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          const exit = await exited;
          clearTimeout(killer);
          const report = JSON.parse(await readFile(json, 'utf8').catch(() => 'null')) as Report | null;
          return { command, exit, ms: performance.now() - sentAt, report, stderr };
        }),
      );
      for (const r of results) {
        recordFigure({ kind: 'interrupt', mode: 'process', command: r.command, stoppedAfterMs: Math.round(r.ms), code: r.exit.code, partial: r.report?.partial });
        expect(r.exit, `${r.command}: ${r.stderr}`).toEqual({ code: 130, signal: null });
        expect(r.ms, r.command).toBeLessThan(PROCESS_STOP_BOUND_MS);
        expect(r.report, r.command).toMatchObject({ command: r.command, partial: true });
        expect(r.stderr, r.command).not.toMatch(/\n\s+at |internal error/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
