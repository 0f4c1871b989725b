import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('cancellation', () => {
  it('aborting the run signal fails the pending command with EABORTED and closes the connection', async () => {
    server = await fakeImap({ handler: () => {} });
    const controller = new AbortController();
    const c = await ImapClient.connect({ host: server.host, port: server.port, signal: controller.signal });
    const pending = c.noop().catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('SIGINT')), 20);
    const err = await pending;
    expect(isMailprobeError(err, 'EABORTED')).toBe(true);
    expect(c.state).toBe('closed');
  });
});
