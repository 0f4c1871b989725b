/**
 * `--workers N`: the run split over N worker threads, each taking slice k of n (slice.ts), all
 * starting on one absolute time so their arrivals interleave on the one global schedule. Ticks
 * stream into the parent's timeline; results come back as ThreadResults and merge like shards.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MailprobeError, type ErrorCode } from '../../drivers/errors.js';
import { mergeEncoded } from './histogram.js';
import type { ThreadResult } from './runner.js';
import type { Timeline } from './timeline.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

export interface WorkerRunOptions {
  readonly inits: readonly WorkerInit[];
  readonly timeline: Timeline;
  readonly signal?: AbortSignal;
  /** Time the workers get to load and open nothing yet but their set-up. */
  readonly readyTimeoutMs?: number;
  /**
   * Once every worker is ready: the absolute time (performance.timeOrigin + now()) of the common
   * start (`--start-at`); may throw (the start passed). Default: START_DELAY_MS from now.
   */
  readonly start?: () => number;
}

/** Delay between "all ready" and the common start, so every worker sleeps into it. */
const START_DELAY_MS = 50;

export async function runWorkers(o: WorkerRunOptions): Promise<ThreadResult[]> {
  const workers = o.inits.map((init) => spawn(init));
  const send = (m: ToWorker): void => {
    for (const w of workers) w.worker.postMessage(m);
  };
  const onAbort = (): void => send({ type: 'abort' });
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(workers.map((w) => w.ready));
    send({ type: 'start', t0Abs: o.start ? o.start() : performance.timeOrigin + performance.now() + START_DELAY_MS });
    if (o.signal?.aborted) onAbort();
    workers.forEach((w, source) => {
      w.onTick = (m) => o.timeline.addCounts(source, m.t, m.ops, m.errors, (h) => mergeEncoded(h, m.hdr));
      w.onCrossed = () => send({ type: 'stop' });
    });
    const results = await Promise.all(
      workers.map((w, source) =>
        w.done.then((r) => {
          o.timeline.sourceFinished(source);
          return r;
        }),
      ),
    );
    return results;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

interface Spawned {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly done: Promise<ThreadResult>;
  onTick: (m: Extract<FromWorker, { type: 'tick' }>) => void;
  onCrossed: () => void;
}

function spawn(init: WorkerInit): Spawned {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...entryPoint(), init } });
  let readyResolve!: () => void;
  let doneResolve!: (r: ThreadResult) => void;
  const failures: ((e: unknown) => void)[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    failures.push(reject);
  });
  const done = new Promise<ThreadResult>((resolve, reject) => {
    doneResolve = resolve;
    failures.push(reject);
  });
  // A failure before "ready" rejects both; keep the unused one from being unhandled.
  done.catch(() => {});
  const fail = (e: unknown): void => failures.forEach((f) => f(e));
  const s: Spawned = { worker, ready, done, onTick: () => {}, onCrossed: () => {} };
  worker.on('message', (m: FromWorker) => {
    switch (m.type) {
      case 'ready':
        readyResolve();
        break;
      case 'tick':
        s.onTick(m);
        break;
      case 'crossed':
        s.onCrossed();
        break;
      case 'done':
        doneResolve(m.result);
        break;
      case 'failed':
        fail(new MailprobeError(isCode(m.code) ? m.code : 'ECONFIG', m.message));
        break;
    }
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`load worker exited (code ${code}) before reporting`)));
  return s;
}

function isCode(code: string | undefined): code is ErrorCode {
  return code !== undefined && /^E[A-Z_]+$/.test(code);
}

/**
 * The worker runs the compiled worker-entry.js next to this file; when this file is the
 * TypeScript source (tests, `node --import tsx`), the worker loads worker-entry.ts through
 * tsx's tsImport (a dev dependency, absent from installed packages, which run the .js).
 */
function entryPoint(): { entry: string; tsx: string | undefined } {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { entry: new URL('./worker-entry.js', self).href, tsx: undefined };
  const require = createRequire(self);
  const tsxRoot = dirname(require.resolve('tsx/package.json'));
  return { entry: new URL('./worker-entry.ts', self).href, tsx: pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href };
}

/** CommonJS, evaluated as the worker's main script: load the entry (through tsx when asked). */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) {
    const { tsImport } = await import(workerData.tsx);
    await tsImport(workerData.entry, workerData.entry);
  } else {
    await import(workerData.entry);
  }
})().catch((err) => { process.exitCode = 1; console.error(err); });
`;
