import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('garbage replies', () => {
  it('a reply that is not a status line is EPROTOCOL with the command and the bytes', async () => {
    server = await fakePop3(() => '+ok lower case\r\n');
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const err = await pop.noop().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EPROTOCOL', context: { command: 'NOOP', response: '+ok lower case' } });
    pop.destroy();
  });
});
