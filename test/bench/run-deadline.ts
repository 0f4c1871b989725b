/**
 * The bare clients of the load benchmarks stop by themselves: a run that outlives its deadline
 * has a stuck server, so its sockets are destroyed and it fails instead of hanging the bench.
 */

/** A run that takes longer than this fails. */
export const RUN_DEADLINE_MS = 120_000;

/** `work`, or a failure naming `client` once RUN_DEADLINE_MS passed (every socket then destroyed). */
export function withRunDeadline<T>(client: string, sockets: ReadonlySet<{ destroy(): void }>, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const s of sockets) s.destroy();
      reject(new Error(`${client}: not done within ${RUN_DEADLINE_MS} ms`));
    }, RUN_DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
