import { describe, expect, it } from 'vitest';
import { apopDigest } from '../../../drivers/pop3/auth.js';
import { apopTimestamp } from '../../../drivers/pop3/status.js';

describe('APOP (RFC 1939 §7)', () => {
  it('finds the timestamp in the greeting, brackets included', () => {
    expect(apopTimestamp('POP3 server ready <1896.697170952@dbc.mtview.ca.us>')).toBe('<1896.697170952@dbc.mtview.ca.us>');
    expect(apopTimestamp('Dovecot ready.')).toBeUndefined();
    expect(apopTimestamp('ready <no-at-sign>')).toBeUndefined();
    expect(apopTimestamp('ready <a b@c>')).toBeUndefined();
  });

  it('computes the digest of the RFC example', () => {
    expect(apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });
});
