import { MailprobeError, type Phase } from './errors.js';

/**
 * Run one step under a deadline and the run's abort signal. Every outcome settles once: the
 * step's result, ETIMEDOUT{phase} when the deadline passes first, or EABORTED when the run is
 * cancelled. The timer and the abort listener are always removed (in `finally`), and `onCancel`
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
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new MailprobeError('ETIMEDOUT', describe(), { phase, elapsedMs: timeoutMs });
      onCancel(err);
      reject(err);
    }, timeoutMs);
    if (signal) {
      onAbort = () => {
        const err = abortError(phase, signal);
        onCancel(err);
        reject(err);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([step(), cancelled]);
  } finally {
    clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}

export function abortError(phase: Phase, signal: AbortSignal): MailprobeError {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new MailprobeError('EABORTED', `cancelled during ${phase}: ${text}`, { phase }, { cause: reason });
}
