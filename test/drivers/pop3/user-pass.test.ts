import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, transcriptText, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PASSWORD = 'hunter2-s3cret';

describe('USER / PASS', () => {
  it('logs in, shows PASS *** in the transcript and moves to transaction', async () => {
    server = await fakePop3((line) => {
      if (line === 'USER alice') return '+OK alice\r\n';
      if (line === `PASS ${PASSWORD}`) return '+OK logged in\r\n';
      return '-ERR\r\n';
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect((await pop.user('alice')).ok).toBe(true);
    expect(pop.state).toBe('authorization');
    expect((await pop.pass(PASSWORD)).ok).toBe(true);
    expect(pop.state).toBe('transaction');
    const text = transcriptText(pop.transcript());
    expect(text).toContain('C: USER alice');
    expect(text).toContain('C: PASS ***');
    expect(text).not.toContain(PASSWORD);
    pop.destroy();
  });

  it('returns a refused PASS as data and stays in authorization', async () => {
    server = await fakePop3((line) => (line.startsWith('PASS') ? '-ERR [AUTH] invalid login\r\n' : '+OK\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    await pop.user('alice');
    const reply = await pop.pass('wrong');
    expect(reply).toMatchObject({ ok: false, status: 'err', code: 'AUTH', text: '[AUTH] invalid login' });
    expect(pop.state).toBe('authorization');
    pop.destroy();
  });
});
