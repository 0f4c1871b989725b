import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';
import { tokenText } from '../../../drivers/imap/tokens.js';

const text = (s: string) => tokenizeResponse(Buffer.from(s)).tokens.map(tokenText).join(' ');

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('tokenizer: lists', () => {
  it('nests lists and keeps empty ones', () => {
    expect(text('* X (a (b (c)) () NIL)')).toBe('X (a (b (c)) () NIL)');
  });

  it('accepts lists back to back, as body-type-mpart and address lists have them (RFC 9051 §9)', () => {
    const t = tokenizeResponse(Buffer.from('* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1)("text" "html" NIL NIL NIL "7bit" 2 1) "alternative"))'));
    const list = t.tokens[2];
    const bs = list?.kind === 'list' ? list.items[1] : undefined;
    expect(bs?.kind === 'list' && bs.items.map((i) => i.kind)).toEqual(['list', 'list', 'string']);
  });

  it('allows nesting up to limits.maxNesting', () => {
    const depth = 10;
    const input = `* X ${'('.repeat(depth)}a${')'.repeat(depth)}`;
    expect(() => tokenizeResponse(Buffer.from(input), { maxNesting: depth })).not.toThrow();
  });

  it('fails with ELIMIT one level deeper', () => {
    const depth = 11;
    const err = errorOf(() => tokenizeResponse(Buffer.from(`* X ${'('.repeat(depth)}a${')'.repeat(depth)}`), { maxNesting: 10 }));
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect((err as { context: { detail?: { limit?: string } } }).context.detail?.limit).toBe('maxNesting');
  });

  it('bounds deep nesting with the default limit without recursing (100k parentheses)', () => {
    const err = errorOf(() => tokenizeResponse(Buffer.from(`* X ${'('.repeat(100_000)}`)));
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
  });

  it('counts sections towards the nesting limit', () => {
    const err = errorOf(() => tokenizeResponse(Buffer.from('* 1 FETCH ((BODY[HEADER.FIELDS (A)] NIL))'), { maxNesting: 3 }));
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
  });

  it.each([
    ['an unclosed list', '* X (a (b)'],
    ['a stray ")"', '* X a)'],
    ['a "]" inside a list', '* X (a])'],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    expect(isMailprobeError(errorOf(() => tokenizeResponse(Buffer.from(input))), 'EPROTOCOL')).toBe(true);
  });
});
