import { describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { tokenizeResponse } from '../../../drivers/imap/tokenizer.js';

function fail(input: string | Buffer): MailprobeError {
  try {
    tokenizeResponse(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  } catch (e) {
    if (isMailprobeError(e)) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(input.toString())}`);
}

describe('tokenizer: malformed input is EPROTOCOL with what and where', () => {
  it.each([
    ['empty input', ''],
    ['a line that starts with a space', ' * OK'],
    ['a tag and nothing else', 'A1\r\n'],
    ['an untagged response without content', '*\r\n'],
    ['a control byte in the tag', 'A\x011 OK'],
    ['a tag made of "*" and more', '**1 OK'],
    ['a "+" not followed by a space', '+foo'],
    ['binary garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    ['a bare LF in the middle', '* X a\nb'],
    ['a literal size without digits', '* X {}\r\n'],
    ['a literal announcement without CRLF', '* X {3}abc'],
    ['a quote glued to an atom', '* X a"b"'],
    ['a DEL byte', '* X a\x7fb'],
  ])('%s', (_what, input) => {
    const err = fail(input);
    expect(err.code).toBe('EPROTOCOL');
    expect(err.message).toMatch(/^malformed IMAP response: .+ \(byte \d+\)$/);
    expect(typeof err.context.detail?.offset).toBe('number');
    expect(typeof err.context.response).toBe('string');
  });
});
