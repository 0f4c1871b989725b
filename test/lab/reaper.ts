/**
 * Last-resort cleanup: if the test process exits or is signalled while servers run, kill their
 * process groups synchronously. Teardown normally stops them gracefully first; this covers a
 * crash, Ctrl-C or `kill` of vitest itself, where no async teardown gets to run.
 */
import { readdirSync, readFileSync } from 'node:fs';

type Killer = () => void;

const killers = new Set<Killer>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function runAll(): void {
  for (const kill of killers) {
    try {
      kill();
    } catch {
      // Best effort: one server's failure must not keep the others alive.
    }
  }
  killers.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  // Our listener replaced the default action; if nobody else handles the signal, re-raise it so
  // the process still dies the way the sender intended.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', runAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  process.off('exit', runAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Register a synchronous killer; returns the function that unregisters it (call after a clean
 * stop). Listeners exist only while something is registered, so a finished lab leaves the
 * process's signal handling as it found it.
 */
export function onEmergency(kill: Killer): () => void {
  if (killers.size === 0) install();
  killers.add(kill);
  return () => {
    killers.delete(kill);
    if (killers.size === 0) uninstall();
  };
}

/** Send `signal` to a whole process group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Whether a process that is not a zombie is left in the group. Zombies are ignored: helpers whose
 * master already exited are re-parented to PID 1, and an init that reaps slowly (as in some
 * containers) would otherwise make every stop wait for nothing. Reads /proc (the lab is
 * Linux-only anyway).
 */
export function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) return true;
  }
  return false;
}
