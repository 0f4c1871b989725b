/**
 * SEARCH keys (RFC 9051 §6.4.4, RFC 3501 §6.4.4) parsed into a predicate over one message.
 * Text keys match case-insensitively as substrings (§6.4.4 allows it); dates compare calendar
 * days in UTC, internal date for BEFORE/ON/SINCE and the Date field for SENT*.
 */
import { fieldValue } from '../mime/headers.js';
import type { Message } from '../store/message.js';
import { BadCommand, parseDate, type ArgParser } from './parser.js';
import { inSet, parseSequenceSet } from './sequence.js';
import type { SelectedView } from './view.js';

/** Evaluated per message: its sequence number in the view, and the largest UID and seq for `*`. */
export type SearchPredicate = (m: Message, seq: number, ctx: { view: SelectedView; maxSeq: number; maxUid: number }) => boolean;

const MAX_DEPTH = 32;
const DAY_MS = 86_400_000;
const SUPPORTED_CHARSETS = ['US-ASCII', 'UTF-8'];

/** `[CHARSET x] key *(SP key)`; throws BadCommand, or returns a BADCHARSET refusal. */
export function parseSearch(p: ArgParser): SearchPredicate | 'badcharset' {
  p.sp();
  if (p.peekAtom() === 'CHARSET') {
    p.atom();
    p.sp();
    const charset = p.astring().toString('latin1').toUpperCase();
    if (!SUPPORTED_CHARSETS.includes(charset)) return 'badcharset';
    p.sp();
  }
  const keys: SearchPredicate[] = [key(p, 0)];
  while (p.maybeSp()) keys.push(key(p, 0));
  p.end();
  return (m, seq, ctx) => keys.every((k) => k(m, seq, ctx));
}

const lower = (b: Buffer | string): string => (typeof b === 'string' ? b : b.toString('utf8')).toLowerCase();

function contains(haystack: string | undefined, needle: string): boolean {
  return haystack !== undefined && haystack.toLowerCase().includes(needle);
}

function day(d: Date): number {
  return Math.floor(d.getTime() / DAY_MS);
}

function sentDate(m: Message): Date | undefined {
  const v = fieldValue(m.header, 'date');
  const t = v === undefined ? NaN : Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

function dateKey(which: 'internal' | 'sent', cmp: 'BEFORE' | 'ON' | 'SINCE', date: Date): SearchPredicate {
  const target = day(date);
  return (m) => {
    const d = which === 'internal' ? m.internalDate : sentDate(m);
    if (!d) return false;
    const n = day(d);
    return cmp === 'BEFORE' ? n < target : cmp === 'ON' ? n === target : n >= target;
  };
}

function flagKey(flag: string, set: boolean): SearchPredicate {
  return (m) => m.hasFlag(flag) === set;
}

function key(p: ArgParser, depth: number): SearchPredicate {
  if (depth > MAX_DEPTH) throw new BadCommand('SEARCH nested too deeply');
  if (p.accept('(')) {
    const keys: SearchPredicate[] = [key(p, depth + 1)];
    while (!p.accept(')')) {
      p.sp();
      keys.push(key(p, depth + 1));
    }
    return (m, seq, ctx) => keys.every((k) => k(m, seq, ctx));
  }
  const c = p.peek();
  if (c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2a)) {
    const set = parseSequenceSet(p.take((x) => (x >= 0x30 && x <= 0x39) || x === 0x3a || x === 0x2a || x === 0x2c, 'a sequence set'));
    return (_m, seq, ctx) => inSet(set, seq, ctx.maxSeq);
  }
  const word = p.atom().toUpperCase();
  const arg = (): string => {
    p.sp();
    return lower(p.astring());
  };
  const date = (): Date => {
    p.sp();
    return parseDate(p.astring().toString('latin1'));
  };
  const num = (): number => {
    p.sp();
    return p.number();
  };
  switch (word) {
    case 'ALL':
      return () => true;
    case 'ANSWERED':
    case 'DELETED':
    case 'DRAFT':
    case 'FLAGGED':
    case 'SEEN':
      return flagKey(`\\${word}`, true);
    case 'UNANSWERED':
    case 'UNDELETED':
    case 'UNDRAFT':
    case 'UNFLAGGED':
    case 'UNSEEN':
      return flagKey(`\\${word.slice(2)}`, false);
    case 'KEYWORD':
    case 'UNKEYWORD': {
      p.sp();
      return flagKey(p.atom(), word === 'KEYWORD');
    }
    case 'RECENT':
      return (m, _s, ctx) => ctx.view.isRecent(m);
    case 'NEW':
      return (m, _s, ctx) => ctx.view.isRecent(m) && !m.hasFlag('\\Seen');
    case 'OLD':
      return (m, _s, ctx) => !ctx.view.isRecent(m);
    case 'BCC':
    case 'CC':
    case 'FROM':
    case 'SUBJECT':
    case 'TO': {
      const needle = arg();
      const field = word.toLowerCase();
      return (m) => m.header.fields.some((f) => f.key === field && contains(f.value, needle));
    }
    case 'HEADER': {
      p.sp();
      const field = lower(p.astring());
      const needle = arg();
      return (m) => m.header.fields.some((f) => f.key === field && contains(f.value, needle));
    }
    case 'BODY': {
      const needle = arg();
      return (m) => contains(m.bytes.toString('utf8', m.header.bodyStart), needle);
    }
    case 'TEXT': {
      const needle = arg();
      return (m) => contains(m.bytes.toString('utf8'), needle);
    }
    case 'BEFORE':
    case 'ON':
    case 'SINCE':
      return dateKey('internal', word, date());
    case 'SENTBEFORE':
    case 'SENTON':
    case 'SENTSINCE':
      return dateKey('sent', word.slice(4) as 'BEFORE' | 'ON' | 'SINCE', date());
    case 'LARGER': {
      const n = num();
      return (m) => m.size > n;
    }
    case 'SMALLER': {
      const n = num();
      return (m) => m.size < n;
    }
    case 'UID': {
      p.sp();
      const set = parseSequenceSet(p.take((x) => (x >= 0x30 && x <= 0x39) || x === 0x3a || x === 0x2a || x === 0x2c, 'a UID set'));
      return (m, _s, ctx) => inSet(set, m.uid, ctx.maxUid);
    }
    case 'NOT': {
      p.sp();
      const inner = key(p, depth + 1);
      return (m, seq, ctx) => !inner(m, seq, ctx);
    }
    case 'OR': {
      p.sp();
      const a = key(p, depth + 1);
      p.sp();
      const b = key(p, depth + 1);
      return (m, seq, ctx) => a(m, seq, ctx) || b(m, seq, ctx);
    }
    default:
      throw new BadCommand(`Unknown SEARCH key ${word.slice(0, 30)}`);
  }
}
