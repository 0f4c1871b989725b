import { describe, expect, it } from 'vitest';
import { buildTemplate, SlotMessage, TemplateCache } from '../../suites/bench/message.js';
import { rawMessage } from '../../suites/bench/raw-message.js';

describe('bench messages', () => {
  const t = buildTemplate({ from: 'a@x.test', rcpt: ['b@x.test', 'c@x.test'], sizeBytes: 1024, runId: 'abc123' });

  it('is about the asked size, dot-stuffed and terminated, followed by the envelope', () => {
    const text = t.bytes.toString('latin1');
    const body = text.slice(0, t.bodyLength);
    expect(body.endsWith('\r\n.\r\n')).toBe(true);
    expect(t.bodyLength).toBeGreaterThanOrEqual(1024);
    expect(t.bodyLength).toBeLessThanOrEqual(1024 + 8);
    expect(body).not.toMatch(/\r\n\.[^\r.]/);
    expect(text.slice(t.bodyLength)).toBe('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n');
    expect(body).toMatch(/^Message-ID: <abc123\.000-00000-000000000000@mailprobe\.invalid>\r\n/);
  });

  it('gives every message of a slot its own Message-ID, in place, with no new buffer', () => {
    const m = new SlotMessage(2, 17);
    m.load(t);
    const body = m.body;
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      m.next();
      ids.add(m.messageId());
    }
    expect(ids.size).toBe(1000);
    expect(m.messageId()).toBe('<abc123.002-00017-000000001000@mailprobe.invalid>');
    expect(m.body).toBe(body);
    expect(m.body.toString('latin1')).toContain('000000001000@');
    // The sequence continues when the slot loads a template for its next session.
    m.load(t);
    m.next();
    expect(m.messageId()).toBe('<abc123.002-00017-000000001001@mailprobe.invalid>');
  });

  it('offers the envelope, the body and both, as views of one buffer', () => {
    const m = new SlotMessage(0, 0);
    m.load(t);
    expect(m.bodyAndEnvelope.length).toBe(m.body.length + m.envelope.length);
    expect(m.bodyAndEnvelope.buffer).toBe(m.body.buffer);
    expect(m.commands.map((c) => c.toString('latin1'))).toEqual(['MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@x.test>\r\n', 'RCPT TO:<c@x.test>\r\n', 'DATA\r\n']);
  });

  it('can end a body with QUIT instead of the next envelope, and puts the envelope back', () => {
    const m = new SlotMessage(0, 1);
    m.load(t);
    m.next();
    expect(m.bodyAndQuit().toString('latin1')).toMatch(/\r\n\.\r\nQUIT\r\n$/);
    m.next();
    expect(m.bodyAndEnvelope.toString('latin1').slice(m.body.length)).toBe('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n');
    expect(m.messageId()).toBe('<abc123.000-00001-000000000002@mailprobe.invalid>');
  });

  it('puts the envelope back when the next session loads the same template after a QUIT', () => {
    const m = new SlotMessage(0, 1);
    m.load(t);
    m.next();
    m.bodyAndQuit();
    // A new session: its envelope goes out before its first next().
    m.load(t);
    expect(m.envelope.toString('latin1')).toBe('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n');
    expect(m.commands[0]!.toString('latin1')).toBe('MAIL FROM:<a@x.test>\r\n');
    m.next();
    expect(m.messageId()).toBe('<abc123.000-00001-000000000002@mailprobe.invalid>');
  });

  it('builds each envelope template once', () => {
    const cache = new TemplateCache({ sizeBytes: 10 * 1024, runId: 'r' });
    expect(cache.get('a@x', ['b@x'])).toBe(cache.get('a@x', ['b@x']));
    expect(cache.get('a@x', ['b@x'])).not.toBe(cache.get('a@x', ['c@x']));
    // The same recipients array again (fixed --rcpt), and then another sender with it.
    const rcpt = ['d@x'];
    const first = cache.get('a@x', rcpt);
    expect(cache.get('a@x', rcpt)).toBe(first);
    expect(cache.get('z@x', rcpt)).not.toBe(first);
    expect(cache.get('z@x', rcpt).bytes.toString('latin1')).toContain('MAIL FROM:<z@x>');
    expect(cache.get('a@x', ['b@x']).bodyLength).toBeGreaterThanOrEqual(10 * 1024);
  });

  it('makes an APPEND message of the asked size', () => {
    const raw = rawMessage({ sizeBytes: 10 * 1024, runId: 'r', clientName: 'mailprobe.invalid' });
    expect(raw.length).toBeGreaterThan(10 * 1024 - 80);
    expect(raw.length).toBeLessThanOrEqual(10 * 1024);
    expect(raw.toString('latin1')).toMatch(/^Message-ID: <r\.append@mailprobe\.invalid>/);
  });
});
