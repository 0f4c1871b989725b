/**
 * Messages between the parent and its load workers (`--workers N`). Everything is plain data:
 * histograms travel as compressed base64, like shard reports will.
 */
import type { ThreadResult } from './runner.js';
import type { Threshold } from './thresholds-parse.js';
import type { LoadPlan, LoadScenarioConfig, Slice } from './types.js';

export interface WorkerInit {
  readonly scenario: LoadScenarioConfig;
  /** ScenarioSource.module: the worker imports its scenarios from here (a function cannot be cloned). */
  readonly scenarioModule: string;
  readonly plan: LoadPlan;
  readonly slice: Slice;
  readonly abortOn: readonly Threshold[];
}

export type ToWorker =
  /** Begin: offset 0 of the schedule at this absolute time (performance.timeOrigin + now()). */
  | { readonly type: 'start'; readonly t0Abs: number }
  /** Stop gracefully (another part crossed a threshold). */
  | { readonly type: 'stop' }
  /** Stop now (SIGINT). */
  | { readonly type: 'abort' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'tick'; readonly t: number; readonly ops: number; readonly errors: number; readonly hdr: string }
  | { readonly type: 'crossed'; readonly expr: string }
  | { readonly type: 'done'; readonly result: ThreadResult }
  | { readonly type: 'failed'; readonly code: string | undefined; readonly message: string };
