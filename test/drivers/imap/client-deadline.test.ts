import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { literal } from '../../../drivers/imap/command-encoder.js';
import { scriptServer, type ScriptServer } from '../../helpers/script-server.js';
import { fakeImap, type FakeImap, type ServerIo } from './fake-imap.js';

let server: FakeImap | ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const COMMAND_MS = 200;
const TICK_MS = 60;

/** One untagged line every TICK_MS, each well inside COMMAND_MS, `n` times. */
async function drip(io: ServerIo, n: number, line = '* OK tick'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await io.ctx.sleep(TICK_MS);
    io.write(`${line}\r\n`);
  }
}

function expectBudgetSpent(err: unknown, started: number, budgetMs = COMMAND_MS): void {
  expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
  expect((err as MailprobeError).message).toContain(`within ${budgetMs} ms`);
  // One budget for the command, not one per response (the drip runs for 20 × 60 ms).
  expect(Date.now() - started).toBeLessThan(budgetMs + 400);
}

describe('one deadline per command, not per response', () => {
  it('run: untagged data dripped just under the deadline cannot hold a command past its budget', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        await drip(io, 20);
        io.write(`${cmd.tag} OK done\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: COMMAND_MS } });
    const started = Date.now();
    const err = await c.noop().catch((e: unknown) => e);
    expectBudgetSpent(err, started);
    expect((err as MailprobeError).context).toMatchObject({ phase: 'command', command: 'NOOP' });
    expect(c.state).toBe('closed');
  });

  it('run: the wait for a literal go-ahead and the wait for the completion share one budget', async () => {
    // Each half (4 ticks, 240 ms) fits in 300 ms; together they do not.
    const budgetMs = 300;
    server = await scriptServer(async (socket, ctx) => {
      socket.write('* OK [CAPABILITY IMAP4rev1] ready\r\n');
      const tag = (await ctx.readLine(socket)).split(' ')[0]!;
      for (let i = 0; i < 4; i++) {
        await ctx.sleep(TICK_MS);
        socket.write('* OK waiting\r\n');
      }
      socket.write('+ go ahead\r\n');
      await ctx.readLine(socket);
      for (let i = 0; i < 4; i++) {
        await ctx.sleep(TICK_MS);
        socket.write('* OK storing\r\n');
      }
      socket.write(`${tag} OK stored\r\n`);
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, literalPlus: 'never', timeouts: { commandMs: budgetMs } });
    const started = Date.now();
    const err = await c.command('APPEND', ['INBOX', literal('hello')]).catch((e: unknown) => e);
    expectBudgetSpent(err, started, budgetMs);
    expect(c.state).toBe('closed');
  });

  it('pipeline: one deadline for the batch, from its write', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        await drip(io, 20);
        io.write(`${cmd.tag} OK done\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: COMMAND_MS } });
    const started = Date.now();
    const err = await c.pipeline([{ name: 'NOOP' }]).catch((e: unknown) => e);
    expectBudgetSpent(err, started);
    expect(c.state).toBe('closed');
  });

  it('IDLE: one deadline for the "+" however the server drips data before it', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        await drip(io, 20, '* 1 EXISTS');
        io.write('+ idling\r\n');
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: COMMAND_MS } });
    const started = Date.now();
    const err = await c.idle().catch((e: unknown) => e);
    expectBudgetSpent(err, started);
    expect(c.state).toBe('closed');
  });

  it('IDLE done(): one deadline from DONE to the completion', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        if (cmd.name !== 'IDLE') return io.write(`${cmd.tag} OK\r\n`);
        io.write('+ idling\r\n');
        await io.readLine();
        await drip(io, 20, '* 1 EXISTS');
        io.write(`${cmd.tag} OK Idle completed\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: COMMAND_MS } });
    const start = await c.idle();
    if (!start.started) throw new Error('not started');
    // A wait with nothing pushed is not an error: the connection stays open.
    expect(await start.session.next(30)).toEqual({ kind: 'timeout' });
    expect(c.state).not.toBe('closed');
    const started = Date.now();
    const err = await start.session.done().catch((e: unknown) => e);
    expectBudgetSpent(err, started);
    expect((err as MailprobeError).context.command).toBe('IDLE');
    expect(c.state).toBe('closed');
  });
});
