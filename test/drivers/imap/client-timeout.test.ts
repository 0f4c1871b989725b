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
  it('fails with ETIMEDOUT in phase command and gives the connection up (the tag is still outstanding)', async () => {
    server = await fakeImap({ handler: () => {} });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 150 } });
    const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(err.context).toMatchObject({ phase: 'command', command: 'NOOP' });
    expect(c.transport.closed).toBe(true);
    expect(isMailprobeError(await c.noop().catch((e: unknown) => e), 'ECLOSED')).toBe(true);
  });

  it('a late completion cannot be taken for a later command: those fail fast with ECLOSED', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        if (cmd.tag === 'A1') await io.ctx.sleep(300);
        io.write(`${cmd.tag} OK ${cmd.tag} done\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 150 } });
    expect(isMailprobeError(await c.noop().catch((e: unknown) => e), 'ETIMEDOUT')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
      expect(err.code).toBe('ECLOSED');
    }
    expect(Date.now() - started).toBeLessThan(100);
    expect(c.state).toBe('closed');
  });

  it('gives the connection up when the deadline passes inside a literal (framing is lost)', async () => {
    server = await fakeImap({ handler: (_cmd, io) => io.write('* 1 FETCH (BODY[] {100}\r\nonly part') });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 150 } });
    const err = await c.fetch('1', 'BODY[]').catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(c.state).toBe('closed');
  });
});
