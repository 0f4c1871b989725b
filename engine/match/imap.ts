import type { ConditionResponse, ContinuationResponse, ImapResponse, TaggedResponse } from '../../drivers/imap/response-types.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { ExpectSpec } from '../suite/schema.js';
import { captureAll, commonOutcome, describeExpect, list, matchLines, mismatch, OK, testText, type Observation, type Outcome } from './observation.js';

/** What one IMAP step saw: the untagged data, and how the command ended (if it did). */
export interface ImapObserved {
  readonly untagged: readonly ImapResponse[];
  readonly tagged: TaggedResponse | undefined;
  readonly continuation: ContinuationResponse | undefined;
  /** The greeting, when the step read it. */
  readonly greeting: ConditionResponse | undefined;
}

/** A response as one line of text for patterns: CRLF dropped, inner line breaks escaped. */
export function responseText(r: ImapResponse): string {
  return renderWireText(r.raw);
}

export function describeImap(o: ImapObserved): string {
  if (o.tagged) return responseText(o.tagged);
  if (o.continuation) return responseText(o.continuation);
  if (o.greeting) return responseText(o.greeting);
  const last = o.untagged.at(-1);
  return last ? `${o.untagged.length} untagged, last: ${responseText(last)}` : 'nothing';
}

export function matchImap(expect: ExpectSpec, obs: Observation<ImapObserved>, known: ReadonlyMap<string, string>): Outcome {
  const common = commonOutcome(expect, obs, describeImap);
  if (!('reply' in common)) return common;
  const o = common.reply;
  const got = describeImap(o);
  if (expect.continuation) {
    if (!o.continuation) return mismatch(describeExpect(expect), got);
  } else if (expect.tagged !== undefined) {
    if (!o.tagged || !list(expect.tagged).includes(o.tagged.status)) return mismatch(describeExpect(expect), got);
  }
  const final = o.tagged ?? o.continuation ?? o.greeting;
  if (expect.code !== undefined) {
    const name = final?.code?.name;
    if (name === undefined || !(list(expect.code) as readonly (string | number)[]).map((c) => String(c).toUpperCase()).includes(name)) {
      return mismatch(describeExpect(expect), got);
    }
  }
  if (expect.text !== undefined && !testText(expect.text, final ? final.text : '')) return mismatch(describeExpect(expect), got);
  const lines = [...(o.greeting ? [o.greeting] : []), ...o.untagged].map(responseText);
  const captures: Record<string, string> = {};
  const patterns = list(expect.untagged);
  if (patterns.length > 0) {
    const m = matchLines(patterns, lines, known);
    if (!m.ok) return mismatch(`untagged ${m.missing}`, lines.length > 0 ? lines.slice(-5).join(' | ') : 'no untagged responses');
    Object.assign(captures, m.captures);
    if (expect.only && m.used.size < lines.length) {
      const extra = lines.filter((_, i) => !m.used.has(i));
      return mismatch(`only ${patterns.join('; ')}`, `also ${extra.slice(0, 3).join(' | ')}`);
    }
  }
  for (const p of list(expect.absent)) {
    const m = matchLines([p], lines, known);
    if (m.ok) return mismatch(`no untagged ${p}`, lines[[...m.used][0]!]!);
  }
  if (expect.capture) {
    const c = captureAll(expect.capture, [...lines, final ? responseText(final) : ''].join('\n'));
    if (!c.ok) return c;
    Object.assign(captures, c.captures);
  }
  return Object.keys(captures).length > 0 ? { ok: true, captures } : OK;
}
