/**
 * A check from a suite file: its steps on one or more connections, the first unmet
 * expectation deciding the verdict, then cleanup on fresh connections if the old ones died.
 */
import { isMailprobeError } from '../../drivers/errors.js';
import type { Secret } from '../../drivers/redact.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { Outcome } from '../match/observation.js';
import type { LoadedCheck } from '../suite/loader.js';
import { durationMs, type StartState, type StepSpec } from '../suite/schema.js';
import { decodeEscapes, joinParts, substitute } from '../suite/text.js';
import { cleartextLoginRefusal, type CheckEnvironment } from './environment.js';
import type { Opener, Run } from './run-check.js';
import type { Outgoing, StepExchange, StepSession } from './session.js';
import { initialVariables, pause } from './variables.js';
import { classifyStepError, defaultElse, StartStateError, type Verdict } from './verdicts.js';

type StepOutcome =
  | ({ kind: 'done' } & Outcome)
  | { kind: 'not-ready'; status: 'skip' | 'inconclusive'; reason: string };

const DONE: StepOutcome = { kind: 'done', ok: true, captures: {} };

export class ScriptRun implements Run {
  readonly #check: LoadedCheck;
  readonly #open: Opener;
  readonly #start: StartState;
  readonly #sessions = new Map<number, StepSession>();
  /** Every session ever opened, in order (cleanup may replace dead ones). */
  readonly #all: { conn: number; session: StepSession }[] = [];
  readonly #notes: TranscriptEntry[] = [];
  readonly #vars: Map<string, string | Secret>;
  #env: CheckEnvironment;

  constructor(check: LoadedCheck, env: CheckEnvironment, open: Opener, start: StartState) {
    this.#check = check;
    this.#env = env;
    this.#open = open;
    this.#start = start;
    this.#vars = initialVariables(env);
  }

