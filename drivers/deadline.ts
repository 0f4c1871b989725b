import { onAbort as whenAborted } from './abort-hooks.js';
import { MailprobeError, type Phase } from './errors.js';

/**
 * Run one step under a deadline and the run's abort signal. Every outcome settles once: the
 * step's result, ETIMEDOUT{phase} when the deadline passes first, or EABORTED when the run is
 * cancelled. The timer and the abort listener are always removed when it settles, and `onCancel`
 * lets the caller tear down what the step started (destroy a socket).
 */
export async function withDeadline<T>(
  phase: Phase,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  step: () => Promise<T>,
  onCancel: (reason: MailprobeError) => void,
  describe: () => string = () => `${phase} did not complete within ${timeoutMs} ms`,
): Promise<T> {
  if (signal?.aborted) {
    const err = abortError(phase, signal);
    onCancel(err);
    throw err;
  }
  // One promise, settled by whichever comes first (no Promise.race: connects run per session).
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let unhook: (() => void) | undefined;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      unhook?.();
      return true;
    };
    const timer = setTimeout(() => {
      if (!finish()) return;
      const err = new MailprobeError('ETIMEDOUT', describe(), { phase, elapsedMs: timeoutMs });
      onCancel(err);
      reject(err);
    }, timeoutMs);
    const onAbort = (): void => {
      if (!finish()) return;
      const err = abortError(phase, signal!);
      onCancel(err);
      reject(err);
    };
    if (signal) unhook = whenAborted(signal, onAbort);
    let running: Promise<T>;
    try {
      running = step();
    } catch (err) {
      finish();
      reject(err);
      return;
    }
    running.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (err: unknown) => {
        if (finish()) reject(err);
      },
    );
  });
}

export function abortError(phase: Phase, signal: AbortSignal): MailprobeError {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new MailprobeError('EABORTED', `cancelled during ${phase}: ${text}`, { phase }, { cause: reason });
}
