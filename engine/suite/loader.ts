/**
 * Load suite files: YAML → schema → protocol rules, keeping line numbers so every problem is
 * reported as ESUITE `file.yaml:14: …` (exit code 2 at the CLI).
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { MailprobeError } from '../../drivers/errors.js';
import type { Protocol } from '../../drivers/target.js';
import { suiteSchema, type CheckSpec, type StepSpec } from './schema.js';
import { validateSuite } from './validate.js';

/** A check ready to run: its spec plus where it came from. */
export interface LoadedCheck {
  readonly kind: 'script';
  readonly spec: CheckSpec;
  readonly protocol: Protocol;
  readonly suite: string;
  /** `file.yaml:12` of the check's `id`. */
  readonly source: string;
  /** `file.yaml:N` of each step, for messages about a step. */
  readonly stepSources: readonly string[];
  readonly cleanupSources: readonly string[];
}

export interface LoadedSuite {
  readonly id: string;
  readonly protocol: Protocol;
  readonly title: string;
  readonly file: string;
  readonly checks: readonly LoadedCheck[];
}

/** Parse one suite from text; `file` names it in messages. */
export function parseSuite(text: string, file: string): LoadedSuite {
  const lines = new LineCounter();
  // logLevel error: no Node warning on stderr for a collection used as a key (the schema refuses it).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const where = (path: readonly PropertyKey[]): string => `${file}:${lineOf(doc, lines, path)}`;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    throw new MailprobeError('ESUITE', `${file}:${line}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    // yaml caps alias expansion (maxAliasCount): a "billion laughs" file throws here.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new MailprobeError('ESUITE', `${file}:1: cannot expand the YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = suiteSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // An unknown key is reported on its own line, not on the line of the object holding it.
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    throw new MailprobeError('ESUITE', `${where(path)}: ${describeIssue(issue)}`);
  }
  const suite = parsed.data;
  const problem = validateSuite(suite);
  if (problem) throw new MailprobeError('ESUITE', `${where(problem.path)}: ${problem.message}`);
  return {
    id: suite.suite,
    protocol: suite.protocol,
    title: suite.title ?? suite.suite,
    file,
    checks: suite.checks.map((spec, i) => ({
      kind: 'script' as const,
      spec,
      protocol: suite.protocol,
      suite: suite.suite,
      source: where(['checks', i, 'id']),
      stepSources: spec.steps.map((_: StepSpec, j: number) => where(['checks', i, 'steps', j])),
      cleanupSources: (spec.cleanup ?? []).map((_: StepSpec, j: number) => where(['checks', i, 'cleanup', j])),
    })),
  };
}

/** Read and parse a suite file; an unreadable file is ESUITE too (bad input, exit 2). */
export async function loadSuiteFile(path: string, displayName = path): Promise<LoadedSuite> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    throw new MailprobeError('ESUITE', `${displayName}: cannot read suite file (${code})`);
  }
  return parseSuite(text, displayName);
}

/** The line of the deepest node on `path` that exists (1-based). */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray((node as { range?: unknown }).range)) {
      const range = (node as { range: [number, number, number] }).range;
      // For a key whose value is a map or list, point at the key's line, not the first child.
      if ((isMap(node) || isSeq(node)) && n > 0) {
        const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1) as (string | number)[], true);
        if (isMap(parent)) {
          const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[n - 1]);
          const keyRange = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
          if (keyRange) return lines.linePos(keyRange[0]).line;
        }
      }
      return lines.linePos(range[0]).line;
    }
  }
  return 1;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') return `${at}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_value' && 'values' in issue) return `${at}must be one of ${issue.values.map(String).join(', ')}`;
  return `${at}${issue.message}`;
}
