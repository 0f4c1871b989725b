/**
 * Rules the schema cannot say: which fields belong to which protocol, which start states exist
 * for it, that a step does something, that check ids are unique.
 */
import type { ExpectSpec, StepSpec, SuiteFile } from './schema.js';

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
  }
  return undefined;
}

function validateStep(protocol: SuiteFile['protocol'], step: StepSpec, at: (string | number)[]): Problem | undefined {
  const actions = ['send', 'pipeline', 'tls', 'close', 'sleep', 'expect'].filter((k) => step[k as keyof StepSpec] !== undefined);
  if (actions.length === 0) return { path: at, message: 'a step needs send, expect, pipeline, tls, close or sleep' };
  if (step.pipeline && (step.send !== undefined || step.expect !== undefined)) {
    return { path: at, message: 'a pipeline step carries its sends and expects inside "pipeline"' };
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

function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
}
