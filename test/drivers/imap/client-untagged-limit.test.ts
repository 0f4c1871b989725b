import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('limits.maxUntagged', () => {
  it('fails a command that collects more untagged responses with ELIMIT', async () => {
    server = await fakeImap({
      handler: (cmd, io) => io.write(`${'* 1 EXISTS\r\n'.repeat(11)}${cmd.tag} OK done\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, limits: { maxUntagged: 10 } });
    const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect(err.context.detail).toMatchObject({ limit: 'maxUntagged', max: 10 });
    expect(err.context.command).toBe('NOOP');
    expect(c.state).toBe('closed');
  });

  it('accepts exactly the limit', async () => {
    server = await fakeImap({
      handler: (cmd, io) => io.write(`${'* 1 EXISTS\r\n'.repeat(10)}${cmd.tag} OK done\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, limits: { maxUntagged: 10 } });
    expect((await c.noop()).untagged).toHaveLength(10);
    await c.close();
  });
});
