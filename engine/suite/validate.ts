/**
 * Rules the schema cannot say: which fields belong to which protocol, which start states exist
 * for it, that a step does something, that check ids are unique.
 */
import type { CheckSpec, ExpectSpec, StepSpec, SuiteFile } from './schema.js';
import { decodeEscapes } from './text.js';

export interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const EXPECT_FIELDS: Readonly<Record<SuiteFile['protocol'], readonly (keyof ExpectSpec)[]>> = {
  smtp: ['code', 'enhanced', 'text', 'includes', 'excludes', 'capture', 'none', 'closed'],
  imap: ['tagged', 'code', 'continuation', 'untagged', 'absent', 'only', 'text', 'capture', 'none', 'closed'],
  pop3: ['status', 'text', 'includes', 'excludes', 'count', 'each', 'capture', 'none', 'closed'],
};

const STARTS: Readonly<Record<SuiteFile['protocol'], readonly string[]>> = {
  smtp: ['connected', 'greeted', 'ehlo', 'tls', 'authenticated'],
  imap: ['connected', 'greeted', 'tls', 'authenticated', 'selected'],
  pop3: ['connected', 'greeted', 'tls', 'authenticated'],
};

export function validateSuite(suite: SuiteFile): Problem | undefined {
  const seen = new Map<string, number>();
  for (const [i, check] of suite.checks.entries()) {
    const at = (...rest: (string | number)[]): (string | number)[] => ['checks', i, ...rest];
    if (!check.id.startsWith(`${suite.protocol}.`)) {
      return { path: at('id'), message: `check id "${check.id}" must start with "${suite.protocol}."` };
    }
    if (seen.has(check.id)) return { path: at('id'), message: `duplicate check id "${check.id}"` };
    seen.set(check.id, i);
    if (check.start && !STARTS[suite.protocol].includes(check.start)) {
      return { path: at('start'), message: `start "${check.start}" does not exist for ${suite.protocol}; use one of ${STARTS[suite.protocol].join(', ')}` };
    }
    for (const [key, steps] of [['steps', check.steps], ['cleanup', check.cleanup ?? []]] as const) {
      for (const [j, step] of steps.entries()) {
        const problem = validateStep(suite.protocol, step, at(key, j));
        if (problem) return problem;
      }
    }
    const problem = validateVariables(check, at);
    if (problem) return problem;
  }
  return undefined;
}

function validateStep(protocol: SuiteFile['protocol'], step: StepSpec, at: (string | number)[]): Problem | undefined {
  const actions = ['send', 'pipeline', 'tls', 'close', 'sleep', 'expect'].filter((k) => step[k as keyof StepSpec] !== undefined);
  if (actions.length === 0) return { path: at, message: 'a step needs send, expect, pipeline, tls, close or sleep' };
  if (step.pipeline && (step.send !== undefined || step.expect !== undefined)) {
    return { path: at, message: 'a pipeline step carries its sends and expects inside "pipeline"' };
  }
  if (step.pipeline) {
    for (const [k, ex] of step.pipeline.entries()) {
      if (ex.expect?.closed) return { path: [...at, 'pipeline', k, 'expect', 'closed'], message: 'closed cannot be expected inside a pipeline; use a step of its own' };
      if (protocol === 'pop3' && typeof ex.send !== 'string') return { path: [...at, 'pipeline', k, 'send'], message: 'POP3 pipelines take command lines, not raw sends' };
    }
  }
  const sends: [StepSpec['send'], (string | number)[]][] = [[step.send, [...at, 'send']], ...(step.pipeline ?? []).map((p, k): [StepSpec['send'], (string | number)[]] => [p.send, [...at, 'pipeline', k, 'send']])];
  for (const [send, path] of sends) {
    if (send !== undefined && typeof send !== 'string') {
      try {
        // Variables are filled in at run time; their values carry no escapes, so "x" stands in.
        decodeEscapes(send.raw.replace(/\$\$|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, 'x'));
      } catch (err) {
        return { path, message: (err as Error).message };
      }
    }
  }
  if (step.literal !== undefined && protocol !== 'imap') return { path: [...at, 'literal'], message: 'literal is for IMAP steps only' };
  if (step.literal !== undefined && step.send === undefined) return { path: [...at, 'literal'], message: 'literal needs a send to follow' };
  const expects: [ExpectSpec, (string | number)[]][] = [];
  if (step.expect) expects.push([step.expect, [...at, 'expect']]);
  for (const [k, ex] of (step.pipeline ?? []).entries()) if (ex.expect) expects.push([ex.expect, [...at, 'pipeline', k, 'expect']]);
  for (const [expect, path] of expects) {
    for (const key of Object.keys(expect) as (keyof ExpectSpec)[]) {
      if (!EXPECT_FIELDS[protocol].includes(key)) {
        return { path: [...path, key], message: `"${key}" is not an expectation for ${protocol}; use ${EXPECT_FIELDS[protocol].join(', ')}` };
      }
    }
    if (protocol === 'smtp' && expect.code !== undefined) {
      const codes = Array.isArray(expect.code) ? expect.code : [expect.code];
      for (const c of codes) {
        if (typeof c === 'string' && !/^[2-5][0-9x][0-9x]$/.test(c)) return { path: [...path, 'code'], message: `"${c}" is not an SMTP code pattern (250, 5xx, 25x)` };
      }
    }
    if (protocol === 'imap' && expect.code !== undefined) {
      const codes = Array.isArray(expect.code) ? expect.code : [expect.code];
      if (codes.some((c) => typeof c !== 'string')) return { path: [...path, 'code'], message: 'IMAP code is a response code name like TRYCREATE' };
    }
    for (const key of ['untagged', 'absent'] as const) {
      const value = expect[key];
      for (const [k, pattern] of (value === undefined ? [] : Array.isArray(value) ? value : [value]).entries()) {
        const re = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
        const problem = re ? regexProblem(re[1]!, re[2]!.replace(/[gy]/g, '')) : undefined;
        if (problem) return { path: [...path, key, ...(Array.isArray(value) ? [k] : [])], message: problem };
      }
    }
    for (const [name, pattern] of Object.entries(expect.capture ?? {})) {
      const problem = regexProblem(pattern);
      if (problem) return { path: [...path, 'capture', name], message: problem };
    }
    for (const key of ['text', 'each'] as const) {
      const value = expect[key];
      const problem = value === undefined ? undefined : regexProblem(value);
      if (problem) return { path: [...path, key], message: problem };
    }
  }
  return undefined;
}

