import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('size limits on the wire', () => {
  it('a 10 MB line inside a RETR body fails with ELIMIT and closes the connection', async () => {
    server = await fakePop3(() => Buffer.concat([Buffer.from('+OK\r\n'), Buffer.alloc(10 * 1024 * 1024, 0x61), Buffer.from('\r\n.\r\n')]));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const err = await pop.retr(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ELIMIT', context: { detail: { limit: 'maxLineBytes' }, command: 'RETR 1' } });
    expect(pop.state).toBe('closed');
  });

  it('a body over maxReplyBytes fails with ELIMIT and closes the connection', async () => {
    server = await fakePop3(() => `+OK\r\n${'0123456789\r\n'.repeat(200)}.\r\n`);
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, limits: { maxReplyBytes: 1000 } });
    const err = await pop.retr(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ELIMIT', context: { detail: { limit: 'maxReplyBytes', max: 1000 }, command: 'RETR 1' } });
    expect(pop.state).toBe('closed');
  });
});
