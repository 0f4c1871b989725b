import { afterEach, describe, expect, it } from 'vitest';
import { dotStuff, Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, transcriptText, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Lines starting with ".", a line that is just ".", 8-bit bytes (UTF-8 and invalid), NUL, a
// bare CR inside a line.
const MESSAGE = Buffer.concat([
  Buffer.from('From: a@example.org\r\nSubject: d\u00e9j\u00e0 vu\r\n\r\n', 'utf8'),
  Buffer.from('.\r\n..two\r\n.one\r\nraw \xff\xfe\x00 bytes\r\ncr\rinside\r\n', 'latin1'),
]);

describe('RETR', () => {
  it('returns the message byte for byte, unstuffed, and summarises the body in the transcript', async () => {
    server = await fakePop3((line) => {
      if (line === 'RETR 1') return Buffer.concat([Buffer.from(`+OK ${MESSAGE.length} octets\r\n`), dotStuff(MESSAGE)]);
      return '-ERR no such message\r\n';
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.retr(1);
    expect(reply.ok).toBe(true);
    expect(reply.message?.equals(MESSAGE)).toBe(true);
    expect(reply.body).toMatchObject({ lines: 8, contentBytes: MESSAGE.length, unstuffedDotLines: 0, bareLfLines: 0 });
    expect(reply.timing.bytesIn).toBe(Buffer.byteLength(`+OK ${MESSAGE.length} octets\r\n`) + dotStuff(MESSAGE).length);
    const text = transcriptText(pop.transcript());
    expect(text).toContain(`S: +OK ${MESSAGE.length} octets`);
    expect(text).toMatch(/I: \(body: \d+ bytes in 8 lines/);
    expect(text).not.toContain('From: a@example.org');
    const missing = await pop.retr(9);
    expect(missing).toMatchObject({ ok: false, message: undefined, text: 'no such message' });
    pop.destroy();
  });

  it('TOP returns the header part the same way', async () => {
    server = await fakePop3(() => Buffer.concat([Buffer.from('+OK\r\n'), dotStuff(Buffer.from('Subject: x\r\n\r\n'))]));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.top(1, 0);
    expect(reply.message?.toString()).toBe('Subject: x\r\n\r\n');
    expect(server.received).toEqual(['TOP 1 0']);
    pop.destroy();
  });
});
