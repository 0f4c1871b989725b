/**
 * Run one check: decide whether it applies (roles, capabilities, fixtures), establish its
 * start state, run the steps on one or more connections, turn the first unmet expectation into
 * the verdict, always run the cleanup, and keep the redacted transcript.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MailprobeError } from '../../drivers/errors.js';
import type { Secret } from '../../drivers/redact.js';
import type { Protocol } from '../../drivers/target.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { CheckResult, CheckStatus, Level } from '../report-types.js';
import type { CheckMeta, CodeCheck, CodeCheckContext, ClientFor } from '../checks/code-check.js';
import type { LoadedCheck } from '../suite/loader.js';
import { durationMs, type StartState, type StepSpec } from '../suite/schema.js';
import { decodeEscapes, joinParts, substitute } from '../suite/text.js';
import { missingCapabilities } from './capabilities.js';
import type { CheckEnvironment } from './environment.js';
import type { Opened } from './opened.js';
import type { Outgoing, StepExchange, StepSession } from './session.js';

/** Opens a connection at a start state; one per protocol (open-smtp/imap/pop3.ts). */
export type Opener = (env: CheckEnvironment, start: StartState) => Promise<Opened>;

const DEFAULT_CHECK_BUDGET_MS = 60_000;

/** A check from a suite file or from code (engine/checks/code-check.ts). */
export type RunnableCheck = LoadedCheck | CodeCheck;

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
    if (need === 'rcpt' && !env.fixtures.rcpt) return result('inconclusive', 'needs a local recipient: pass --rcpt ADDRESS on the target\'s own domain');
  }

  const run: Run = check.kind === 'code' ? new CodeRun(check, env, open, start) : new CheckRun(check, env, open, start);
  const budgetMs = spec.timeout === undefined ? DEFAULT_CHECK_BUDGET_MS : durationMs(spec.timeout);
  let timer: NodeJS.Timeout | undefined;
  const overBudget = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => {
      run.abandon();
      resolve({ status: 'inconclusive', message: `the check did not finish within ${budgetMs} ms` });
    }, budgetMs);
  });
  let verdict: Verdict;
  try {
    verdict = await Promise.race([run.steps(), overBudget]);
  } finally {
    clearTimeout(timer);
  }
  await run.cleanup();
  await run.closeAll();
  return result(verdict.status, verdict.message, run.transcript());
}

interface Verdict {
  status: CheckStatus;
  message: string;
}

/** One execution of a check, script or code: steps, cleanup, teardown, transcript. */
interface Run {
  steps(): Promise<Verdict>;
  cleanup(): Promise<void>;
  abandon(): void;
  closeAll(): Promise<void>;
  transcript(): TranscriptEntry[];
}

class CheckRun implements Run {
  readonly #check: LoadedCheck;
  readonly #env: CheckEnvironment;
  readonly #open: Opener;
  readonly #start: StartState;
  readonly #sessions = new Map<number, StepSession>();
  /** Transcripts of connections already closed or abandoned, in order. */
  readonly #notes: TranscriptEntry[] = [];
  readonly #vars: Map<string, string | Secret>;
  #abandoned = false;
  #opened = false;

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
      if (this.#abandoned) return { status: 'inconclusive', message: 'abandoned' };
      const where = this.#check.stepSources[i] ?? this.#check.source;
      let outcome: StepOutcome;
      try {
        outcome = await this.#step(step);
      } catch (err) {
        return classify(err, where, this.#check.protocol);
      }
      if (outcome.kind === 'not-ready') return { status: outcome.status, message: outcome.reason };
      if (!outcome.ok) {
        const status = step.else ?? defaultElse(spec.level);
        const why = step.because ? `${step.because}: ` : '';
        return { status, message: `${why}expected ${outcome.expected}, got ${outcome.got} (${where})` };
      }
      for (const [k, v] of Object.entries(outcome.captures)) this.#vars.set(k, v);
    }
    return { status: 'pass', message: 'as required' };
  }

