import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, transcriptText, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const TOKEN = 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg';
const B64 = Buffer.from(`user=alice@example.com\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64');
const ERROR = Buffer.from('{"status":"401","schemes":"bearer"}').toString('base64');

describe('AUTH XOAUTH2', () => {
  it('logs in with the token and keeps it out of the transcript', async () => {
    server = await fakePop3((line) => (line === `AUTH XOAUTH2 ${B64}` ? '+OK\r\n' : '-ERR\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect((await pop.authXoauth2('alice@example.com', TOKEN)).ok).toBe(true);
    const text = transcriptText(pop.transcript());
    expect(text).toContain('C: AUTH XOAUTH2 ***');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(B64.slice(0, 16));
    pop.destroy();
  });

  it('answers the error challenge with an empty line and returns the final -ERR', async () => {
    server = await fakePop3((line) => (line === '' ? '-ERR [AUTH] invalid token\r\n' : `+ ${ERROR}\r\n`));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const reply = await pop.authXoauth2('alice@example.com', TOKEN);
    expect(reply).toMatchObject({ ok: false, code: 'AUTH', challenges: [ERROR] });
    expect(server.received).toEqual([`AUTH XOAUTH2 ${B64}`, '']);
    pop.destroy();
  });
});
