import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';
import type { ImapToken } from '../../../drivers/imap/tokens.js';

function fetchItems(input: Buffer): ImapToken[] {
  const list = tokenizeResponse(input).tokens[2];
  if (list?.kind !== 'list') throw new Error('no list');
  return list.items;
}

describe('tokenizer: literals', () => {
  it('counts literal sizes in bytes, not characters (UTF-8, 8-bit)', () => {
    const body = Buffer.concat([Buffer.from('Grüße ✓\r\n', 'utf8'), Buffer.from([0xe9, 0xff, 0x80])]);
    const input = Buffer.concat([Buffer.from(`* 1 FETCH (BODY[] {${body.length}}\r\n`), body, Buffer.from(' UID 7)\r\n')]);
    const items = fetchItems(input);
    expect(items[1]).toMatchObject({ kind: 'literal', binary: false, nonSync: false });
    expect(items[1]?.kind === 'literal' && items[1].value.equals(body)).toBe(true);
    expect(items[3]).toEqual({ kind: 'number', value: 7 });
  });

  it('keeps CRLF, lone LF, ")" and "{5}" inside a literal as data', () => {
    const body = Buffer.from('line 1\r\n.\r\n)\n{5}\r\n', 'latin1');
    const input = Buffer.concat([Buffer.from(`* 2 FETCH (BODY[TEXT] {${body.length}}\r\n`), body, Buffer.from(')')]);
    const item = fetchItems(input)[1];
    expect(item?.kind === 'literal' && item.value.equals(body)).toBe(true);
  });

  it('returns a view of the input, not a copy', () => {
    const input = Buffer.from('* 1 FETCH (BODY[] {3}\r\nabc)');
    const item = fetchItems(input)[1];
    expect(item?.kind === 'literal' && item.value.buffer === input.buffer).toBe(true);
  });

  it('reads {n+} (RFC 7888) and ~{n} literal8 with NUL bytes (RFC 3516)', () => {
    const input = Buffer.concat([Buffer.from('* 1 FETCH (BINARY[1] ~{3}\r\n'), Buffer.from([0, 1, 0]), Buffer.from(' BODY[2] {2+}\r\nhi)')]);
    const items = fetchItems(input);
    expect(items[1]).toMatchObject({ kind: 'literal', binary: true, nonSync: false });
    expect(items[1]?.kind === 'literal' && [...items[1].value]).toEqual([0, 1, 0]);
    expect(items[3]).toMatchObject({ kind: 'literal', binary: false, nonSync: true });
  });

  it('reads an empty literal {0}', () => {
    const items = fetchItems(Buffer.from('* 1 FETCH (BODY[] {0}\r\n)'));
    expect(items[1]?.kind === 'literal' && items[1].value.length).toBe(0);
  });

  it('accepts a literal as the last token of a response (LIST mailbox name)', () => {
    const t = tokenizeResponse(Buffer.from('* LIST () "/" {5}\r\nINBOX\r\n')).tokens;
    expect(t[3]?.kind === 'literal' && t[3].value.toString()).toBe('INBOX');
  });

  it('fails with EPROTOCOL when fewer bytes follow than announced', () => {
    let err: unknown;
    try {
      tokenizeResponse(Buffer.from('* 1 FETCH (BODY[] {10}\r\nshort)'));
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect((err as Error).message).toMatch(/\{10\}.*only 6 bytes follow/);
  });

  it('fails with ELIMIT when a literal is larger than limits.maxLiteralBytes', () => {
    let err: unknown;
    try {
      tokenizeResponse(Buffer.from('* 1 FETCH (BODY[] {2147483648}\r\nx)'));
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect((err as { context: { detail?: { limit?: string } } }).context.detail?.limit).toBe('maxLiteralBytes');
  });

  it('honours a lower maxLiteralBytes option', () => {
    expect(() => tokenizeResponse(Buffer.from('* 1 FETCH (BODY[] {4}\r\nabcd)'), { maxLiteralBytes: 3 })).toThrow(/literal size exceeded/);
  });
});
