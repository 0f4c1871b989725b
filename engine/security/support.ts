/**
 * Small pieces every probe uses: reports, evidence from transcripts, names that cannot exist,
 * and the one rule about failures (a dropped connection or a missing reply is "could not
 * decide", never a finding; only a cancelled run escapes).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isMailprobeError, MailprobeError } from '../../drivers/errors.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { Transport } from '../../drivers/transport.js';
import type { ProbeFinding, ProbeReport, ProbeStatus } from './types.js';

export function report(status: ProbeStatus, summary: string, findings: readonly ProbeFinding[] = []): ProbeReport {
  return { status, summary, findings };
}

/**
 * Run a probe; a transport or framing failure (closed, timed out, TLS failed, garbled reply)
 * becomes an inconclusive report naming it. EABORTED (the run was cancelled, or a check's
 * budget ran out) and harness bugs propagate.
 */
export async function guarded(what: string, body: () => Promise<ProbeReport>): Promise<ProbeReport> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof MailprobeError) || err.code === 'EABORTED') throw err;
    return report('inconclusive', `${what}: ${err.message}`);
  }
}

/** Transcript entries as evidence lines (`C: …`, `S: …`, `I: …`); secrets are already `***`. */
export function evidenceOf(entries: readonly TranscriptEntry[]): string[] {
  return entries.map((e) => `${e.dir}: ${e.text}`);
}

/** The transcript of a connection from entry `from` on, as evidence lines. */
export function evidenceFrom(transport: Transport, from = 0): string[] {
  return evidenceOf(transport.snapshot().slice(from));
}

/** Random lower-case hex: names no server can already have (`mailprobe-nonexistent-3f9a…`). */
export function token(bytes = 6): string {
  return randomBytes(bytes).toString('hex');
}

/** Wait `ms` (ends early, with EABORTED, when the run is cancelled). */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw new MailprobeError('EABORTED', 'cancelled', { phase: 'command' }, { cause: err });
    throw err;
  }
}

/** A read that may legitimately get nothing: a timeout or a hang-up is `undefined`. */
export async function maybe<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isMailprobeError(err, 'ETIMEDOUT') || isMailprobeError(err, 'ECLOSED')) return undefined;
    throw err;
  }
}

/** `user@domain` → `domain` (lower-case); undefined for anything else. */
export function domainOf(address: string | undefined): string | undefined {
  const at = address?.lastIndexOf('@') ?? -1;
  if (address === undefined || at < 1 || at === address.length - 1) return undefined;
  return address.slice(at + 1).toLowerCase();
}
