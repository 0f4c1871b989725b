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

describe('limits.maxReplyBytes for all one command collects', () => {
  const LINE = `* OK ${'x'.repeat(40)}\r\n`;

  it('fails a command whose responses together pass the cap with ELIMIT and gives the connection up', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${LINE.repeat(40)}${cmd.tag} OK done\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port, limits: { maxReplyBytes: 1000 } });
    const err = (await c.noop().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect(err.context.detail).toMatchObject({ limit: 'maxReplyBytes', max: 1000 });
    expect(err.context.command).toBe('NOOP');
    expect(c.state).toBe('closed');
  });

  it('accepts responses that together stay under the cap', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${LINE.repeat(15)}${cmd.tag} OK done\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port, limits: { maxReplyBytes: 1000 } });
    expect((await c.noop()).untagged).toHaveLength(15);
    await c.close();
  });

  it('counts everything an IDLE session accumulates', async () => {
    server = await fakeImap({ handler: (_cmd, io) => io.write(`+ idling\r\n${'* 1 EXISTS\r\n'.repeat(100)}`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port, limits: { maxReplyBytes: 1000 } });
    const start = await c.idle();
    if (!start.started) throw new Error('not started');
    const events: string[] = [];
    const err = (await (async () => {
      for (;;) {
        const e = await start.session.next(500);
        events.push(e.kind);
        if (e.kind !== 'untagged') return e;
      }
    })().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ELIMIT')).toBe(true);
    expect(err.context).toMatchObject({ command: 'IDLE', detail: { limit: 'maxReplyBytes' } });
    expect(events.length).toBeLessThan(100);
    expect(c.state).toBe('closed');
  });
});
