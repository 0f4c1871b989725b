import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { smtpProperties } from '../../fuzz/smtp.properties.js';
import { dotUnstuff, encodeDataBody } from '../../../drivers/smtp/dot-stuff.js';

const enc = (s: string, normalize = true): string => encodeDataBody(Buffer.from(s, 'latin1'), { normalizeLineEndings: normalize }).toString('latin1');

describe('encodeDataBody', () => {
  it('stuffs leading dots and terminates with CRLF.CRLF (RFC 5321 §4.5.2)', () => {
    expect(enc('.a\r\nb\r\n..c\r\n')).toBe('..a\r\nb\r\n...c\r\n.\r\n');
  });
  it('adds the missing final CRLF', () => {
    expect(enc('x')).toBe('x\r\n.\r\n');
  });
  it('sends an empty body as just the terminator', () => {
    expect(enc('')).toBe('.\r\n');
  });
  it('normalises bare LF and bare CR to CRLF by default', () => {
    expect(enc('a\nb\rc\r\n.d\n')).toBe('a\r\nb\r\nc\r\n..d\r\n.\r\n');
  });
  it('keeps bare line ends untouched when asked, stuffing only after CRLF', () => {
    expect(enc('a\n.\nb', false)).toBe('a\n.\nb\r\n.\r\n');
  });
  it('round-trips bare line ends too, normalised to CRLF', () => {
    fc.assert(smtpProperties.dotStuffRoundTrip(), { numRuns: 300 });
  });
  it('round-trips through dotUnstuff for any body', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('.', 'a', '\r\n', '..', 'é', ' '), { maxLength: 40 }), (parts) => {
        const body = parts.join('');
        const normalized = body.endsWith('\r\n') || body === '' ? body : `${body}\r\n`;
        const wire = encodeDataBody(Buffer.from(body, 'utf8'));
        const withoutTerminator = wire.subarray(0, wire.length - 3);
        expect(dotUnstuff(withoutTerminator).toString('utf8')).toBe(normalized);
      }),
      { numRuns: 500 },
    );
  });
});

describe('encodeDataBody edge cases found by fuzzing', () => {
  it('a body of one bare CR or LF becomes one CRLF, not two', () => {
    expect(encodeDataBody(Buffer.from('\r')).toString('latin1')).toBe('\r\n.\r\n');
    expect(encodeDataBody(Buffer.from('\n')).toString('latin1')).toBe('\r\n.\r\n');
  });
});
