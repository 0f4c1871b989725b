import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';
import { tokenText } from '../../../drivers/imap/tokens.js';

const tok = (s: string) => tokenizeResponse(Buffer.from(s, 'utf8'));

describe('tokenizer: status responses, response codes and text', () => {
  it('splits a tagged completion into status, code and text', () => {
    const t = tok('A1 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Logged in\r\n');
    expect(t.tag).toBe('A1');
    expect(t.tokens.map(tokenText)).toEqual(['OK']);
    expect(t.code?.name).toBe('CAPABILITY');
    expect(t.code?.args?.map(tokenText)).toEqual(['IMAP4rev1', 'AUTH=PLAIN']);
    expect(t.code?.text).toBe('IMAP4rev1 AUTH=PLAIN');
    expect(t.text).toBe('Logged in');
  });

  it('does not tokenize human text: quotes, parentheses and braces stay text', () => {
    const t = tok('* OK [ALERT] don\'t "panic" (really) {5}');
    expect(t.code).toEqual({ name: 'ALERT', text: '', args: [] });
    expect(t.text).toBe('don\'t "panic" (really) {5}');
  });

  it('reads list arguments and bracketed keywords inside a code', () => {
    const t = tok('* OK [PERMANENTFLAGS (\\Seen [css3-page] \\*)] Limited');
    expect(t.code?.args?.map(tokenText)).toEqual(['(\\Seen [css3-page] \\*)']);
  });

  it('keeps free-text code arguments that do not tokenize (RFC 9051 §7.1) as text', () => {
    const t = tok('* NO [UNKNOWN-CTE "half quoted] Cannot');
    expect(t.code).toEqual({ name: 'UNKNOWN-CTE', text: '"half quoted', args: undefined });
    expect(t.text).toBe('Cannot');
  });

  it('upper-cases code names and accepts status words in any case', () => {
    const t = tok('a7 no [trycreate] No such mailbox');
    expect(t.tokens.map(tokenText)).toEqual(['no']);
    expect(t.code?.name).toBe('TRYCREATE');
  });

  it('accepts a status with no text at all', () => {
    expect(tok('A1 OK\r\n').text).toBe('');
    expect(tok('* OK [READ-WRITE]').text).toBe('');
  });

  it('reads continuation requests, bare or with base64 or a code', () => {
    expect(tok('+\r\n')).toMatchObject({ tag: '+', tokens: [], text: '' });
    expect(tok('+ \r\n')).toMatchObject({ tag: '+', text: '' });
    expect(tok('+ eyJzdGF0dXMiOiI0MDAifQ==\r\n').text).toBe('eyJzdGF0dXMiOiI0MDAifQ==');
    expect(tok('+ [ALERT] go on').code?.name).toBe('ALERT');
  });

  it('decodes UTF-8 text', () => {
    expect(tok('* OK Grüße ✓').text).toBe('Grüße ✓');
  });

  it.each([
    ['an unclosed code', '* OK [UIDNEXT 5 text'],
    ['an empty code name', '* OK [] text'],
    ['a line break inside the text', '* OK one\r\ntwo\r\n'],
    ['a bare CR inside the text', '* OK one\rtwo'],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    let err: unknown;
    try {
      tok(input);
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
  });
});
