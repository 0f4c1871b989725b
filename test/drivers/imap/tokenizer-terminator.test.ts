import { describe, expect, it } from 'vitest';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';

const samples = [
  '* 1 FETCH (UID 5 FLAGS (\\Seen) BODY[] {5}\r\nhello)',
  'A1 OK [READ-WRITE] SELECT completed',
  '* LIST (\\HasNoChildren) "/" INBOX',
  '+ go ahead',
  '* SEARCH 1 2 3',
  '* OK',
];

describe('tokenizer: the final line terminator', () => {
  it.each(samples)('gives the same tree with CRLF, LF or nothing: %s', (s) => {
    const none = tokenizeResponse(Buffer.from(s));
    expect(tokenizeResponse(Buffer.from(`${s}\r\n`))).toEqual(none);
    expect(tokenizeResponse(Buffer.from(`${s}\n`))).toEqual(none);
  });

  it('does not mistake a literal ending in CRLF for the terminator', () => {
    const t = tokenizeResponse(Buffer.from('* LIST () "/" {2}\r\n\r\n'));
    const name = t.tokens[3];
    expect(name?.kind === 'literal' && name.value.toString('latin1')).toBe('\r\n');
  });
});
