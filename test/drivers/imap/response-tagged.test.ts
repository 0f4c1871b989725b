import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { parseResponse } from '../../../drivers/imap/response.js';

const parse = (s: string) => parseResponse(Buffer.from(s));

describe('response: tagged completions and continuations', () => {
  it.each(['OK', 'NO', 'BAD'])('classifies a tagged %s with code and text', (status) => {
    const r = parse(`A12 ${status} [TRYCREATE] text here\r\n`);
    expect(r).toMatchObject({ kind: 'tagged', tag: 'A12', status, text: 'text here', code: { name: 'TRYCREATE' } });
  });

  it('keeps the raw bytes', () => {
    const raw = Buffer.from('A1 OK done\r\n');
    expect(parseResponse(raw).raw).toBe(raw);
  });

  it('classifies a continuation', () => {
    expect(parse('+ Ready for literal data\r\n')).toMatchObject({ kind: 'continuation', text: 'Ready for literal data' });
  });

  it.each([
    ['a tagged response with another status', 'A1 PREAUTH hi'],
    ['an SMTP greeting', '220 mail.test ESMTP Postfix'],
    ['an HTTP status line', 'HTTP/1.1 400 Bad Request'],
    ['a POP3 greeting', '+OK Dovecot ready.'],
  ])('rejects %s with EPROTOCOL', (_what, input) => {
    let err: unknown;
    try {
      parse(input);
    } catch (e) {
      err = e;
    }
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect((err as { context: { response?: string } }).context.response).toBeTypeOf('string');
  });
});
