import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a command the server does not answer in time', () => {
  it('fails with ETIMEDOUT in phase command and keeps the connection when nothing was half read', async () => {
    server = await fakeImap({ handler: () => {} });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 150 } });
    const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(err.context).toMatchObject({ phase: 'command', command: 'NOOP' });
    expect(c.transport.closed).toBe(false);
    await c.close();
  });

  it('gives the connection up when the deadline passes inside a literal (framing is lost)', async () => {
    server = await fakeImap({ handler: (_cmd, io) => io.write('* 1 FETCH (BODY[] {100}\r\nonly part') });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 150 } });
    const err = await c.fetch('1', 'BODY[]').catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(c.state).toBe('closed');
  });
});
