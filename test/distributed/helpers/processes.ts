/**
 * mailprobe as separate processes, as shards run in production: `node dist/bin/mailprobe.js`
 * when the build is current (`npm test` builds first), else the TypeScript sources through tsx
 * (a test run right after an edit). Every process is bounded by a kill timer.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIST_ENTRY = join(ROOT, 'dist/bin/mailprobe.js');
const SOURCE_DIRS = ['bin', 'drivers', 'engine', 'reports', 'suites', 'sandbox'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let cached: { argv: string[]; compiled: boolean } | undefined;

/** The node arguments that start the mailprobe CLI, and whether they run the build. */
export function mailprobeCommand(): { argv: string[]; compiled: boolean } {
  if (cached) return cached;
  let built = 0;
  try {
    built = statSync(DIST_ENTRY).mtimeMs;
  } catch {
    // No build: run the sources.
  }
  const fresh = built > 0 && SOURCE_DIRS.every((d) => newestSource(join(ROOT, d)) <= built);
  cached = fresh ? { argv: [DIST_ENTRY], compiled: true } : { argv: ['--import', 'tsx', join(ROOT, 'bin/mailprobe.ts')], compiled: false };
  return cached;
}

/**
 * How far ahead to put --start-at so every process of a test is up, even on a loaded
 * two-core CI machine (tsx compiles on start): a shard more than 1 s late exits 2.
 */
export function startLeadMs(processes: number): number {
  return mailprobeCommand().compiled ? 2500 + processes * 300 : 4000 + processes * 500;
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runMailprobe(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ProcessResult> {
  const { argv } = mailprobeCommand();
  const child = spawn(process.execPath, [...argv, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolvePromise, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
