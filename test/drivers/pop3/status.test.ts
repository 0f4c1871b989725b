import { describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { looksLikeStatus, parseStatus } from '../../../drivers/pop3/status.js';

const line = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseStatus', () => {
  it('parses +OK and -ERR with their text, keeping the raw bytes', () => {
    const ok = parseStatus(line('+OK 2 320\r\n'));
    expect(ok).toMatchObject({ status: 'ok', text: '2 320', code: undefined, bareLf: false });
    expect(ok.raw.toString('latin1')).toBe('+OK 2 320\r\n');
    expect(parseStatus(line('-ERR no such message\r\n'))).toMatchObject({ status: 'err', text: 'no such message' });
  });

  it('accepts a bare indicator and notes a bare LF terminator', () => {
    expect(parseStatus(line('+OK\r\n'))).toMatchObject({ status: 'ok', text: '' });
    expect(parseStatus(line('-ERR\n'))).toMatchObject({ status: 'err', text: '', bareLf: true });
  });

  it('parses the SASL continuation with and without a payload', () => {
    expect(parseStatus(line('+ dGVzdA==\r\n'))).toMatchObject({ status: 'continue', text: 'dGVzdA==', code: undefined });
    expect(parseStatus(line('+ \r\n'))).toMatchObject({ status: 'continue', text: '' });
    expect(parseStatus(line('+\r\n'))).toMatchObject({ status: 'continue', text: '' });
  });

  it('keeps 8-bit text and a CR inside the line', () => {
    const s = parseStatus(Buffer.from('+OK caf\u00e9 a\rb\r\n', 'utf8'));
    expect(s.text).toBe('caf\u00e9 a\rb');
  });

  it.each(['+ok hi\r\n', '-err no\r\n', '+OKAY\r\n', '-ERROR x\r\n', '* OK imap\r\n', '220 smtp ready\r\n', '\r\n', '', 'OK\r\n', '+OK\t2\r\n'])(
    'rejects %j as EPROTOCOL',
    (text) => {
      let caught: unknown;
      try {
        parseStatus(line(text));
      } catch (err) {
        caught = err;
      }
      expect(isMailprobeError(caught, 'EPROTOCOL')).toBe(true);
    },
  );

  it('tells status lines from other greetings', () => {
    expect(looksLikeStatus(line('+OK Dovecot ready.\r\n'))).toBe(true);
    expect(looksLikeStatus(line('* OK IMAP4rev1\r\n'))).toBe(false);
    expect(looksLikeStatus(line('220 mx ESMTP\r\n'))).toBe(false);
  });
});
