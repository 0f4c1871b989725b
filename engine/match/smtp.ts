import { describeReply, type SmtpReply } from '../../drivers/smtp/reply.js';
import type { ExpectSpec } from '../suite/schema.js';
import { captureAll, commonOutcome, describeExpect, list, mismatch, OK, testText, type Observation, type Outcome } from './observation.js';

/** `250` matches 250; `5xx` any 5yz; `25x` 250–259. */
export function codeMatches(pattern: number | string, code: number): boolean {
  const p = String(pattern);
  const c = String(code);
  if (p.length !== 3) return false;
  for (let i = 0; i < 3; i++) if (p[i] !== 'x' && p[i] !== c[i]) return false;
  return true;
}

function enhancedMatches(pattern: string, code: string | undefined): boolean {
  if (code === undefined) return false;
  const want = pattern.split('.');
  const got = code.split('.');
  return want.every((w, i) => w === 'x' || w === got[i]);
}

/** An EHLO keyword line is present: `STARTTLS`, or `AUTH PLAIN` (keyword with a parameter). */
function hasEhloLine(reply: SmtpReply, item: string): boolean {
  const want = item.trim().toUpperCase().split(/\s+/);
  return reply.lines.slice(1).some((line) => {
    const words = line.trim().toUpperCase().split(/\s+/);
    const keyword = words[0]?.split('=')[0];
    if (keyword !== want[0]) return false;
    const params = [...words.slice(1), ...(words[0]?.includes('=') ? words[0].split('=').slice(1) : [])];
    return want.slice(1).every((w) => params.includes(w));
  });
}

export function matchSmtp(expect: ExpectSpec, obs: Observation<SmtpReply>): Outcome {
  const common = commonOutcome(expect, obs, describeReply);
  if (!('reply' in common)) return common;
  const reply = common.reply;
  const got = describeReply(reply);
  if (expect.code !== undefined) {
    const codes = list(expect.code) as readonly (number | string)[];
    if (!codes.some((c) => codeMatches(c, reply.code))) {
      // RFC 5321 §3.8: 421 may answer any command when the server shuts down or throttles.
      return reply.code === 421 ? { ok: false, expected: describeExpect(expect), got, unavailable: true } : mismatch(describeExpect(expect), got);
    }
  }
  if (expect.enhanced !== undefined) {
    const ok = expect.enhanced === true ? reply.enhanced !== undefined : expect.enhanced === false ? reply.enhanced === undefined : enhancedMatches(expect.enhanced, reply.enhanced);
    if (!ok) return mismatch(describeExpect(expect), got);
  }
  const text = reply.lines.join('\n');
  if (expect.text !== undefined && !testText(expect.text, text)) return mismatch(describeExpect(expect), got);
  for (const item of list(expect.includes)) {
    if (!hasEhloLine(reply, item)) return mismatch(`EHLO keyword ${item}`, `not announced (${reply.lines.slice(1).join(', ') || 'no keywords'})`);
  }
  for (const item of list(expect.excludes)) {
    if (hasEhloLine(reply, item)) return mismatch(`no EHLO keyword ${item}`, `${item} announced`);
  }
  return expect.capture ? captureAll(expect.capture, text) : OK;
}
