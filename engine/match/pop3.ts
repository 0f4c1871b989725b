import type { Pop3Reply } from '../../drivers/pop3/types.js';
import { renderWireText } from '../../drivers/transcript.js';
import type { ExpectSpec } from '../suite/schema.js';
import { captureAll, commonOutcome, describeExpect, list, mismatch, OK, testText, type Observation, type Outcome } from './observation.js';

export function describePop3(r: Pop3Reply): string {
  const body = r.lines ? ` (+${r.lines.length} lines)` : '';
  return `${renderWireText(r.raw)}${body}`;
}

/** Body lines as text, terminators dropped. */
export function bodyLines(r: Pop3Reply): string[] {
  return (r.lines ?? []).map((l) => renderWireText(l));
}

export function matchPop3(expect: ExpectSpec, obs: Observation<Pop3Reply>): Outcome {
  const common = commonOutcome(expect, obs, describePop3);
  if (!('reply' in common)) return common;
  const r = common.reply;
  const got = describePop3(r);
  if (expect.status !== undefined) {
    const want = expect.status === '+OK' ? 'ok' : 'err';
    if (r.status !== want) return mismatch(describeExpect(expect), got);
  }
  if (expect.text !== undefined && !testText(expect.text, r.text)) return mismatch(describeExpect(expect), got);
  const lines = bodyLines(r);
  const keywords = lines.map((l) => l.trim().split(/\s+/)[0]?.toUpperCase() ?? '');
  for (const item of list(expect.includes)) {
    if (!lines.some((l) => l.toUpperCase() === item.toUpperCase() || keywords.includes(item.toUpperCase()))) return mismatch(`a line ${item}`, lines.length > 0 ? lines.join(', ') : got);
  }
  for (const item of list(expect.excludes)) {
    if (keywords.includes(item.toUpperCase())) return mismatch(`no line ${item}`, `${item} present`);
  }
  if (expect.count !== undefined) {
    const { min, max } = typeof expect.count === 'number' ? { min: expect.count, max: expect.count } : expect.count;
    if ((min !== undefined && lines.length < min) || (max !== undefined && lines.length > max)) {
      return mismatch(`${min === max ? min : `${min ?? 0}..${max ?? '∞'}`} body lines`, `${lines.length} lines`);
    }
  }
  if (expect.each !== undefined) {
    const bad = lines.find((l) => !testText(expect.each!, l));
    if (bad !== undefined) return mismatch(`every line matching /${expect.each}/`, JSON.stringify(bad));
  }
  return expect.capture ? captureAll(expect.capture, [r.text, ...lines].join('\n')) : OK;
}
