import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { scriptServer, type ScriptServer } from '../../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('greeting failures', () => {
  it('a silent server fails with ETIMEDOUT in the greeting phase', async () => {
    server = await scriptServer(() => {});
    const started = Date.now();
    const err = await Pop3Client.connect({ host: server.host, port: server.port, timeouts: { greetingMs: 200 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', context: { phase: 'greeting' } });
    expect((err as Error).message).toMatch(/greeting/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('another protocol greeting fails with EPROTOCOL carrying the line', async () => {
    server = await scriptServer((s) => {
      s.write('220 mx.example.org ESMTP\r\n');
    });
    const err = await Pop3Client.connect({ host: server.host, port: server.port }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EPROTOCOL', context: { phase: 'greeting', response: '220 mx.example.org ESMTP' } });
  });
});
