/**
 * The sandbox's pure parsers, without sockets: IMAP command framing fed at every byte split,
 * the argument cursor, sequence sets, header and MIME structure, address lists, line reader.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type SandboxLimits } from '../../sandbox/limits.js';
import { parseAddressList } from '../../sandbox/mime/address.js';
import { parseContentType, parseHeader } from '../../sandbox/mime/headers.js';
import { countLines, parseMime, resolvePart } from '../../sandbox/mime/structure.js';
import { LINE_TOO_LONG, LineReader } from '../../sandbox/net/input.js';
import { ArgParser, BadCommand, parseDateTime } from '../../sandbox/imap/parser.js';
import { CommandReader, type ReadResult } from '../../sandbox/imap/reader.js';
import { parseSequenceSet } from '../../sandbox/imap/sequence.js';
import { multiline, top } from '../../sandbox/pop3/maildrop.js';
import { Message } from '../../sandbox/store/message.js';
import { byteChunks, twoWaySplits } from '../helpers/split.js';

function readAll(chunks: readonly Buffer[], limits: Partial<SandboxLimits> = {}): { results: ReadResult[]; continues: number } {
  let continues = 0;
  const reader = new CommandReader({ ...DEFAULT_LIMITS, ...limits }, () => continues++);
  const results: ReadResult[] = [];
  for (const c of chunks) {
    reader.push(c);
    for (let r = reader.read(); r; r = reader.read()) results.push(r);
  }
  return { results, continues };
}

const text = (r: ReadResult): string => (r.kind === 'command' ? r.input.lines.map((l, i) => l.toString() + (r.input.literals[i]?.toString() ?? '')).join('|') : r.kind);

describe('IMAP command reader', () => {
  const input = Buffer.from('a1 LOGIN {5}\r\nalice {3+}\r\npwd\r\na2 NOOP\na3 APPEND x {0}\r\n\r\n');

  it('frames commands with literals the same way at every split', () => {
    for (const split of [...twoWaySplits(input), byteChunks(input)]) {
      const { results, continues } = readAll(split);
      expect(results.map(text)).toEqual(['a1 LOGIN {5}alice| {3+}pwd|', 'a2 NOOP', 'a3 APPEND x {0}|']);
      // "+" only for the synchronising literals
      expect(continues).toBe(2);
    }
  });

  it('bounds lines, literals and commands', () => {
    expect(readAll([Buffer.from(`a1 ${'x'.repeat(100)}`)], { maxLineBytes: 50 }).results.map((r) => r.kind)).toEqual(['line-too-long']);
    expect(readAll([Buffer.from('a1 APPEND x {999}\r\n')], { maxMessageBytes: 100 }).results).toEqual([{ kind: 'literal-too-large', tag: 'a1', sync: true }]);
    expect(readAll([Buffer.from('a1 APPEND x {999+}\r\n')], { maxMessageBytes: 100 }).results).toEqual([{ kind: 'literal-too-large', tag: 'a1', sync: false }]);
    const many = Array.from({ length: 5 }, () => '{1+}\r\nx').join(' ');
    expect(readAll([Buffer.from(`a1 X ${many}\r\n`)], { maxLiteralsPerCommand: 3 }).results[0]).toMatchObject({ kind: 'command-too-large' });
  });
});

describe('IMAP argument parser', () => {
  const parser = (line: string, literals: string[] = []): ArgParser =>
    new ArgParser({ lines: line.split('\n').map((l) => Buffer.from(l)), literals: literals.map((l) => Buffer.from(l)) });

  it('reads atoms, quoted strings with escapes, literals and flag lists', () => {
    const p = parser('a1 X "q \\"x\\" \\\\" {3}\n (\\Seen $Kw) NIL', ['lit']);
    expect(p.atom()).toBe('a1');
    p.sp();
    expect(p.atom()).toBe('X');
    p.sp();
    expect(p.string().toString()).toBe('q "x" \\');
    p.sp();
    expect(p.astring().toString()).toBe('lit');
    p.sp();
    expect(p.flagList()).toEqual(['\\Seen', '$Kw']);
    p.sp();
    expect(p.nstring()).toBeNull();
    p.end();
  });

  it('throws BadCommand on malformed input', () => {
    expect(() => parser('"unterminated').string()).toThrow(BadCommand);
    expect(() => parser('"bad \\x escape"').string()).toThrow(BadCommand);
    expect(() => parser('{5}').string()).toThrow(BadCommand);
    expect(() => parser('x y').end()).toThrow(BadCommand);
    expect(() => parser('99999999999').number()).toThrow(BadCommand);
  });

  it('sequence sets and date-times', () => {
    expect(parseSequenceSet('1:3,7,*:5')).toEqual([{ from: 1, to: 3 }, { from: 7, to: 7 }, { from: '*', to: 5 }]);
    for (const bad of ['0', '1:', ',', '1,,2', 'a']) expect(() => parseSequenceSet(bad)).toThrow(BadCommand);
    expect(parseDateTime(' 7-Jul-2024 02:44:25 -0700').toISOString()).toBe('2024-07-07T09:44:25.000Z');
  });
});

describe('headers and MIME', () => {
  it('unfolds fields, keeps raw extents, tolerates bare LF', () => {
    const bytes = Buffer.from('Subject: a\r\n folded\nX-Y: 1\r\nnot a field\r\n\r\nbody');
    const h = parseHeader(bytes);
    expect(h.fields.map((f) => [f.name, f.value])).toEqual([['Subject', 'a folded'], ['X-Y', '1']]);
    expect(bytes.toString('latin1', h.fields[0]!.start, h.fields[0]!.end)).toBe('Subject: a\r\n folded\n');
    expect(bytes.toString('latin1', h.bodyStart)).toBe('body');
    expect(parseContentType('Text/HTML; Charset="utf-8"; format=flowed')).toMatchObject({ type: 'text', subtype: 'html' });
    expect([...parseContentType('text/plain; name="a \\"b\\""').params]).toEqual([['name', 'a "b"']]);
  });

  it('splits multiparts and numbers parts as IMAP does', () => {
    const msg = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\n\r\none\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\ninner\r\n--b--\r\n');
    const root = parseMime(msg);
    expect(root.children).toHaveLength(2);
    expect(msg.toString('latin1', root.children[0]!.bodyStart, root.children[0]!.end)).toBe('one');
    const inner = resolvePart(root, [2, 1]);
    expect(inner && msg.toString('latin1', inner.bodyStart, inner.end)).toBe('inner');
    expect(resolvePart(root, [3])).toBeUndefined();
    expect(countLines(msg, 0, msg.length)).toBe(13);
    // A multipart without a boundary is described as text
    expect(parseMime(Buffer.from('Content-Type: multipart/mixed\r\n\r\nx')).contentType.type).toBe('text');
  });

  it('parses address lists with names, groups and comments', () => {
    expect(parseAddressList('"Doe, J." <j@x.org>, k@y.org (Kay), Team: a@b.c;, <@r1,@r2:u@h>')).toEqual([
      { name: 'Doe, J.', mailbox: 'j', host: 'x.org' },
      { name: null, mailbox: 'k', host: 'y.org' },
      { name: null, mailbox: 'Team', host: null },
      { name: null, mailbox: 'a', host: 'b.c' },
      { name: null, mailbox: null, host: null },
      { name: null, mailbox: 'u', host: 'h' },
    ]);
    expect(parseAddressList('undisclosed-recipients:;')).toEqual([{ name: null, mailbox: 'undisclosed-recipients', host: null }, { name: null, mailbox: null, host: null }]);
  });
});

describe('line framing and POP3 encoding', () => {
  it('reports a too-long line once and resynchronises at the next line end', () => {
    const r = new LineReader(10);
    r.push(Buffer.from('x'.repeat(30)));
    expect(r.next()).toBe(LINE_TOO_LONG);
    r.push(Buffer.from('y'.repeat(30)));
    expect(r.next()).toBeUndefined();
    r.push(Buffer.from('zz\r\nok\r\n'));
    expect(r.next()?.toString()).toBe('ok');
  });

  it('byte-stuffs multi-line data and cuts TOP after n body lines', () => {
    expect(multiline(Buffer.from('.a\r\nb\r\n..c')).toString()).toBe('..a\r\nb\r\n...c\r\n.\r\n');
    const m = new Message(1, Buffer.from('S: x\r\n\r\n1\r\n2\r\n3\r\n'), new Date(), []);
    expect(top(m, 2).toString()).toBe('S: x\r\n\r\n1\r\n2\r\n');
    expect(top(m, 0).toString()).toBe('S: x\r\n\r\n');
    const lf = new Message(2, Buffer.from('S: x\n\nbody\n'), new Date(), []);
    expect(lf.pop3Bytes.toString()).toBe('S: x\r\n\r\nbody\r\n');
    expect(top(lf, 0).toString()).toBe('S: x\r\n\r\n');
  });
});
