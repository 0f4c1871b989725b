/**
 * What a step saw after sending, and whether it met the expectation. Matchers are pure
 * functions from (expectation, observation) to an outcome, one per protocol.
 */
import type { ExpectSpec } from '../suite/schema.js';
import { compilePattern, matchPattern } from './pattern.js';

export type Observation<R> =
  /** A reply arrived; `closed` is set when the expectation asked whether the server hung up. */
  | { readonly kind: 'reply'; readonly reply: R; readonly closed: boolean }
  /** Nothing arrived within the step's timeout. */
  | { readonly kind: 'none'; readonly waitedMs: number }
  /** The connection closed before a complete reply; `partial` holds what came. */
  | { readonly kind: 'closed'; readonly partial: string | undefined }
  /** What came was not a well-formed reply (EPROTOCOL, ELIMIT); the connection is gone. */
  | { readonly kind: 'invalid'; readonly error: string };

export type Outcome =
  | { readonly ok: true; readonly captures: Readonly<Record<string, string>> }
  /**
   * `undecided`: the reply did not come in time, which decides nothing (servers may be slow).
   * `unavailable`: the server answered "service not available" (SMTP 421), which decides
   * nothing about the command either (DESIGN.md: 421 is inconclusive).
   */
  | { readonly ok: false; readonly expected: string; readonly got: string; readonly undecided?: boolean; readonly unavailable?: boolean };

export const OK: Outcome = { ok: true, captures: {} };

export function mismatch(expected: string, got: string): Outcome {
  return { ok: false, expected, got };
}

/**
 * The parts every protocol shares: `none`, `closed`, and that otherwise a reply is needed.
 * Returns an outcome when decided here, or the reply to check further.
 */
export function commonOutcome<R>(expect: ExpectSpec, obs: Observation<R>, describe: (r: R) => string): Outcome | { reply: R } {
  if (expect.none) {
    if (obs.kind === 'none') return OK;
    return mismatch('no reply', obs.kind === 'reply' ? describe(obs.reply) : obs.kind === 'invalid' ? obs.error : 'the connection was closed');
  }
  if (obs.kind === 'invalid') return mismatch(`a well-formed reply (${describeExpect(expect)})`, obs.error);
  if (obs.kind === 'none') return { ok: false, expected: describeExpect(expect), got: `no reply within ${obs.waitedMs} ms`, undecided: true };
  if (obs.kind === 'closed') {
    const onlyClosed = Object.keys(expect).every((k) => k === 'closed');
    if (expect.closed && onlyClosed) return OK;
    return mismatch(describeExpect(expect), `the connection was closed${obs.partial ? ` after "${obs.partial}"` : ''}`);
  }
  if (expect.closed && !obs.closed) return mismatch('the server to close the connection', `${describe(obs.reply)}, connection still open`);
  return { reply: obs.reply };
}

/** Regex test, case-insensitive: RFC keywords and reply texts are case-insensitive. */
export function testText(pattern: string, text: string): boolean {
  return new RegExp(pattern, 'i').test(text);
}

/** Apply `capture: { name: regex }` to a text; a capture that does not match is a mismatch. */
export function captureAll(capture: Readonly<Record<string, string>> | undefined, text: string): Outcome {
  if (!capture) return OK;
  const out: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(capture)) {
    const m = new RegExp(pattern, 'i').exec(text);
    if (!m) return mismatch(`text matching /${pattern}/ to capture $${name}`, JSON.stringify(text.slice(0, 200)));
    out[name] = m[1] ?? m[0];
  }
  return { ok: true, captures: out };
}

/** Lines matched against patterns with captures (IMAP untagged, POP3 listings). */
export function matchLines(
  patterns: readonly string[],
  lines: readonly string[],
  known: ReadonlyMap<string, string>,
): { ok: true; captures: Record<string, string>; used: Set<number> } | { ok: false; missing: string } {
  const captures: Record<string, string> = {};
  const used = new Set<number>();
  const vars = new Map(known);
  for (const p of patterns) {
    const compiled = compilePattern(p, vars);
    let hit = -1;
    for (let i = 0; i < lines.length && hit === -1; i++) {
      if (used.has(i)) continue;
      const got = matchPattern(compiled, lines[i]!);
      if (got) {
        hit = i;
        for (const [k, v] of Object.entries(got)) {
          captures[k] = v;
          vars.set(k, v);
        }
      }
    }
    if (hit === -1) return { ok: false, missing: p };
    used.add(hit);
  }
  return { ok: true, captures, used };
}

export function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** A short human description of an expectation, for "expected … got …" messages. */
export function describeExpect(e: ExpectSpec): string {
  const parts: string[] = [];
  if (e.code !== undefined) parts.push(`code ${list(e.code).join(' or ')}`);
  if (e.tagged !== undefined) parts.push(`tagged ${list(e.tagged).join(' or ')}`);
  if (e.status !== undefined) parts.push(e.status);
  if (e.continuation) parts.push('a "+" continuation');
  if (e.enhanced !== undefined) parts.push(e.enhanced === true ? 'an enhanced status code' : `enhanced code ${String(e.enhanced)}`);
  if (e.text !== undefined) parts.push(`text /${e.text}/`);
  if (e.includes !== undefined) parts.push(`including ${list(e.includes).join(', ')}`);
  if (e.excludes !== undefined) parts.push(`without ${list(e.excludes).join(', ')}`);
  if (e.untagged !== undefined) parts.push(`untagged ${list(e.untagged).join('; ')}`);
  if (e.absent !== undefined) parts.push(`no untagged ${list(e.absent).join('; ')}`);
  if (e.closed) parts.push('then close');
  return parts.length > 0 ? parts.join(', ') : 'a reply';
}
