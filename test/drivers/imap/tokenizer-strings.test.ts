import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';

const last = (s: string | Buffer) => {
  const t = tokenizeResponse(typeof s === 'string' ? Buffer.from(s, 'utf8') : s).tokens;
  return t[t.length - 1];
};

describe('tokenizer: quoted strings', () => {
  it('unescapes \\" and \\\\ (RFC 9051 §4.3 quoted-specials)', () => {
    expect(last('* LIST () "\\\\" "a \\"quoted\\" \\\\ name"')).toEqual({ kind: 'string', value: 'a "quoted" \\ name' });
  });

  it('reads the empty string', () => {
    expect(last('* LIST () "/" ""')).toEqual({ kind: 'string', value: '' });
  });

  it('decodes UTF-8 content (RFC 9051 quoted strings carry UTF-8)', () => {
    expect(last('* LIST () "/" "Brouillons été ✓"')).toEqual({ kind: 'string', value: 'Brouillons été ✓' });
  });

  it('keeps specials that are not escapes: parentheses, brackets, braces', () => {
    expect(last('* X "(a) [b] {5}"')).toEqual({ kind: 'string', value: '(a) [b] {5}' });
  });

  it.each([
    ['an unknown escape', '* X "a\\nb"'],
    ['an unclosed string', '* X "abc'],
    ['a line break inside', '* X "ab\r\ncd"'],
    ['a NUL inside', Buffer.from('* X "a\0b"', 'latin1')],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    let err: unknown;
    try {
      last(input);
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
  });
});
