import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('garbage instead of a response', () => {
  it.each([
    ['binary bytes', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x0d, 0x0a])],
    ['an HTML page', Buffer.from('<html><body>502 Bad Gateway</body></html>\r\n')],
    ['an unbalanced FETCH', Buffer.from('* 1 FETCH (UID 5 FLAGS (\\Seen)\r\n')],
  ])('fails the command with EPROTOCOL carrying the command and the bytes: %s', async (_what, bytes) => {
    server = await fakeImap({ handler: (_cmd, io) => io.write(bytes) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(err.context.command).toBe('NOOP');
    expect(err.context.response).toBeTypeOf('string');
    expect(err.context.transcript?.some((e) => e.dir === 'C' && e.text === 'A1 NOOP')).toBe(true);
    await c.close();
  });

  it('fails with EPROTOCOL on a completion for a tag that was never sent', async () => {
    server = await fakeImap({ handler: (_cmd, io) => io.write('Z9 OK whose?\r\n') });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(err.message).toMatch(/"Z9" while waiting for "A1"/);
    // Out of step: A1's own completion may still come, so the connection is given up.
    expect(c.state).toBe('closed');
    expect(isMailprobeError(await c.noop().catch((e: unknown) => e), 'ECLOSED')).toBe(true);
  });

  it('fails with EPROTOCOL on a continuation request nobody asked for', async () => {
    server = await fakeImap({ handler: (_cmd, io) => io.write('+ send more\r\n') });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const err = await c.noop().catch((e: unknown) => e);
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    await c.close();
  });
});
