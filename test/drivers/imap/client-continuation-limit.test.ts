import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { literal } from '../../../drivers/imap/command-encoder.js';
import { MAX_SASL_STEPS } from '../../../drivers/imap/commands/auth.js';
import { MAX_CONTINUATIONS } from '../../../drivers/imap/connection.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const CHALLENGE = Buffer.from('{"status":"401"}').toString('base64');
/** The fault server gives up after this many rounds, so the unfixed client fails instead of hanging. */
const SERVER_ROUNDS = 200;

describe('a server that answers every client line with "+"', () => {
  it('AUTHENTICATE cancels with "*" after MAX_SASL_STEPS answers and returns the BAD as data (RFC 9051 §6.2.2)', async () => {
    const answers: string[] = [];
    server = await fakeImap({
      handler: async (cmd, io) => {
        if (cmd.name !== 'AUTHENTICATE') return io.write(`${cmd.tag} OK\r\n`);
        for (let i = 0; i < SERVER_ROUNDS; i++) {
          io.write(`+ ${CHALLENGE}\r\n`);
          const line = await io.readLine();
          answers.push(line);
          if (line === '*\r\n') return io.write(`${cmd.tag} BAD [CLIENTBUG] authentication cancelled\r\n`);
        }
        io.write(`${cmd.tag} NO gave up first\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.authenticateXoauth2('bob', 'token');
    expect(r).toMatchObject({ status: 'BAD', code: { name: 'CLIENTBUG' } });
    // The initial response went inline (SASL-IR): every "+" was a challenge, answered with an empty line.
    expect(answers).toEqual([...Array<string>(MAX_SASL_STEPS).fill('\r\n'), '*\r\n']);
    expect(r.challenges).toHaveLength(MAX_SASL_STEPS + 1);
    // The exchange ended cleanly: the connection is still in step.
    expect((await c.noop()).status).toBe('OK');
    await c.close();
  });

  it('AUTHENTICATE fails with EPROTOCOL and gives the connection up when "+" keeps coming after the cancel', async () => {
    const answers: string[] = [];
    server = await fakeImap({
      handler: async (cmd, io) => {
        for (let i = 0; i < SERVER_ROUNDS; i++) {
          io.write(`+ ${CHALLENGE}\r\n`);
          answers.push(await io.readLine());
        }
        io.write(`${cmd.tag} NO gave up first\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const started = Date.now();
    const err = (await c.authenticateXoauth2('bob', 'token').catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(err.message).toMatch(/continuation requests/);
    expect(err.context.command).toBe('AUTHENTICATE XOAUTH2 ***');
    expect(c.state).toBe('closed');
    expect(answers).toEqual([...Array<string>(MAX_SASL_STEPS).fill('\r\n'), '*\r\n']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a command with its own continuation handler is given up after MAX_CONTINUATIONS answers', async () => {
    let answers = 0;
    server = await fakeImap({
      handler: async (cmd, io) => {
        for (let i = 0; i < SERVER_ROUNDS; i++) {
          io.write('+ more\r\n');
          await io.readLine();
          answers++;
        }
        io.write(`${cmd.tag} OK done\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const err = await c.command('XSTEP', [], { onContinuation: () => 'again' }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(c.state).toBe('closed');
    expect(answers).toBe(MAX_CONTINUATIONS);
  });

  it('pipeline: a "+" flood fails with EPROTOCOL at the first request no literal is waiting for', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${'+ go\r\n'.repeat(10_000)}${cmd.tag} OK done\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const err = (await c.pipeline([{ name: 'NOOP' }]).catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(err.context).toMatchObject({ command: 'NOOP', response: '+ go' });
    expect(c.state).toBe('closed');
  });

  it('pipeline: the go-ahead for a synchronising literal written without waiting is still taken', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} OK [APPENDUID 1 7] stored\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port, literalPlus: 'never' });
    const [append, noop] = await c.pipeline([{ name: 'APPEND', args: ['INBOX', literal('hello')] }, { name: 'NOOP' }]);
    expect(append).toMatchObject({ status: 'OK', continuations: [{ text: 'go ahead' }] });
    expect(noop).toMatchObject({ status: 'OK', continuations: [] });
    expect(server.received[0]!.literals.map((b) => b.toString())).toEqual(['hello']);
    await c.close();
  });
});
