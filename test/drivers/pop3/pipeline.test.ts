import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { scriptServer, type ScriptServer } from '../../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('pipelining (RFC 2449 §6.6)', () => {
  it('sends STAT, LIST, NOOP in one write and reads the replies in order', async () => {
    const chunks: string[] = [];
    server = await scriptServer((socket) => {
      socket.write('+OK ready\r\n');
      let seen = '';
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk.toString('latin1'));
        seen += chunk.toString('latin1');
        // Answer only once all three commands are in, all at once: replies in one segment
        // exercise reading several responses out of one buffer.
        if (seen === 'STAT\r\nLIST\r\nNOOP\r\n') socket.write('+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n..2 200\r\n.\r\n+OK noop\r\n');
      });
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const [stat, list, noop] = await pop.pipeline(['STAT', 'LIST', 'NOOP']);
    expect(chunks).toEqual(['STAT\r\nLIST\r\nNOOP\r\n']);
    expect(stat).toMatchObject({ ok: true, text: '2 320' });
    expect(list?.lines?.map((l) => l.toString())).toEqual(['1 120\r\n', '.2 200\r\n']);
    expect(noop).toMatchObject({ ok: true, text: 'noop' });
    expect(noop?.lines).toBeUndefined();
    expect(stat?.timing.startedAt).toBe(noop?.timing.startedAt);
    expect(stat?.timing.bytesOut).toBe(6);
    pop.destroy();
  });

  it('reads no body after an -ERR and honours explicit multi-line flags', async () => {
    server = await scriptServer((socket) => {
      socket.write('+OK ready\r\n');
      socket.once('data', () => socket.write('-ERR no\r\n+OK\r\nx\r\n.\r\n+OK\r\n'));
    });
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    const replies = await pop.pipeline(['RETR 9', { command: 'XLIST', multiline: true }, 'NOOP']);
    expect(replies.map((r) => r.status)).toEqual(['err', 'ok', 'ok']);
    expect(replies[1]?.lines?.map(String)).toEqual(['x\r\n']);
    pop.destroy();
  });
});
