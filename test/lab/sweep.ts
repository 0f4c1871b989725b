/**
 * Clean up after a lab whose test process was SIGKILLed (or lost power) before teardown: no
 * handler runs then, so the next start stops its servers and removes its directory. A lab whose
 * owner is still alive (a parallel run) is left alone.
 */
import { readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dovecotPaths } from './dovecot.js';
import { postfixPaths } from './postfix.js';
import { killGroup } from './reaper.js';

export const LAB_DIR_PREFIX = 'mailprobe-lab-';
const OWNER_FILE = 'owner.pid';

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'latin1')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Record which process owns a lab directory. */
export async function claimLabDir(dir: string): Promise<void> {
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
}

/** Give up ownership (for a lab kept for debugging): sweeps leave unowned directories alone. */
export async function releaseLabDir(dir: string): Promise<void> {
  await rm(join(dir, OWNER_FILE), { force: true });
}

/**
 * Kill a stale server only if the PID still is that server: a recycled PID must never be hit.
 * Postfix's master runs in its queue directory; Dovecot's command line names its config.
 */
async function killIfOurs(pid: number | undefined, check: (pid: number) => Promise<boolean>): Promise<void> {
  if (pid === undefined || !alive(pid)) return;
  if (await check(pid).catch(() => false)) killGroup(pid, 'SIGKILL');
}

async function sweepOne(dir: string): Promise<void> {
  const owner = await readPid(join(dir, OWNER_FILE));
  if (owner === undefined || alive(owner)) return;
  const dovecot = dovecotPaths(dir);
  const postfix = postfixPaths(dir);
  await killIfOurs(await readPid(join(dovecot.baseDir, 'master.pid')), async (pid) =>
    (await readFile(`/proc/${pid}/cmdline`, 'latin1')).includes(dovecot.conf),
  );
  await killIfOurs(await readPid(join(postfix.queueDir, 'pid', 'master.pid')), async (pid) => (await readlink(`/proc/${pid}/cwd`)) === postfix.queueDir);
  await rm(dir, { recursive: true, force: true });
}

export async function sweepStaleLabs(): Promise<void> {
  const root = tmpdir();
  const entries = await readdir(root).catch(() => []);
  await Promise.all(entries.filter((e) => e.startsWith(LAB_DIR_PREFIX)).map((e) => sweepOne(join(root, e))));
}
