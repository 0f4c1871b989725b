/** A check written in code (engine/checks/code-check.ts) run with the same rules as a script. */
import { isMailprobeError } from '../../drivers/errors.js';
import type { Protocol } from '../../drivers/target.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { ClientFor, CodeCheck, CodeCheckContext } from '../checks/code-check.js';
import type { StartState } from '../suite/schema.js';
import type { CheckEnvironment } from './environment.js';
import type { ProtocolClient } from './opened.js';
import type { Opener, Run } from './run-check.js';
import { isGreetingFault } from './script-run.js';
import { initialVariables } from './variables.js';
import { classifyStepError, defaultElse, StartStateError, type Verdict } from './verdicts.js';

/** Thrown inside a code check when a connection cannot reach its start state. */
class NotReady extends Error {
  constructor(readonly verdict: Verdict) {
    super(verdict.message);
  }
}

export class CodeRun implements Run {
  readonly #check: CodeCheck;
  readonly #env: CheckEnvironment;
  readonly #open: Opener;
  readonly #start: StartState;
  readonly #clients: ProtocolClient[] = [];
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
        let opened;
        try {
          opened = await this.#open(this.#env, start ?? this.#start);
        } catch (err) {
          // The connection that failed is in no client list: keep what it saw (redacted).
          if (isMailprobeError(err)) this.#notes.push(...(err.context.transcript ?? []));
          if ((start ?? this.#start) === 'greeted' && isGreetingFault(err)) throw err;
          throw new StartStateError(err);
        }
        if (opened.kind !== 'ready') {
          this.#notes.push(...opened.transcript);
          throw new NotReady({ status: opened.kind, message: opened.reason });
        }
        this.#clients.push(opened.client);
        if (this.#env.signal?.aborted) opened.client.destroy();
        return opened.client as ClientFor[Protocol];
      },
      note: (text: string) => this.#notes.push({ t: 0, dir: 'I', text }),
    };
    try {
      const verdict = await this.#check.run(ctx);
      return { status: verdict.status, message: verdict.message };
    } catch (err) {
      if (err instanceof NotReady) return err.verdict;
      return classifyStepError(err, this.#check.source, this.#check.protocol, defaultElse(this.#check.meta.level));
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
