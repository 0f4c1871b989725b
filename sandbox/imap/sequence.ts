/**
 * Sequence sets (RFC 9051 §9 sequence-set): `1:3,7,9:*`, for message sequence numbers and UIDs.
 * `*` is the largest number in use; `a:b` equals `b:a` (§9 seq-range).
 */
import { BadCommand, type ArgParser } from './parser.js';
import type { Message } from '../store/message.js';

export type SeqNumber = number | '*';
export interface SeqRange {
  readonly from: SeqNumber;
  readonly to: SeqNumber;
}

const MAX_RANGES = 10_000;

export function readSequenceSet(p: ArgParser): SeqRange[] {
  const text = p.take((c) => (c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x2a || c === 0x2c, 'a sequence set');
  return parseSequenceSet(text);
}

export function parseSequenceSet(text: string): SeqRange[] {
  const parts = text.split(',');
  if (parts.length > MAX_RANGES) throw new BadCommand('Sequence set too long');
  return parts.map((part) => {
    const m = /^([1-9]\d{0,9}|\*)(?::([1-9]\d{0,9}|\*))?$/.exec(part);
    if (!m) throw new BadCommand(`Invalid sequence set "${text.slice(0, 40)}"`);
    const from = m[1] === '*' ? '*' : Number(m[1]);
    const to = m[2] === undefined ? from : m[2] === '*' ? '*' : Number(m[2]);
    if ((typeof from === 'number' && from > 0xffffffff) || (typeof to === 'number' && to > 0xffffffff)) throw new BadCommand('Number out of range');
    return { from, to };
  });
}

function bounds(r: SeqRange, star: number): [number, number] {
  const a = r.from === '*' ? star : r.from;
  const b = r.to === '*' ? star : r.to;
  return a <= b ? [a, b] : [b, a];
}

/**
 * Messages named by sequence numbers, in order. A number past the last message is a BAD
 * (RFC 9051 §9 seq-number: only numbers from 1 to the number of messages are valid).
 */
export function bySequence(ranges: readonly SeqRange[], messages: readonly Message[]): Message[] {
  if (messages.length === 0) throw new BadCommand('No messages in the mailbox');
  const picked = new Set<number>();
  for (const r of ranges) {
    const [lo, hi] = bounds(r, messages.length);
    if (hi > messages.length) throw new BadCommand('Invalid message sequence number');
    for (let n = lo; n <= hi && picked.size <= messages.length; n++) picked.add(n);
  }
  return [...picked].sort((a, b) => a - b).map((n) => messages[n - 1]!);
}

/** Messages named by UIDs, in order; UIDs that do not exist are ignored (RFC 9051 §6.4.9). */
export function byUid(ranges: readonly SeqRange[], messages: readonly Message[]): Message[] {
  const star = messages.length === 0 ? 0 : messages[messages.length - 1]!.uid;
  const spans = ranges.map((r) => bounds(r, star));
  return messages.filter((m) => spans.some(([lo, hi]) => m.uid >= lo && m.uid <= hi));
}

/** Whether a number (seq or UID) is in the set, `*` standing for `star` (SEARCH keys). */
export function inSet(ranges: readonly SeqRange[], n: number, star: number): boolean {
  return ranges.some((r) => {
    const [lo, hi] = bounds(r, star);
    return n >= lo && n <= hi;
  });
}
