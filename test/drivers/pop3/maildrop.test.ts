import { describe, expect, it } from 'vitest';
import { parseCapabilities, parseDropListing, parseListings, parseScanListing, parseUniqueIdListing } from '../../../drivers/pop3/maildrop.js';

const lines = (...l: string[]): Buffer[] => l.map((s) => Buffer.from(`${s}\r\n`));

describe('maildrop listings (RFC 1939 §5, §7)', () => {
  it('parses STAT', () => {
    expect(parseDropListing('2 320')).toEqual({ count: 2, octets: 320 });
    expect(parseDropListing('2 messages')).toBeUndefined();
  });

  it('parses scan listings, allowing text after the size', () => {
    expect(parseListings(lines('1 120', '2 200 extra info', 'x 1', '3  4'), parseScanListing)).toEqual({
      entries: [
        { msg: 1, octets: 120 },
        { msg: 2, octets: 200 },
      ],
      invalid: ['x 1', '3  4'],
    });
  });

  it('parses unique-id listings and rejects ids outside 0x21-0x7E or over 70 chars', () => {
    expect(parseUniqueIdListing('1 whqtswO00WBw418f9t5JxYwZ')).toEqual({ msg: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' });
    expect(parseUniqueIdListing('1 has space')).toBeUndefined();
    expect(parseUniqueIdListing(`1 ${'a'.repeat(71)}`)).toBeUndefined();
  });
});

describe('CAPA (RFC 2449 §5)', () => {
  it('maps upper-cased keywords to their arguments', () => {
    const caps = parseCapabilities(lines('TOP', 'uidl', 'SASL PLAIN XOAUTH2', 'IMPLEMENTATION Shlemazle-Plotz-v302', 'STLS', ''));
    expect([...caps.keys()]).toEqual(['TOP', 'UIDL', 'SASL', 'IMPLEMENTATION', 'STLS']);
    expect(caps.get('SASL')).toEqual(['PLAIN', 'XOAUTH2']);
    expect(caps.get('STLS')).toEqual([]);
  });
});
