import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a literal announced larger than limits.maxLiteralBytes', () => {
  it('fails with ELIMIT before reading it (a 2 GB announcement) and drops the connection', async () => {
    server = await fakeImap({
      handler: (_cmd, io) => io.write('* 1 FETCH (BODY[] {2147483648}\r\nxxxxxxxx'),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const err = (await c.fetch('1', 'BODY[]').catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect(err.context.detail).toMatchObject({ limit: 'maxLiteralBytes', seen: 2147483648 });
    expect(err.context.command).toBe('FETCH 1 BODY[]');
    expect(c.state).toBe('closed');
  });

  it('honours a lower limit given at connect', async () => {
    server = await fakeImap({
      handler: (cmd, io) => io.write(`* 1 FETCH (BODY[] {2000}\r\n${'x'.repeat(2000)})\r\n${cmd.tag} OK\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, limits: { maxLiteralBytes: 1024 } });
    const err = await c.fetch('1', 'BODY[]').catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
  });
});
