import { describe, expect, it } from 'vitest';
import { arrivedIntact, firstDifference, interopMessage } from '../../suites/interop/message.js';

describe('interop message comparison', () => {
  const sent = interopMessage('abc', 'a@x.test', 'b@x.test', new Date('2026-11-26T10:00:00Z'));

  it('accepts trace headers prepended by the servers', () => {
    expect(arrivedIntact(sent, Buffer.concat([Buffer.from('Return-Path: <a@x.test>\r\nReceived: by mx\r\n'), sent]))).toBe(true);
  });

  it('catches a lost dot, a re-encoded 8-bit line and a folded long line', () => {
    const text = sent.toString('utf8');
    for (const broken of [text.replace('\r\n..two dots', '\r\n.two dots'), text.replace('Grüße', 'Gr=C3=BC=C3=9Fe'), text.replace('xxxxx\r\nend', 'xx\r\n xxx\r\nend')]) {
      const stored = Buffer.from(broken, 'utf8');
      expect(arrivedIntact(sent, stored)).toBe(false);
      expect(firstDifference(sent, stored)).toMatch(/difference|shorter/);
    }
  });

  it('has a 998-octet line, dot lines and 8-bit text', () => {
    const lines = sent.toString('utf8').split('\r\n');
    expect(lines.some((l) => Buffer.byteLength(l) === 998)).toBe(true);
    expect(lines).toContain('.');
    expect(/[^\x00-\x7f]/.test(sent.toString('utf8'))).toBe(true);
  });
});