  async steps(): Promise<Verdict> {
    const spec = this.#check.spec;
    for (const [i, step] of spec.steps.entries()) {
      const where = this.#check.stepSources[i] ?? this.#check.source;
      const unmet = step.else ?? defaultElse(spec.level);
      let outcome: StepOutcome;
      try {
        outcome = await this.#step(step, false);
      } catch (err) {
        return classifyStepError(err, where, this.#check.protocol, unmet);
      }
      if (outcome.kind === 'not-ready') return { status: outcome.status, message: outcome.reason };
      if (!outcome.ok) {
        const why = step.because ? `${step.because}: ` : '';
        const message = `${why}expected ${outcome.expected}, got ${outcome.got} (${where})`;
        // Silence within our deadline is not a violation: RFC 5321 §4.5.3.2 gives servers minutes.
        if (outcome.undecided && step.silence !== 'unmet') return { status: 'inconclusive', message: `${message}; the server may just be slow: raise --timeout` };
        if (outcome.unavailable) return { status: 'inconclusive', message: `${message}; 421: the service is not available now (RFC 5321 §3.8), which decides nothing` };
        return { status: unmet, message };
      }
      for (const [k, v] of Object.entries(outcome.captures)) this.#vars.set(k, v);
    }
    return { status: 'pass', message: 'as required' };
  }

  /** Best effort, with its own signal (the check's budget may be spent) and deadline. */
  async cleanup(env: CheckEnvironment): Promise<void> {
    const steps = this.#check.spec.cleanup ?? [];
    if (steps.length === 0 || this.#all.length === 0) return;
    this.#env = env;
    for (const step of steps) {
      try {
        const outcome = await this.#step(step, true);
        if (outcome.kind === 'not-ready') return;
      } catch {
        return;
      }
    }
  }

  abandon(): void {
    for (const { session } of this.#all) session.destroy();
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#all.map(({ session }) => session.close().catch(() => undefined)));
  }

  transcript(): TranscriptEntry[] {
    const out = [...this.#notes];
    const multi = this.#all.length > 1;
    for (const { conn, session } of this.#all) {
      if (multi) out.push({ t: 0, dir: 'I', text: `— connection ${conn} —` });
      out.push(...session.transport.snapshot());
    }
    return out;
  }

  async #session(conn: number, fresh: boolean): Promise<StepSession | Extract<StepOutcome, { kind: 'not-ready' }>> {
    const existing = this.#sessions.get(conn);
    if (existing && !(fresh && existing.transport.closed)) return existing;
    let opened;
    try {
      opened = await this.#open(this.#env, this.#start);
    } catch (err) {
      // The connection that failed is in no session: keep what it saw (redacted) for the verdict.
      if (isMailprobeError(err)) this.#notes.push(...(err.context.transcript ?? []));
      // A garbled greeting is the subject of a check that starts at the greeting.
      if (this.#start === 'greeted' && isGreetingFault(err)) throw err;
      throw new StartStateError(err);
    }
    if (opened.kind !== 'ready') {
      this.#notes.push(...opened.transcript);
      return { kind: 'not-ready', status: opened.kind, reason: opened.reason };
    }
    this.#sessions.set(conn, opened.session);
    this.#all.push({ conn, session: opened.session });
    // Budget spent (or SIGINT) while connecting: the transport's abort listener was not there
    // yet, so drop it here; the step then fails with EABORTED.
    if (this.#env.signal?.aborted) opened.session.destroy();
    return opened.session;
  }

  async #step(step: StepSpec, cleanup: boolean): Promise<StepOutcome> {
    const timeoutMs = step.timeout === undefined ? this.#env.stepTimeoutMs : durationMs(step.timeout);
    if (step.sleep !== undefined) await pause(durationMs(step.sleep), this.#env.signal);
    const onlySleep = step.sleep !== undefined && step.send === undefined && step.expect === undefined && !step.pipeline && !step.tls && !step.close;
    if (onlySleep) return DONE;
    const session = await this.#session(step.conn ?? 1, cleanup);
    if ('kind' in session) return session;
    if (step.close) {
      await session.close();
      return DONE;
    }
    if (step.pipeline) {
      const refused = this.#cleartextSecret(step.pipeline.map((p) => p.send), session);
      if (refused) return refused;
      const exchanges: StepExchange[] = step.pipeline.map((p) => ({ send: this.#outgoing(p.send), expect: p.expect, known: this.#known() }));
      return { kind: 'done', ...(await session.pipeline(exchanges, timeoutMs)) };
    }
    if (step.send !== undefined || step.expect !== undefined) {
      const refused = this.#cleartextSecret([step.send, step.literal], session);
      if (refused) return refused;
      const ex: StepExchange = {
        send: step.send === undefined ? undefined : this.#outgoing(step.send),
        expect: step.expect,
        known: this.#known(),
        ...(step.literal === undefined ? {} : this.#literal(step.literal)),
      };
      const outcome = await session.exchange(ex, timeoutMs);
      if (!outcome.ok || !step.tls) return { kind: 'done', ...outcome };
    }
    if (step.tls) await session.upgradeTls();
    return DONE;
  }

  /** `$password` goes out only where a login would (environment.ts cleartextLoginRefusal). */
  #cleartextSecret(texts: readonly (string | { raw: string } | undefined)[], session: StepSession): StepOutcome | undefined {
    const joined = texts.map((t) => (t === undefined ? '' : typeof t === 'string' ? t : t.raw)).join(' ');
    if (!/\$\{?password\b/.test(joined)) return undefined;
    const refusal = cleartextLoginRefusal(session.transport.tls !== undefined, this.#env.starttls);
    return refusal ? { kind: 'not-ready', status: 'inconclusive', reason: `$password not sent: ${refusal}` } : undefined;
  }

  #literal(text: string): { literal: Buffer; literalIsSecret: boolean } {
    const parts = substitute(text, this.#vars);
    return { literal: Buffer.from(joinParts(parts).wire, 'utf8'), literalIsSecret: parts.some((p) => typeof p !== 'string') };
  }

  #known(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.#vars) if (typeof v === 'string') out.set(k, v);
    return out;
  }

  #outgoing(send: string | { raw: string }): Outgoing {
    if (typeof send === 'string') return { kind: 'line', parts: substitute(send, this.#vars) };
    const { wire, display } = joinParts(substitute(send.raw, this.#vars));
    return { kind: 'raw', bytes: decodeEscapes(wire), display: `(raw) ${display}` };
  }
}

/** The server's greeting itself was malformed or over a limit. */
export function isGreetingFault(err: unknown): boolean {
  return (isMailprobeError(err, 'EPROTOCOL') || isMailprobeError(err, 'ELIMIT')) && err.context.phase === 'greeting';
}
