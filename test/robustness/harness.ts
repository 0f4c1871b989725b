/**
 * What every robustness test needs: the hostile servers in their own process, the CLI run
 * in-process with a fake io and every report format written, a leak check on the test
 * process's active handles, and a memory sampler.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { main } from '../../bin/main.js';
import type { Report } from '../../engine/report-types.js';
import { fakeIo } from '../helpers/cli.js';
import type { ChildHello } from './hostile-child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = join(HERE, '..', '..');

export interface Hostiles extends ChildHello {
  readonly labRootPath: string;
  readonly chainRootPath: string;
  readonly dir: string;
  url(name: string, scheme: string): string;
  stop(): Promise<void>;
}

/** Start the named hostile servers in a child process (see hostile-child.ts). */
export async function startHostiles(names: readonly string[]): Promise<Hostiles> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'hostile-child.ts'), ...names], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const hello = await new Promise<ChildHello>((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as ChildHello);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hostile servers exited with ${code}`)));
  });
  const dir = await mkdtemp(join(tmpdir(), 'mailprobe-hostile-'));
  const labRootPath = join(dir, 'lab-root.pem');
  const chainRootPath = join(dir, 'chain-root.pem');
  await writeFile(labRootPath, hello.labRootPem);
  await writeFile(chainRootPath, hello.chainRootPem || hello.labRootPem);
  return {
    ...hello,
    labRootPath,
    chainRootPath,
    dir,
    url: (name, scheme) => {
      const port = hello.ports[name];
      if (port === undefined) throw new Error(`hostile server ${name} not started`);
      return `${scheme}://127.0.0.1:${port}`;
    },
    async stop() {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- CLI runs

export interface CliRun {
  readonly argv: readonly string[];
  readonly code: number;
  readonly ms: number;
  readonly report: Report | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Every report file the run wrote, by format (json, junit, md, html). */
  readonly files: Readonly<Record<string, string>>;
}

export type Format = 'json' | 'junit' | 'md' | 'html';

/** main(argv, fakeIo) with the given report formats written to a temporary directory. */
export async function runCli(
  argv: readonly string[],
  options: { env?: Record<string, string>; signal?: AbortSignal; formats?: readonly Format[]; onStdout?: (text: string) => void } = {},
): Promise<CliRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mailprobe-robust-'));
  const formats = options.formats ?? ['json'];
  const ext: Record<Format, string> = { json: 'json', junit: 'xml', md: 'md', html: 'html' };
  const paths = Object.fromEntries(formats.map((f) => [f, join(dir, `report.${ext[f]}`)])) as Record<Format, string>;
  const full = [...argv, ...formats.flatMap((f) => [`--${f}`, paths[f]])];
  const io = fakeIo(options.env ?? {}, options.signal);
  const onStdout = options.onStdout;
  const cliIo = onStdout
    ? {
        ...io,
        stdout: {
          write: (t: string) => {
            io.stdout.write(t);
            onStdout(t);
            return true;
          },
        },
      }
    : io;
  const t0 = performance.now();
  const code = await main(full, cliIo);
  const ms = performance.now() - t0;
  const files: Record<string, string> = {};
  for (const f of formats) {
    const text = await readFile(paths[f], 'utf8').catch(() => undefined);
    if (text !== undefined) files[f] = text;
  }
  await rm(dir, { recursive: true, force: true });
  const report = files['json'] === undefined ? undefined : (JSON.parse(files['json']) as Report);
  return { argv: full, code, ms, report, stdout: io.out(), stderr: io.err(), files };
}

// ---------------------------------------------------------------- leaks and memory

/** The test process's active resources (sockets, timers, …) as type → count. */
export function resources(): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) out.set(r, (out.get(r) ?? 0) + 1);
  return out;
}

/** Resources present now beyond the baseline, as `Type +n` strings. */
export function extraResources(baseline: ReadonlyMap<string, number>): string[] {
  const now = resources();
  const extra: string[] = [];
  for (const [type, n] of now) {
    const more = n - (baseline.get(type) ?? 0);
    if (more > 0) extra.push(`${type} +${more}`);
  }
  return extra;
}

/**
 * Wait (up to `ms`) for every socket and timer opened since `baseline` to be gone. Handles are
 * released a tick or two after destroy(), so a short settle is allowed; anything still there
 * after it is a leak. Returns what is left (empty: no leak).
 */
export async function settleLeaks(baseline: ReadonlyMap<string, number>, ms = 1000): Promise<string[]> {
  const until = performance.now() + ms;
  for (;;) {
    const extra = extraResources(baseline);
    if (extra.length === 0 || performance.now() > until) return extra;
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setTimeout(r, 10));
  }
}

let gcFn: (() => void) | undefined;
/** A full GC (v8 --expose-gc enabled at run time), so heap figures are live data, not garbage. */
export function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

export interface MemoryWatch {
  /** Stop sampling: the peak of heapUsed + arrayBuffers since start, in MB above the start. */
  stop(): number;
  /**
   * After a full GC, MB above the start: what the run left behind (call once its handles are
   * gone). Re-measured for up to `settleMs` while above `bound`: under load a closed socket's
   * last write request can hold its buffer a little longer; a real leak stays.
   */
  retained(bound?: number, settleMs?: number): Promise<number>;
}

const mb = (n: number): number => Math.round((n / (1024 * 1024)) * 10) / 10;

/** Samples heap + ArrayBuffer memory every 20 ms. */
export function watchMemory(): MemoryWatch {
  gc();
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = base;
  let stopped = false;
  const timer = setInterval(() => {
    peak = Math.max(peak, used());
  }, 20);
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        peak = Math.max(peak, used());
      }
      return mb(peak - base);
    },
    async retained(bound = 0, settleMs = 2000) {
      const until = performance.now() + settleMs;
      for (;;) {
        gc();
        const now = mb(used() - base);
        if (now < bound || performance.now() > until) return now;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Text every output of a run: console (both streams) and every report file. */
export function allOutput(run: CliRun): string {
  return [run.stdout, run.stderr, ...Object.values(run.files)].join('\n');
}

/**
 * Load every lazily imported module (commands, engines, renderers) once, against a refused
 * port, so the first measured row does not count module code as memory it retained.
 */
export async function warmUp(): Promise<void> {
  const url = 'smtp://127.0.0.1:1';
  await runCli(['check', url, '--timeout', '1s'], { formats: ['json', 'junit', 'md', 'html'] });
  await runCli(['diagnose', url, '--timeout', '1s'], { formats: ['json', 'junit', 'md'] });
  await runCli(['bench', url, '--scenario', 'smtp-send', '--rcpt', 'a@b.test', '--duration', '100ms', '--timeout', '1s'], { formats: ['json', 'md', 'html'] });
}

/** One JSON line for docs/robustness.md when MAILPROBE_ROBUSTNESS_FIGURES names a file. */
export function recordFigure(figure: Record<string, unknown>): void {
  const file = process.env['MAILPROBE_ROBUSTNESS_FIGURES'];
  if (file) appendFileSync(file, `${JSON.stringify(figure)}\n`);
}
