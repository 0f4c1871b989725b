/**
 * MTA-STS (RFC 8461) as text: the `_mta-sts` TXT record (§3.1), the policy file (§3.2) and MX
 * pattern matching (§4.1). Pure functions; fetching is mta-sts-fetch.ts, judging mta-sts.ts.
 */
import { isValidHostName } from '../../drivers/target.js';

export interface StsRecord {
  /** The policy id: senders refetch the policy when it changes. */
  readonly id: string;
}

export type StsRecordVerdict =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly reason: string; readonly records: readonly string[] }
  | { readonly kind: 'ok'; readonly record: StsRecord; readonly text: string };

/** §3.1: records that do not begin with `v=STSv1` (and a separator) are not MTA-STS records. */
const VERSION_PREFIX = /^v=STSv1[ \t]*(;|$)/;
const ID = /^[A-Za-z0-9]{1,32}$/;
const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/** A record senders read as MTA-STS (§3.1: the others are discarded), well-formed or not. */
export function isStsRecord(text: string): boolean {
  return VERSION_PREFIX.test(text);
}

/**
 * The `_mta-sts.DOMAIN` TXT records (each already joined from its character-strings), judged as
 * a sender would: exactly one `v=STSv1` record, well-formed, with an id.
 */
export function judgeStsRecords(texts: readonly string[]): StsRecordVerdict {
  const candidates = texts.filter(isStsRecord);
  if (candidates.length === 0) {
    if (texts.length === 0) return { kind: 'missing' };
    return { kind: 'invalid', reason: `no TXT record at _mta-sts begins with "v=STSv1;" (senders ignore the ${texts.length === 1 ? 'record' : `${texts.length} records`} there)`, records: texts };
  }
  if (candidates.length > 1) {
    return { kind: 'invalid', reason: `${candidates.length} records begin with "v=STSv1": RFC 8461 §3.1 requires exactly one, so senders ignore them all`, records: candidates };
  }
  const text = candidates[0]!;
  const parsed = parseStsRecord(text);
  if (typeof parsed === 'string') return { kind: 'invalid', reason: parsed, records: [text] };
  return { kind: 'ok', record: parsed, text };
}

/** One record, or why it is malformed (RFC 8461 §3.1 ABNF). */
export function parseStsRecord(text: string): StsRecord | string {
  const fields = splitFields(text, ';');
  if (fields.at(-1) === '') fields.pop();
  if (fields[0] !== 'v=STSv1') return `the record must begin with "v=STSv1" (got "${fields[0] ?? ''}")`;
  let id: string | undefined;
  for (const field of fields.slice(1)) {
    const eq = field.indexOf('=');
    const name = eq < 0 ? field : field.slice(0, eq);
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (name === 'id') {
      if (id !== undefined) return 'the record has more than one id field';
      if (value === undefined || !ID.test(value)) return `id "${value ?? ''}" is not 1 to 32 letters and digits`;
      id = value;
    } else if (!EXT_NAME.test(name) || value === undefined || !EXT_VALUE.test(value)) {
      return `"${field}" is not a field (name=value without spaces, ";" or "=")`;
    }
  }
  if (id === undefined) return 'the record has no id field (v=STSv1; id=20240101T000000;)';
  return { id };
}

export type StsMode = 'enforce' | 'testing' | 'none';

export interface StsPolicy {
  readonly mode: StsMode;
  /** Seconds senders may cache the policy. */
  readonly maxAge: number;
  /** Patterns as written, lower case: `mail.example.org`, `*.example.net`. */
  readonly mx: readonly string[];
}

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
export const MAX_AGE_LIMIT = 31_557_600;

/** The policy file, or every reason it is invalid. */
export function parseStsPolicy(text: string): { policy: StsPolicy } | { errors: string[] } {
  const errors: string[] = [];
  const single = new Map<string, string>();
  const mx: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = trimSpaces(raw, false, true);
    if (line === '') return;
    // No backtracking over a run of spaces (a hostile 64 KiB line would take seconds).
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):([^\r\n\u2028\u2029]*)$/.exec(line);
    if (!m) {
      errors.push(`line ${i + 1} is not "name: value": "${truncate(line)}"`);
      return;
    }
    const name = m[1]!;
    const value = trimSpaces(m[2]!, true, false);
    if (name === 'mx') mx.push(value.toLowerCase());
    else if (name === 'version' || name === 'mode' || name === 'max_age') {
      if (single.has(name)) errors.push(`${name} appears more than once`);
      else single.set(name, value);
    }
    // Other fields are extensions: senders ignore them (§3.2).
  });
  const version = single.get('version');
  if (version === undefined) errors.push('no version field (version: STSv1)');
  else if (version !== 'STSv1') errors.push(`version is "${truncate(version)}", not STSv1`);
  const modeText = single.get('mode');
  let mode: StsMode | undefined;
  if (modeText === undefined) errors.push('no mode field (enforce, testing or none)');
  else if (modeText === 'enforce' || modeText === 'testing' || modeText === 'none') mode = modeText;
  else errors.push(`mode is "${truncate(modeText)}", not enforce, testing or none`);
  const ageText = single.get('max_age');
  let maxAge: number | undefined;
  if (ageText === undefined) errors.push('no max_age field');
  else if (!/^\d{1,10}$/.test(ageText)) errors.push(`max_age "${truncate(ageText)}" is not a number of seconds`);
  else if (Number(ageText) > MAX_AGE_LIMIT) errors.push(`max_age ${ageText} is above the limit of ${MAX_AGE_LIMIT} seconds`);
  else maxAge = Number(ageText);
  for (const pattern of mx) if (!isMxPattern(pattern)) errors.push(`mx "${truncate(pattern)}" is not a host name or *.domain pattern`);
  if (mx.length === 0 && mode !== undefined && mode !== 'none') errors.push(`mode ${mode} without any mx field`);
  if (errors.length > 0 || mode === undefined || maxAge === undefined) return { errors };
  return { policy: { mode, maxAge, mx } };
}

function isMxPattern(pattern: string): boolean {
  const host = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  return isValidHostName(host.replace(/\.$/, ''));
}

/**
 * RFC 8461 §4.1: an MX host matches a pattern equal to it, or `*.rest` where the host is one
 * label followed by `rest` (the wildcard covers exactly the left-most label). Case-insensitive.
 */
export function mxMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/**
 * `text` split at `separator`, without the spaces and tabs around each separator: what a split
 * at the regular expression `[ \t]*;[ \t]*` gives, in linear time (that expression backtracks
 * over a run of spaces: quadratic, seconds for a hostile 64 KiB TXT record).
 */
export function splitFields(text: string, separator: string): string[] {
  const parts = text.split(separator);
  return parts.map((part, i) => trimSpaces(part, i > 0, i < parts.length - 1));
}

/** `text` without the spaces and tabs at its start and/or end. */
function trimSpaces(text: string, start: boolean, end: boolean): string {
  let from = 0;
  let to = text.length;
  if (start) while (from < to && (text[from] === ' ' || text[from] === '\t')) from++;
  if (end) while (to > from && (text[to - 1] === ' ' || text[to - 1] === '\t')) to--;
  return text.slice(from, to);
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
