/**
 * A load worker thread: builds its part of the scenario, waits for the common start time, runs
 * its slice and streams ticks to the parent. Loaded only inside a worker (workers.ts). The
 * scenarios come from the module the parent names (WorkerInit.scenarioModule), not an import
 * of suites/: the engine stays below the scenario layer.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { encodeHistogram } from './histogram.js';
import { runLoad } from './runner.js';
import type { ScenarioFactory } from './types.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

async function main(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  const post = (m: FromWorker): void => port.postMessage(m);
  const hard = new AbortController();
  const stop = new AbortController();
  let start: ((t0Abs: number) => void) | undefined;
  const started = new Promise<number>((resolve) => (start = resolve));
  port.on('message', (m: ToWorker) => {
    if (m.type === 'start') start?.(m.t0Abs);
    else if (m.type === 'stop') stop.abort();
    else hard.abort(new Error('interrupted'));
  });
  try {
    const createScenario = await importFactory(init.scenarioModule);
    const scenario = await createScenario(init.scenario, init.slice);
    const result = await runLoad({
      plan: init.plan,
      slice: init.slice,
      scenario,
      // Ready once the scenario has started (e2e watchers up); then the parent's common start.
      t0: async () => {
        post({ type: 'ready' });
        return (await started) - performance.timeOrigin;
      },
      signal: hard.signal,
      stop: stop.signal,
      abortOn: init.abortOn,
      onCrossed: (expr) => post({ type: 'crossed', expr }),
      onTick: (tick) => post({ type: 'tick', t: tick.t, ops: tick.ops, errors: tick.errors, hdr: encodeHistogram(tick.histogram) }),
    });
    post({ type: 'done', result });
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
    post({ type: 'failed', code, message: err instanceof Error ? err.message : String(err) });
  } finally {
    port.close();
  }
}

/** The caller's scenario module (ScenarioSource.module); an import is untyped, so its export is checked. */
async function importFactory(url: string): Promise<ScenarioFactory> {
  const mod = (await import(url)) as { readonly createScenario?: unknown };
  if (typeof mod.createScenario !== 'function') throw new Error(`scenario module ${url} exports no createScenario function`);
  return mod.createScenario as ScenarioFactory;
}

if (parentPort) void main(parentPort, (workerData as { init: WorkerInit }).init);
