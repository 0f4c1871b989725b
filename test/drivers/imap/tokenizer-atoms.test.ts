import { describe, expect, it } from 'vitest';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';
import { tokenBigInt } from '../../../drivers/imap/tokens.js';

const tokens = (s: string) => tokenizeResponse(Buffer.from(s, 'utf8')).tokens;

describe('tokenizer: atoms, numbers and NIL', () => {
  it('reads atoms, including flags, wildcards and sequence sets', () => {
    expect(tokens('* FLAGS (\\Seen $Forwarded \\* 1:5,7:* %)')).toEqual([
      { kind: 'atom', value: 'FLAGS', section: undefined, partial: undefined },
      {
        kind: 'list',
        items: ['\\Seen', '$Forwarded', '\\*', '1:5,7:*', '%'].map((value) => ({ kind: 'atom', value, section: undefined, partial: undefined })),
      },
    ]);
  });

  it('reads digit runs as numbers', () => {
    expect(tokens('* 23 EXISTS')).toEqual([
      { kind: 'number', value: 23 },
      { kind: 'atom', value: 'EXISTS', section: undefined, partial: undefined },
    ]);
  });

  it('keeps digit runs beyond 2^53 exact as atoms (RFC 7162 mod-sequences)', () => {
    const [, , list] = tokens('* 1 FETCH (MODSEQ (18446744073709551615))');
    expect(list?.kind).toBe('list');
    const inner = list?.kind === 'list' ? list.items[1] : undefined;
    expect(inner?.kind === 'list' ? tokenBigInt(inner.items[0]) : undefined).toBe(18446744073709551615n);
  });

  it('reads NIL in any case as NIL, and a quoted "NIL" as a string', () => {
    const list = tokens('* X (NIL nil Nil "NIL")')[1];
    expect(list).toEqual({ kind: 'list', items: [{ kind: 'nil' }, { kind: 'nil' }, { kind: 'nil' }, { kind: 'string', value: 'NIL' }] });
  });

  it('decodes 8-bit atoms as UTF-8 (sloppy servers send UTF-8 mailbox names unquoted)', () => {
    expect(tokens('* LIST () "/" Entwürfe')[3]).toEqual({ kind: 'atom', value: 'Entwürfe', section: undefined, partial: undefined });
  });

  it('tolerates repeated and trailing spaces', () => {
    expect(tokens('* SEARCH  1 2   3 ').map((t) => (t.kind === 'number' ? t.value : t.kind))).toEqual(['atom', 1, 2, 3]);
  });

  it('keeps bracketed keywords and mailbox names whole', () => {
    const list = tokens('* LIST () "/" [Gmail]/All')[3];
    expect(list).toEqual({ kind: 'atom', value: '[Gmail]/All', section: undefined, partial: undefined });
  });
});
