import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, transcriptText, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PASSWORD = 'correct horse';
const B64 = Buffer.from(`\0alice\0${PASSWORD}`).toString('base64');

function assertRedacted(pop: Pop3Client): void {
  const text = transcriptText(pop.transcript());
  expect(text).not.toContain(B64);
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(B64.slice(0, 12));
}

describe('AUTH PLAIN (RFC 5034, RFC 4616)', () => {
  it('sends the initial response on the AUTH line and shows AUTH PLAIN ***', async () => {
    server = await fakePop3((line) => (line === `AUTH PLAIN ${B64}` ? '+OK welcome\r\n' : '-ERR\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.authPlain('alice', PASSWORD);
    expect(reply).toMatchObject({ ok: true, challenges: [] });
    expect(pop.state).toBe('transaction');
    expect(transcriptText(pop.transcript())).toContain('C: AUTH PLAIN ***');
    assertRedacted(pop);
    pop.destroy();
  });

  it('answers the "+ " continuation when the initial response is not used', async () => {
    server = await fakePop3((line) => {
      if (line === 'AUTH PLAIN') return '+ \r\n';
      if (line === B64) return '+OK welcome\r\n';
      return '-ERR\r\n';
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.authPlain('alice', PASSWORD, { initialResponse: false });
    expect(reply).toMatchObject({ ok: true, challenges: [''] });
    expect(server.received).toEqual(['AUTH PLAIN', B64]);
    expect(pop.state).toBe('transaction');
    expect(transcriptText(pop.transcript())).toMatch(/C: AUTH PLAIN\nS: \+ \nC: \*\*\*\n/);
    assertRedacted(pop);
    pop.destroy();
  });

  it('cancels with "*" when the server challenges after the credentials', async () => {
    server = await fakePop3((line) => (line === '*' ? '-ERR [AUTH] cancelled\r\n' : '+ more?\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.authPlain('alice', PASSWORD);
    expect(reply).toMatchObject({ ok: false, code: 'AUTH', challenges: ['more?'] });
    expect(server.received[1]).toBe('*');
    expect(pop.state).toBe('authorization');
    pop.destroy();
  });
});
