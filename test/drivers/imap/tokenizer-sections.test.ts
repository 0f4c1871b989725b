import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';
import { tokenText, type ImapToken } from '../../../drivers/imap/tokens.js';

function items(s: string): ImapToken[] {
  const list = tokenizeResponse(Buffer.from(s)).tokens[2];
  if (list?.kind !== 'list') throw new Error('no list');
  return list.items;
}

describe('tokenizer: sections and partials attached to atoms', () => {
  it('attaches BODY[HEADER.FIELDS (SUBJECT)]<0.100> to one atom', () => {
    const [key] = items('* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)]<0.100> NIL)');
    expect(key).toEqual({
      kind: 'atom',
      value: 'BODY',
      section: [
        { kind: 'atom', value: 'HEADER.FIELDS', section: undefined, partial: undefined },
        {
          kind: 'list',
          items: [
            { kind: 'atom', value: 'SUBJECT', section: undefined, partial: undefined },
            { kind: 'atom', value: 'FROM', section: undefined, partial: undefined },
          ],
        },
      ],
      partial: { offset: 0, length: 100 },
    });
  });

  it('reads an empty section, an origin-only partial and numeric part specifiers', () => {
    const list = items('* 1 FETCH (BODY[]<42> NIL BODY[1.2.MIME] NIL BINARY.SIZE[3] 10)');
    expect(list.map(tokenText)).toEqual(['BODY[]<42>', 'NIL', 'BODY[1.2.MIME]', 'NIL', 'BINARY.SIZE[3]', '10']);
    expect(list[0]).toMatchObject({ section: [], partial: { offset: 42, length: undefined } });
  });

  it('keeps quoted header names in a section', () => {
    expect(items('* 1 FETCH (BODY[HEADER.FIELDS ("X-Spam" Subject)] NIL)').map(tokenText)[0]).toBe('BODY[HEADER.FIELDS ("X-Spam" Subject)]');
  });

  it.each([
    ['an unclosed section', '* 1 FETCH (BODY[TEXT NIL)'],
    ['an unclosed partial', '* 1 FETCH (BODY[]<0 NIL)'],
    ['a partial without digits', '* 1 FETCH (BODY[]<> NIL)'],
    ['bytes glued after a section', '* 1 FETCH (BODY[]x NIL)'],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    let err: unknown;
    try {
      items(input);
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
  });
});
