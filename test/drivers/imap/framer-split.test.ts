import { describe, expect, it } from 'vitest';
import { ResponseSplitter } from '../../../drivers/imap/framer.js';
import { parseResponse } from '../../../drivers/imap/response.js';

// Several responses back to back, with literals whose data holds CRLF, "{n}", ")" and 8-bit bytes.
const body = Buffer.concat([Buffer.from('Subject: x\r\n\r\n.line\r\n{3}\r\n)\r\n', 'latin1'), Buffer.from('Grüße\r\n', 'utf8')]);
const stream = Buffer.concat([
  Buffer.from('* OK [CAPABILITY IMAP4rev1 LITERAL+] ready {5}\r\n'),
  Buffer.from('* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {' + body.length + '}\r\n'),
  body,
  Buffer.from(' BODY[HEADER] {0}\r\n)\r\n'),
  Buffer.from('* LIST (\\Noselect) "/" {4}\r\nfoo/\r\n'),
  Buffer.from('+ \r\n'),
  Buffer.from('A1 OK [READ-WRITE] done\n'),
]);

function splitAll(chunks: Buffer[]): Buffer[] {
  const s = new ResponseSplitter();
  const out = chunks.flatMap((c) => s.push(c));
  s.end();
  return out;
}

describe('framer: the same input split at every byte boundary', () => {
  const whole = splitAll([stream]);

  it('finds each response of the stream', () => {
    expect(whole.map((r) => parseResponse(r).kind)).toEqual(['condition', 'fetch', 'list', 'continuation', 'tagged']);
    expect(Buffer.concat(whole).equals(stream)).toBe(true);
  });

  it('gives identical responses and parse trees for every split into two chunks', () => {
    const parsed = whole.map((r) => parseResponse(r));
    for (let i = 1; i < stream.length; i++) {
      const split = splitAll([stream.subarray(0, i), stream.subarray(i)]);
      expect(split, `split at ${i}`).toEqual(whole);
      expect(split.map((r) => parseResponse(r))).toEqual(parsed);
    }
  });

  it('gives identical responses when fed one byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(splitAll(bytes)).toEqual(whole);
  });

  it('reports input that ends inside a literal', () => {
    const s = new ResponseSplitter();
    s.push(stream.subarray(0, 80));
    expect(() => s.end()).toThrow(/input ended inside a response/);
  });

  it('enforces maxLineBytes on a line that never ends', () => {
    const s = new ResponseSplitter({ maxLineBytes: 64 });
    expect(() => s.push(Buffer.alloc(65, 0x61))).toThrow(/line length exceeded/);
  });
});
