import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { fakePop3, type FakePop3 } from './fake-server.js';

let server: FakePop3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ANSWERS: Record<string, string> = {
  STAT: '+OK 2 320\r\n',
  LIST: '+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n',
  'LIST 2': '+OK 2 200\r\n',
  'LIST 3': '-ERR no such message, only 2 messages in maildrop\r\n',
  UIDL: '+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n',
  'UIDL 2': '+OK 2 QhdPYR:00WBw1Ph7x7\r\n',
  CAPA: '+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\nPIPELINING\r\nUIDL\r\n.\r\n',
  'DELE 1': '+OK message 1 deleted\r\n',
  RSET: '+OK\r\n',
  NOOP: '+OK\r\n',
};

describe('maildrop commands', () => {
  it('parses STAT, LIST, LIST n, UIDL, UIDL n and CAPA', async () => {
    server = await fakePop3((line) => ANSWERS[line] ?? '-ERR unknown\r\n');
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect((await pop.stat()).drop).toEqual({ count: 2, octets: 320 });
    expect((await pop.list()).entries).toEqual([
      { msg: 1, octets: 120 },
      { msg: 2, octets: 200 },
    ]);
    expect((await pop.list(2)).entries).toEqual([{ msg: 2, octets: 200 }]);
    expect(await pop.list(3)).toMatchObject({ ok: false, entries: [], invalid: [] });
    expect((await pop.uidl()).entries.map((e) => e.uid)).toEqual(['whqtswO00WBw418f9t5JxYwZ', 'QhdPYR:00WBw1Ph7x7']);
    expect((await pop.uidl(2)).entries).toEqual([{ msg: 2, uid: 'QhdPYR:00WBw1Ph7x7' }]);
    const capa = await pop.capa();
    expect(capa.capabilities.get('SASL')).toEqual(['PLAIN']);
    expect(pop.capabilities?.has('PIPELINING')).toBe(true);
    expect((await pop.dele(1)).ok).toBe(true);
    expect((await pop.rset()).ok).toBe(true);
    expect((await pop.noop()).ok).toBe(true);
    pop.destroy();
  });
});
