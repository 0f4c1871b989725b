import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { smtpProperties } from '../../fuzz/smtp.properties.js';
import { SmtpReplyParser, type SmtpReply } from '../../../drivers/smtp/reply.js';
import { DEFAULT_LIMITS } from '../../../drivers/limits.js';
import { isMailprobeError } from '../../../drivers/errors.js';
import { byteChunks, linesFromChunks, twoWaySplits } from '../../helpers/split.js';

function parseAll(lines: Buffer[], limits = DEFAULT_LIMITS): SmtpReply[] {
  const p = new SmtpReplyParser(limits);
  const out: SmtpReply[] = [];
  for (const l of lines) {
    const r = p.push(l);
    if (r) out.push(r);
  }
  return out;
}

const EHLO = Buffer.from(
  '250-mail.test Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n' +
    '550 5.1.1 <x@y>: Recipient address rejected\r\n220 ready\r\n',
);

describe('SmtpReplyParser', () => {
  it('frames multi-line and single-line replies', () => {
    const replies = parseAll(linesFromChunks([EHLO]));
    expect(replies.map((r) => r.code)).toEqual([250, 550, 220]);
    expect(replies[0]!.lines).toEqual(['mail.test Hello', 'PIPELINING', 'SIZE 10240000', 'ENHANCEDSTATUSCODES', '8BITMIME']);
    expect(replies[1]!.enhanced).toBe('5.1.1');
    expect(replies[0]!.enhanced).toBeUndefined();
    expect(replies[0]!.anomalies).toEqual([]);
  });

  it('gives the same replies however the stream is split', () => {
    const whole = parseAll(linesFromChunks([EHLO]));
    for (const chunks of twoWaySplits(EHLO)) expect(parseAll(linesFromChunks(chunks))).toEqual(whole);
    expect(parseAll(linesFromChunks(byteChunks(EHLO)))).toEqual(whole);
  });

  it('accepts a bare code as a final line (RFC 5321 §4.2)', () => {
    const [r] = parseAll([Buffer.from('250\r\n')]);
    expect(r).toMatchObject({ code: 250, lines: [''] });
  });

  it('reports bare LF and code mismatch as anomalies, not errors', () => {
    const [r] = parseAll([Buffer.from('250-a\n'), Buffer.from('251 b\r\n')]);
    expect(r!.code).toBe(251);
    expect([...r!.anomalies].sort()).toEqual(['bare-lf', 'code-mismatch']);
  });

  it.each([['hello\r\n'], ['25\r\n'], ['2500 x\r\n'], ['150 x\r\n'], ['650 x\r\n'], ['250_x\r\n'], ['\r\n']])(
    'rejects %j with EPROTOCOL',
    (line) => {
      const p = new SmtpReplyParser(DEFAULT_LIMITS);
      let caught: unknown;
      try {
        p.push(Buffer.from(line));
      } catch (e) {
        caught = e;
      }
      expect(isMailprobeError(caught, 'EPROTOCOL')).toBe(true);
    },
  );

  it('bounds the number of lines in one reply', () => {
    const p = new SmtpReplyParser({ maxReplyLines: 3, maxReplyBytes: 1e6 });
    p.push(Buffer.from('250-a\r\n'));
    p.push(Buffer.from('250-a\r\n'));
    p.push(Buffer.from('250-a\r\n'));
    expect(() => p.push(Buffer.from('250-a\r\n'))).toThrow(/reply line count exceeded/);
  });

  it('never throws anything but a classified error on random lines', () => {
    fc.assert(smtpProperties.replyParser(), { numRuns: 300 });
  });
});
