/**
 * A misconfigured Postfix or Dovecot started by one test file (test/diagnose, test/security):
 * wait until every listed listener greets (or the server dies, with its output in the error),
 * and hand back one idempotent stop that also removes the variant's directory. A variant that
 * does not come up is stopped before the error is thrown.
 */
import { rm } from 'node:fs/promises';
import { waitForGreeting, type GreetingProbe } from './greeting.js';
import type { ServerProcess } from './server-process.js';

/** How long a variant may take to greet on every listed listener. */
const START_MS = 15_000;

export async function awaitVariant(server: ServerProcess, probes: readonly GreetingProbe[], stopServer: () => Promise<void>, dir: string): Promise<() => Promise<void>> {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    const deadline = Date.now() + START_MS;
    const died = (): string | undefined => {
      const why = server.exitReason();
      return why === undefined ? undefined : `${server.name} ${why}: ${server.output()}`;
    };
    await Promise.all(probes.map((p) => waitForGreeting(p, deadline, died)));
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return stop;
}
