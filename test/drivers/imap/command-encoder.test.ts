import { describe, expect, it } from 'vitest';
import { astring, encodeCommand, literal } from '../../../drivers/imap/command-encoder.js';
import { secret } from '../../../drivers/redact.js';

const none = { literalPlus: false, literalMinus: false };
const plus = { literalPlus: true, literalMinus: false };
const wire = (c: ReturnType<typeof encodeCommand>) => c.segments.map((s) => s.wire.toString('latin1'));

describe('command encoder', () => {
  it('writes plain arguments verbatim and ends with CRLF', () => {
    const c = encodeCommand('A1', 'UID FETCH', ['1:*', '(UID FLAGS)'], none);
    expect(wire(c)).toEqual(['A1 UID FETCH 1:* (UID FLAGS)\r\n']);
    expect(c.display).toBe('UID FETCH 1:* (UID FLAGS)');
    expect(c.bytes).toBe(c.segments[0]!.wire.length);
  });

  it('quotes astrings, escaping " and \\', () => {
    expect(wire(encodeCommand('A1', 'SELECT', [astring('a "b" \\c')], none))).toEqual(['A1 SELECT "a \\"b\\" \\\\c"\r\n']);
  });

  it('sends 8-bit or multi-line astrings as literals', () => {
    const c = encodeCommand('A2', 'SELECT', [astring('Entwürfe')], none);
    expect(wire(c)).toEqual(['A2 SELECT {9}\r\n', 'Entwürfe\r\n'].map((s) => Buffer.from(s, 'utf8').toString('latin1')));
    expect(c.segments.map((s) => s.awaitContinuation)).toEqual([true, false]);
  });

  it('uses {n+} in auto mode when LITERAL+ is offered, in one segment (RFC 7888)', () => {
    const c = encodeCommand('A3', 'APPEND', ['INBOX', literal('hello')], plus);
    expect(wire(c)).toEqual(['A3 APPEND INBOX {5+}\r\nhello\r\n']);
  });

  it('uses {n+} under LITERAL- only up to 4096 bytes', () => {
    const lm = { literalPlus: false, literalMinus: true };
    expect(encodeCommand('A1', 'APPEND', ['INBOX', literal('x'.repeat(4096))], lm).segments).toHaveLength(1);
    expect(encodeCommand('A1', 'APPEND', ['INBOX', literal('x'.repeat(4097))], lm).segments).toHaveLength(2);
  });

  it('lets the caller force a mode, and writes ~{n} for literal8', () => {
    expect(wire(encodeCommand('A1', 'APPEND', ['INBOX', literal('a', { mode: 'sync' })], plus))[0]).toBe('A1 APPEND INBOX {1}\r\n');
    expect(wire(encodeCommand('A1', 'APPEND', ['INBOX', literal('a', { mode: 'nonsync', binary: true })], none))[0]).toBe('A1 APPEND INBOX ~{1+}\r\na\r\n');
  });

  it('shows secrets as *** and never their bytes, as quoted strings and as literals', () => {
    const q = encodeCommand('A1', 'LOGIN', [astring('bob'), astring(secret('s3cret'))], none);
    expect(wire(q)).toEqual(['A1 LOGIN "bob" "s3cret"\r\n']);
    expect(q.segments[0]!.display).toEqual(['A1 LOGIN "bob" ***']);
    const l = encodeCommand('A2', 'LOGIN', [astring('bob'), astring(secret('pässword'))], none);
    expect(l.segments.map((s) => s.display)).toEqual([['A2 LOGIN "bob" ***'], []]);
    expect(JSON.stringify(l.display)).not.toMatch(/pässword|\{9\}/);
    expect(encodeCommand('A3', 'AUTHENTICATE', ['PLAIN', secret('AGJvYgBzM2NyZXQ=')], none).display).toBe('AUTHENTICATE PLAIN ***');
  });

  it('shows short literal data and summarises long data', () => {
    const c = encodeCommand('A1', 'APPEND', ['INBOX', literal('x'.repeat(500))], plus);
    expect(c.segments[0]!.display).toEqual(['A1 APPEND INBOX {500+}', '(500 bytes of literal data)']);
  });
});
