/**
 * Run one check: decide whether it applies (roles, capabilities, fixtures), run it within its
 * budget, clean up (unless --keep), and keep the redacted transcript. Everything the check opened is
 * closed on every path: the budget aborts the check's own signal, which every connection of
 * the check listens to.
 */
import { performance } from 'node:perf_hooks';
import { onAbort } from '../../drivers/abort-hooks.js';
import { isMailprobeError } from '../../drivers/errors.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { CheckMeta, CodeCheck } from '../checks/code-check.js';
import type { CheckResult, CheckStatus } from '../report-types.js';
import type { LoadedCheck } from '../suite/loader.js';
import { durationMs, type StartState } from '../suite/schema.js';
import { missingCapabilities } from './capabilities.js';
import { CodeRun } from './code-run.js';
import type { CheckEnvironment } from './environment.js';
import type { Opened } from './opened.js';
import { ScriptRun } from './script-run.js';
import type { Verdict } from './verdicts.js';

/** Opens a connection at a start state; one per protocol (open-smtp/imap/pop3.ts). */
export type Opener = (env: CheckEnvironment, start: StartState) => Promise<Opened>;

/** A check from a suite file or from code (engine/checks/code-check.ts). */
export type RunnableCheck = LoadedCheck | CodeCheck;

/** One execution of a check, script or code: steps, cleanup, teardown, transcript. */
export interface Run {
  steps(): Promise<Verdict>;
  cleanup(env: CheckEnvironment): Promise<void>;
  /** Destroy every connection now (budget spent). */
  abandon(): void;
  closeAll(): Promise<void>;
  transcript(): TranscriptEntry[];
}

const DEFAULT_CHECK_BUDGET_MS = 60_000;
const CLEANUP_BUDGET_MS = 10_000;

export function checkMeta(check: RunnableCheck): CheckMeta {
  return check.kind === 'code' ? check.meta : check.spec;
}

export async function runCheck(check: RunnableCheck, env: CheckEnvironment, open: Opener): Promise<CheckResult> {
  const started = performance.now();
  const spec = checkMeta(check);
  const result = (status: CheckStatus, message: string, transcript: readonly TranscriptEntry[] = []): CheckResult => ({
    id: spec.id,
    protocol: check.protocol,
    target: env.target.url,
    title: spec.title,
    ref: spec.ref,
    level: spec.level,
    status,
    message,
    durationMs: Math.round(performance.now() - started),
    transcript,
    source: check.source,
  });

  if (spec.roles && !spec.roles.includes(env.target.role)) {
    return result('skip', `applies to ${spec.roles.join('/')} ports; ${env.target.url} is a ${env.target.role} port`);
  }
  const start = spec.start ?? 'greeted';
  const missing = missingCapabilities(spec.requires ?? [], env.capabilities, start, check.protocol);
  if (missing.length > 0) return result('skip', `the server does not announce ${missing.join(', ')}`);
  for (const need of spec.needs ?? []) {
    if (need === 'login' && !env.fixtures.credentials) return result('inconclusive', 'needs a login: pass --user and a password (MAILPROBE_PASSWORD)');
    if (need === 'rcpt' && !env.fixtures.rcpt) return result('inconclusive', "needs a local recipient: pass --rcpt ADDRESS on the target's own domain");
  }

  const budgetMs = spec.timeout === undefined ? DEFAULT_CHECK_BUDGET_MS : durationMs(spec.timeout);
  const budget = scopedSignal(env.signal, budgetMs);
  const checkEnv: CheckEnvironment = { ...env, signal: budget.signal };
  const run: Run = check.kind === 'code' ? new CodeRun(check, checkEnv, open, start) : new ScriptRun(check, checkEnv, open, start);
  let verdict: Verdict;
  try {
    verdict = await run.steps();
  } catch (err) {
    // EABORTED: the run was interrupted (rethrown) or this check's budget ran out.
    if (!isMailprobeError(err, 'EABORTED') || env.signal?.aborted) throw err;
    verdict = { status: 'inconclusive', message: `the check did not finish within ${budgetMs} ms` };
  } finally {
    budget.dispose();
  }
  if (budget.expired && verdict.status !== 'inconclusive') {
    verdict = { status: 'inconclusive', message: `the check did not finish within ${budgetMs} ms` };
  }
  if (budget.expired) run.abandon();
  // --keep leaves what the check created; the connections are closed all the same.
  if (!env.signal?.aborted && env.fixtures.keep !== true) {
    const cleanup = scopedSignal(env.signal, CLEANUP_BUDGET_MS);
    try {
      await run.cleanup({ ...env, signal: cleanup.signal });
    } finally {
      cleanup.dispose();
    }
  }
  await run.closeAll();
  return result(verdict.status, verdict.message, run.transcript());
}

/** A signal that aborts when the parent does or when `ms` pass; dispose() clears the timer. */
function scopedSignal(parent: AbortSignal | undefined, ms: number): { signal: AbortSignal; dispose(): void; readonly expired: boolean } {
  const ctl = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort(new Error(`check budget of ${ms} ms spent`));
  }, Math.min(ms, 2 ** 31 - 1));
  // The run's signal is shared by every check running at once (and their clean-ups): a hook in
  // a Set (abort-hooks.ts), not an EventTarget listener each, which warned of a leak past ten.
  let unhook: (() => void) | undefined;
  if (parent?.aborted) ctl.abort(parent.reason);
  else if (parent) unhook = onAbort(parent, () => ctl.abort(parent.reason));
  return {
    signal: ctl.signal,
    dispose() {
      clearTimeout(timer);
      unhook?.();
    },
    get expired() {
      return expired;
    },
  };
}
