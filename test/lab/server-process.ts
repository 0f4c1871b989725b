/**
 * A server run as a direct child of the test process (not daemonized), in its own process
 * group. As our child its exit is seen and reaped here, so stop() knows when it is really gone;
 * its own group lets one signal reach every helper it forked, and keeps a Ctrl-C aimed at
 * vitest's terminal group from killing it mid-teardown (the reaper handles that case).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { groupAlive, killGroup, onEmergency } from './reaper.js';

const OUTPUT_TAIL_CHARS = 8_000;
/** How long a stopped server's helpers get to exit on their own before SIGKILL. */
const DRAIN_MS = 2_000;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the direct child exits; never rejects. */
  readonly exited: Promise<string>;
  /** Why the direct child is gone (`exited with code 1`), or undefined while it runs. */
  exitReason(): string | undefined;
  /** The last few KB the child wrote to stdout/stderr. */
  output(): string;
  /**
   * Stop: run `graceful` and wait up to `timeoutMs` for the child; if `graceful` fails or the
   * child lingers, SIGKILL its groups. Resolves once the child has exited and its groups are
   * empty.
   */
  stop(graceful: () => Promise<void> | void, timeoutMs: number): Promise<void>;
}

export interface SpawnOptions {
  /** Extra process groups the server creates itself (Postfix's master calls setsid()). */
  extraGroups?: () => readonly number[];
}

/** `promise`, or 'timeout' after `ms`; the timer is cleared either way so it never holds the process open. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function spawnServer(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ServerProcess {
  const child: ChildProcess = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let reason: string | undefined;
  const exited = new Promise<string>((resolve) => {
    const settle = (why: string): void => {
      reason ??= why;
      resolve(reason);
    };
    child.once('error', (err) => settle(`failed to start: ${err.message}`));
    child.once('exit', (code, signal) => settle(signal ? `killed by ${signal}` : `exited with code ${String(code)}`));
  });
  const pid = child.pid ?? -1;
  const groups = (): number[] => [...(pid > 0 ? [pid] : []), ...(options.extraGroups?.() ?? [])];
  const killAll = (): void => {
    for (const g of groups()) killGroup(g, 'SIGKILL');
  };
  // Kept until stop() even if the child dies early: helpers it forked may outlive it.
  const unregister = onEmergency(killAll);

  return {
    name,
    pid,
    exited,
    exitReason: () => reason,
    output: () => tail,
    async stop(graceful, timeoutMs) {
      try {
        if (reason === undefined) {
          // A graceful path that fails (e.g. `postfix stop` while the master is still starting)
          // or hangs would only delay the inevitable: kill at once.
          const asked = await within(
            Promise.resolve()
              .then(graceful)
              .then(() => 'ok' as const, () => 'failed' as const),
            timeoutMs,
          );
          if (asked !== 'ok' || (await within(exited, timeoutMs)) === 'timeout') killAll();
        }
        await exited;
        // Helpers told to stop by their master may still be exiting; give them a moment, then
        // kill whatever the graceful path missed.
        const drainUntil = Date.now() + DRAIN_MS;
        while (groups().some(groupAlive) && Date.now() < drainUntil) await sleep(20);
        killAll();
      } finally {
        unregister();
      }
    },
  };
}
