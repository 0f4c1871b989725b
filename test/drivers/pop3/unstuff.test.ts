import { describe, expect, it } from 'vitest';
import { dotStuff, lineText, MultilineReader } from '../../../drivers/pop3/multiline.js';

function read(...lines: string[]): { reader: MultilineReader; content: string } {
  const reader = new MultilineReader();
  for (const l of lines) if (reader.push(Buffer.from(l, 'latin1'))) break;
  return { reader, content: Buffer.concat(reader.result().lines).toString('latin1') };
}

describe('dot-unstuffing (RFC 1939 §3)', () => {
  it('ends at "." CRLF and removes one dot from stuffed lines', () => {
    const { reader, content } = read('..\r\n', '...x\r\n', '..x\r\n', '.\r\n');
    expect(reader.done).toBe(true);
    expect(content).toBe('.\r\n..x\r\n.x\r\n');
  });

  it('cannot hold a lone "." line: it ends the body, what follows is not read', () => {
    const { reader, content } = read('a\r\n', '.\r\n', 'b\r\n');
    expect(reader.done).toBe(true);
    expect(content).toBe('a\r\n');
  });

  it('strips the dot of an unstuffed ".x" line as the RFC says, and counts it', () => {
    const { reader, content } = read('.x\r\n', '.\r\n');
    expect(content).toBe('x\r\n');
    expect(reader.result().stats.unstuffedDotLines).toBe(1);
  });

  it('accepts "." LF as the end and notes it, and counts bare-LF lines', () => {
    const { reader } = read('a\n', 'b\r\n', '.\n');
    expect(reader.done).toBe(true);
    expect(reader.result().stats).toMatchObject({ bareLfTerminator: true, bareLfLines: 1, lines: 2 });
  });

  it('does not treat ". CR CR LF" or ". SP CRLF" as the end', () => {
    const { reader, content } = read('.\r\r\n', '. \r\n', '.\r\n');
    expect(reader.done).toBe(true);
    expect(content).toBe('\r\r\n \r\n');
  });

  it('an empty body is just the marker', () => {
    const { reader, content } = read('.\r\n');
    expect(reader.done).toBe(true);
    expect(content).toBe('');
    expect(reader.result().stats).toMatchObject({ lines: 0, wireBytes: 3, contentBytes: 0 });
  });

  it('stuffs what it unstuffs', () => {
    expect(dotStuff(Buffer.from('.\r\n..a\r\nb')).toString()).toBe('..\r\n...a\r\nb\r\n.\r\n');
    expect(dotStuff(Buffer.alloc(0)).toString()).toBe('.\r\n');
  });

  it('lineText drops the terminator only', () => {
    expect(lineText(Buffer.from('a b\r\n'))).toBe('a b');
    expect(lineText(Buffer.from('a\rb\n'))).toBe('a\rb');
  });
});
