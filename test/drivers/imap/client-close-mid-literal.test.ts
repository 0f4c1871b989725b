import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a server that closes in the middle of a literal', () => {
  it('fails the command with ECLOSED at once, not at the deadline', async () => {
    server = await fakeImap({
      handler: (_cmd, io) => {
        io.write('* 1 FETCH (BODY[] {1000}\r\nonly forty bytes of the thousand announced');
        io.end();
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 5000 } });
    const started = Date.now();
    const err = (await c.fetch('1', 'BODY[]').catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ECLOSED')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.context.command).toBe('FETCH 1 BODY[]');
    expect(c.state).toBe('closed');
  });
});
