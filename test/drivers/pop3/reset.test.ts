import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('connection reset in the middle of a multi-line response', () => {
  it('fails with ECLOSED naming the command, and the client is closed', async () => {
    server = await fakePop3((_line, { socket }) => {
      socket.write('+OK 300 octets\r\nSubject: half\r\n\r\nsome bo', () => socket.resetAndDestroy());
      return undefined;
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const err = await pop.retr(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECLOSED', context: { command: 'RETR 1', phase: 'command' } });
    expect(pop.state).toBe('closed');
  });
});