function regexProblem(pattern: string, flags = ''): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
}

const BUILTINS = new Set(['domain', 'client', 'mailbox', 'uniq', 'from', 'rcpt', 'user', 'password']);
const NEEDED_BY: Readonly<Record<string, 'rcpt' | 'login'>> = { rcpt: 'rcpt', user: 'login', password: 'login' };
const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function usedIn(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(VAR)].filter((m) => m[0] !== '$$').map((m) => m[1] ?? m[2]!);
}

/** Names a step's expectations capture: `capture` keys and `$name` in untagged patterns. */
function capturedBy(expect: ExpectSpec | undefined): string[] {
  if (!expect) return [];
  const names = Object.keys(expect.capture ?? {});
  const patterns = expect.untagged === undefined ? [] : Array.isArray(expect.untagged) ? expect.untagged : [expect.untagged];
  for (const p of patterns) if (!p.startsWith('/')) names.push(...usedIn(p));
  return names;
}

/**
 * Every `$name` a step sends is built in or captured by an earlier step, and the fixtures a
 * check uses ($rcpt, $user, $password) are declared in `needs`, so a run never discovers a
 * suite bug halfway through a conversation.
 */
function validateVariables(check: CheckSpec, at: (...rest: (string | number)[]) => (string | number)[]): Problem | undefined {
  const known = new Set(BUILTINS);
  const needs = new Set(check.needs ?? []);
  for (const [key, steps] of [['steps', check.steps], ['cleanup', check.cleanup ?? []]] as const) {
    for (const [j, step] of steps.entries()) {
      const sends: [string | undefined, (string | number)[]][] = [
        [typeof step.send === 'string' ? step.send : step.send?.raw, at(key, j, 'send')],
        [step.literal, at(key, j, 'literal')],
        ...(step.pipeline ?? []).map((p, k): [string, (string | number)[]] => [typeof p.send === 'string' ? p.send : p.send.raw, at(key, j, 'pipeline', k, 'send')]),
      ];
      for (const [text, path] of sends) {
        for (const name of usedIn(text)) {
          if (!known.has(name)) return { path, message: `$${name} is not defined here: use a built-in variable (${[...BUILTINS].map((b) => `$${b}`).join(' ')}) or capture it in an earlier step` };
          const need = NEEDED_BY[name];
          if (need && !needs.has(need)) return { path, message: `$${name} needs "needs: [${need}]" in the check header` };
        }
      }
      for (const name of [...capturedBy(step.expect), ...(step.pipeline ?? []).flatMap((p) => capturedBy(p.expect))]) known.add(name);
    }
  }
  return undefined;
}