  async cleanup(): Promise<void> {
    // Nothing was opened (skipped before connecting): nothing to clean up.
    if (!this.#opened) return;
    for (const step of this.#check.spec.cleanup ?? []) {
      try {
        const outcome = await this.#step(step);
        if (outcome.kind === 'not-ready') return;
      } catch {
        // Cleanup is best effort: the verdict is already decided.
        return;
      }
    }
  }

  abandon(): void {
    this.#abandoned = true;
    for (const s of this.#sessions.values()) s.destroy();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => s.close()));
  }

  transcript(): TranscriptEntry[] {
    const out = [...this.#notes];
    const multi = this.#sessions.size > 1;
    for (const [n, s] of [...this.#sessions.entries()].sort((a, b) => a[0] - b[0])) {
      if (multi) out.push({ t: 0, dir: 'I', text: `— connection ${n} —` });
      out.push(...s.transport.snapshot());
    }
    return out;
  }

  async #session(conn: number): Promise<StepSession | Extract<StepOutcome, { kind: 'not-ready' }>> {
    const existing = this.#sessions.get(conn);
    if (existing) return existing;
    const opened = await this.#open(this.#env, this.#start);
    this.#opened = true;
    if (opened.kind !== 'ready') {
      this.#notes.push(...opened.transcript);
      return { kind: 'not-ready', status: opened.kind, reason: opened.reason };
    }
    this.#sessions.set(conn, opened.session);
    return opened.session;
  }

  async #step(step: StepSpec): Promise<StepOutcome> {
    const timeoutMs = step.timeout === undefined ? this.#env.stepTimeoutMs : durationMs(step.timeout);
    if (step.sleep !== undefined) await new Promise((r) => setTimeout(r, durationMs(step.sleep!)));
    const onlySleep = step.sleep !== undefined && step.send === undefined && step.expect === undefined && !step.pipeline && !step.tls && !step.close;
    if (onlySleep) return { kind: 'done', ok: true, captures: {} };
    const session = await this.#session(step.conn ?? 1);
    if ('kind' in session && session.kind === 'not-ready') return session;
    const s = session as StepSession;
    if (step.close) {
      await s.close();
      return { kind: 'done', ok: true, captures: {} };
    }
    if (step.pipeline) {
      const exchanges: StepExchange[] = step.pipeline.map((p) => ({ send: this.#outgoing(p.send), expect: p.expect, known: this.#known() }));
      return { kind: 'done', ...(await s.pipeline(exchanges, timeoutMs)) };
    }
    if (step.send !== undefined || step.expect !== undefined) {
      const ex: StepExchange = {
        send: step.send === undefined ? undefined : this.#outgoing(step.send),
        expect: step.expect,
        known: this.#known(),
        ...(step.literal === undefined ? {} : this.#literal(step.literal)),
      };
      const outcome = await s.exchange(ex, timeoutMs);
      if (!outcome.ok || !step.tls) return { kind: 'done', ...outcome };
    }
    if (step.tls) {
      await s.upgradeTls();
    }
    return { kind: 'done', ok: true, captures: {} };
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

  #outgoing(send: StepSpec['send'] & object | string): Outgoing {
    if (typeof send === 'string') return { kind: 'line', parts: substitute(send, this.#vars) };
    const { wire, display } = joinParts(substitute(send.raw, this.#vars));
    return { kind: 'raw', bytes: decodeEscapes(wire), display: `(raw) ${display}` };
  }
}

type StepOutcome =
  | ({ kind: 'done' } & ({ ok: true; captures: Readonly<Record<string, string>> } | { ok: false; expected: string; got: string }))
  | { kind: 'not-ready'; status: 'skip' | 'inconclusive'; reason: string };

const STARTTLS_REF: Readonly<Record<Protocol, string>> = {
  smtp: 'RFC 3207 §4.2',
  imap: 'RFC 9051 §6.2.1',
  pop3: 'RFC 2595 §4',
};

function defaultElse(level: Level): CheckStatus {
  return level === 'MUST' ? 'fail' : 'warn';
}

/** Exceptions during steps: the server's fault, could-not-decide, or the harness's own. */
function classify(err: unknown, where: string, protocol: Protocol): Verdict {
  if (err instanceof MailprobeError) {
    switch (err.code) {
      case 'EABORTED':
        throw err;
      case 'ESTARTTLS_TRAILING':
        return { status: 'fail', message: `${err.message}: nothing sent in plaintext after the go-ahead may be used (${STARTTLS_REF[protocol]}) (${where})` };
      case 'ETLS_HANDSHAKE':
        return { status: 'fail', message: `${err.message} (${where})` };
      case 'ETLS_VERIFY':
        return { status: 'inconclusive', message: `${err.message}; ${err.hint ?? ''}`.trim() };
      case 'ECONNECT':
      case 'EDNS':
        return { status: 'inconclusive', message: err.message };
      case 'ETIMEDOUT':
        return { status: 'inconclusive', message: `${err.message} (${where})` };
      case 'ECLOSED':
      case 'EPROTOCOL':
      case 'ELIMIT':
        return { status: 'fail', message: `${err.message} (${where})` };
      case 'ESUITE':
      case 'ECONFIG':
        return { status: 'error', message: `${where}: ${err.message}` };
      default:
        return { status: 'error', message: `${err.code}: ${err.message} (${where})` };
    }
  }
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { status: 'error', message: `harness error: ${text} (${where})` };
}

function initialVariables(env: CheckEnvironment): Map<string, string | Secret> {
  const vars = new Map<string, string | Secret>();
  const f = env.fixtures;
  const domain = (f.rcpt ?? f.credentials?.user ?? '').split('@')[1] ?? env.target.host;
  vars.set('domain', domain);
  vars.set('client', f.clientName);
  vars.set('mailbox', f.mailbox);
  vars.set('uniq', randomBytes(4).toString('hex'));
  // The sender of test mail: the login when there is one, else the postmaster of the target's
  // own domain (RFC 5321 §4.5.1 requires that mailbox to exist).
  vars.set('from', f.credentials?.user ?? `postmaster@${domain}`);
  if (f.rcpt) vars.set('rcpt', f.rcpt);
  if (f.credentials) {
    vars.set('user', f.credentials.user);
    vars.set('password', f.credentials.password);
  }
  return vars;
}


/** Thrown inside a code check when a connection cannot reach its start state. */
class NotReady extends Error {
  constructor(readonly verdict: Verdict) {
    super(verdict.message);
  }
}

class CodeRun implements Run {
  readonly #check: CodeCheck;
  readonly #env: CheckEnvironment;
  readonly #open: Opener;
  readonly #start: StartState;
  readonly #clients: { transport: { snapshot(): TranscriptEntry[] }; destroy(): void; close(): Promise<void> }[] = [];
  readonly #notes: TranscriptEntry[] = [];

  constructor(check: CodeCheck, env: CheckEnvironment, open: Opener, start: StartState) {
    this.#check = check;
    this.#env = env;
    this.#open = open;
    this.#start = start;
  }

  async steps(): Promise<Verdict> {
    const ctx: CodeCheckContext<Protocol> = {
      env: this.#env,
      vars: initialVariables(this.#env),
      open: async (start?: StartState) => {
        const opened = await this.#open(this.#env, start ?? this.#start);
        if (opened.kind !== 'ready') {
          this.#notes.push(...opened.transcript);
          throw new NotReady({ status: opened.kind, message: opened.reason });
        }
        this.#clients.push(opened.client);
        return opened.client as ClientFor[Protocol];
      },
      note: (text: string) => this.#notes.push({ t: 0, dir: 'I', text }),
    };
    try {
      const verdict = await this.#check.run(ctx);
      return { status: verdict.status, message: verdict.message };
    } catch (err) {
      if (err instanceof NotReady) return err.verdict;
      return classify(err, this.#check.source, this.#check.protocol);
    }
  }

  async cleanup(): Promise<void> {}

  abandon(): void {
    for (const c of this.#clients) c.destroy();
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close().catch(() => undefined)));
  }

  transcript(): TranscriptEntry[] {
    const out = [...this.#notes];
    for (const [i, c] of this.#clients.entries()) {
      if (this.#clients.length > 1) out.push({ t: 0, dir: 'I', text: `— connection ${i + 1} —` });
      out.push(...c.transport.snapshot());
    }
    return out;
  }
}
