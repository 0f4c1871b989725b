import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { isTextResponseLine, literalAnnouncement, ResponseFramer } from '../../../drivers/imap/framer.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('framer: literal announcements at the end of a line', () => {
  it.each([
    ['* 1 FETCH (BODY[] {12}\r\n', { size: 12, binary: false, nonSync: false }],
    ['* 1 FETCH (BODY[] {12}\n', { size: 12, binary: false, nonSync: false }],
    ['* 1 FETCH (BINARY[] ~{3}\r\n', { size: 3, binary: true, nonSync: false }],
    ['A1 APPEND INBOX {310+}\r\n', { size: 310, binary: false, nonSync: true }],
    ['* LIST () "/" {0}\r\n', { size: 0, binary: false, nonSync: false }],
  ])('%j announces a literal', (line, expected) => {
    expect(literalAnnouncement(b(line))).toEqual(expected);
  });

  it.each(['* 1 EXISTS\r\n', '* X {}\r\n', '* X {a}\r\n', '* X 5}\r\n', '* X {5} \r\n', '}\r\n'])('%j does not', (line) => {
    expect(literalAnnouncement(b(line))).toBeUndefined();
  });

  it('reports an absurd size as Infinity instead of an imprecise number', () => {
    expect(literalAnnouncement(b('* X {99999999999999999999999}\r\n'))?.size).toBe(Number.POSITIVE_INFINITY);
  });

  it('knows that status and continuation lines carry text, where "{5}" is not a literal', () => {
    expect(isTextResponseLine(b('A1 NO bad literal {5}\r\n'))).toBe(true);
    expect(isTextResponseLine(b('* ok text {5}\r\n'))).toBe(true);
    expect(isTextResponseLine(b('+ {5}\r\n'))).toBe(true);
    expect(isTextResponseLine(b('* 1 FETCH (BODY[] {5}\r\n'))).toBe(false);
    expect(isTextResponseLine(b('* LIST () "/" {5}\r\n'))).toBe(false);
  });
});

describe('framer: assembling one response', () => {
  it('asks for the literal bytes, then for the rest of the line', () => {
    const f = new ResponseFramer();
    expect(f.line(b('* 1 FETCH (BODY[] {5}\r\n'))).toEqual({ kind: 'literal', size: 5 });
    expect(f.literal(b('he\r\nl'))).toEqual({ kind: 'line' });
    const done = f.line(b(')\r\n'));
    expect(done.kind === 'response' && done.bytes.toString('latin1')).toBe('* 1 FETCH (BODY[] {5}\r\nhe\r\nl)\r\n');
    // Reusable after a response.
    const next = f.line(b('A1 OK done {5}\r\n'));
    expect(next.kind === 'response' && next.bytes.toString('latin1')).toBe('A1 OK done {5}\r\n');
  });

  it('continues after an empty literal without asking for bytes', () => {
    const f = new ResponseFramer();
    expect(f.line(b('* 1 FETCH (BODY[] {0}\r\n'))).toEqual({ kind: 'line' });
    expect(f.line(b(')\r\n')).kind).toBe('response');
  });

  it('returns a single line without copying it', () => {
    const line = b('* 3 EXISTS\r\n');
    const step = new ResponseFramer().line(line);
    expect(step.kind === 'response' && step.bytes).toBe(line);
  });

  it('fails with ELIMIT before reading a literal over maxLiteralBytes (a 2 GB announcement)', () => {
    const f = new ResponseFramer();
    let err: unknown;
    try {
      f.line(b('* 1 FETCH (BODY[] {2147483648}\r\n'));
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect(f.bytes).toBe(0);
  });

  it('fails with ELIMIT when lines and literals together pass maxReplyBytes', () => {
    const f = new ResponseFramer({ maxReplyBytes: 50, maxLiteralBytes: 30 });
    expect(f.line(b('* 1 FETCH (BODY[] {20}\r\n'))).toEqual({ kind: 'literal', size: 20 });
    f.literal(Buffer.alloc(20, 0x61));
    expect(() => f.line(b(' BODY[1] {1}\r\n'))).toThrow(/reply size exceeded/);
  });
});
