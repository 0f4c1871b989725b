import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { fakeImap, transcriptText, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PASSWORD = 'hunter2-secret';
const PLAIN_B64 = Buffer.from(`\0bob\0${PASSWORD}`).toString('base64');
const TOKEN = 'ya29.a0AfH6SMBx-token';
const XOAUTH_B64 = Buffer.from(`user=bob\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64');

function leaks(text: string, ...secrets: string[]): string[] {
  return secrets.filter((s) => text.includes(s));
}

describe('AUTHENTICATE', () => {
  it('PLAIN with SASL-IR sends the initial response inline and shows *** (RFC 4959)', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} OK Logged in\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.authenticatePlain('bob', PASSWORD);
    expect(r.status).toBe('OK');
    expect(server.received[0]!.line).toBe(`A1 AUTHENTICATE PLAIN ${PLAIN_B64}`);
    const text = transcriptText(c.transport.snapshot());
    expect(text).toContain('C: A1 AUTHENTICATE PLAIN ***');
    expect(leaks(text + JSON.stringify(r.display), PASSWORD, PLAIN_B64)).toEqual([]);
    expect(c.state).toBe('authenticated');
    await c.close();
  });

  it('PLAIN without SASL-IR waits for "+" and sends the response as a hidden line', async () => {
    server = await fakeImap({
      greeting: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no sasl-ir',
      handler: async (cmd, io) => {
        io.write('+ \r\n');
        const answer = await io.readLine();
        io.write(answer === `${PLAIN_B64}\r\n` ? `${cmd.tag} OK Logged in\r\n` : `${cmd.tag} NO wrong\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.authenticatePlain('bob', PASSWORD);
    expect(r.status).toBe('OK');
    expect(r.continuations).toHaveLength(1);
    const text = transcriptText(c.transport.snapshot());
    expect(text).toContain('C: A1 AUTHENTICATE PLAIN\nS: + \nC: ***');
    expect(leaks(text, PASSWORD, PLAIN_B64)).toEqual([]);
    await c.close();
  });

  it('XOAUTH2: the token and its base64 never reach the transcript; the error challenge is answered', async () => {
    const errorJson = '{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}';
    server = await fakeImap({
      handler: async (cmd, io) => {
        io.write(`+ ${Buffer.from(errorJson).toString('base64')}\r\n`);
        const empty = await io.readLine();
        io.write(empty === '\r\n' ? `${cmd.tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n` : `${cmd.tag} BAD expected empty line\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.authenticateXoauth2('bob', TOKEN);
    expect(r).toMatchObject({ status: 'NO', code: { name: 'AUTHENTICATIONFAILED' } });
    expect(server.received[0]!.line).toBe(`A1 AUTHENTICATE XOAUTH2 ${XOAUTH_B64}`);
    expect(r.challenges.map((b) => b.toString())).toEqual([errorJson]);
    const text = transcriptText(c.transport.snapshot());
    expect(leaks(text, TOKEN, XOAUTH_B64, XOAUTH_B64.slice(0, 24))).toEqual([]);
    expect(c.state).toBe('not-authenticated');
    await c.close();
  });

  it('forcing saslIr: false sends the response after "+" even when SASL-IR is offered', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        io.write('+\r\n');
        await io.readLine();
        io.write(`${cmd.tag} OK ok\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    await c.authenticatePlain('bob', PASSWORD, { saslIr: false });
    expect(server.received[0]!.line).toBe('A1 AUTHENTICATE PLAIN');
    await c.close();
  });

  it('sends an empty initial response as "=" with SASL-IR, and as an empty line without (RFC 4959 §3)', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        if (cmd.line.endsWith('AUTHENTICATE EXTERNAL')) {
          io.write('+\r\n');
          io.write((await io.readLine()) === '\r\n' ? `${cmd.tag} OK empty line\r\n` : `${cmd.tag} NO\r\n`);
        } else io.write(`${cmd.tag} OK inline\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    expect((await c.authenticate('EXTERNAL', { initialResponse: '' })).text).toBe('inline');
    expect(server.received[0]!.line).toBe('A1 AUTHENTICATE EXTERNAL =');
    expect((await c.authenticate('EXTERNAL', { initialResponse: '', saslIr: false })).text).toBe('empty line');
    await c.close();
  });

  it('a string initial response is as secret as a Secret: inline and after "+"', async () => {
    server = await fakeImap({
      handler: async (cmd, io) => {
        if (!cmd.line.endsWith('PLAIN')) return io.write(`${cmd.tag} OK inline\r\n`);
        io.write('+ \r\n');
        io.write((await io.readLine()) === `${PLAIN_B64}\r\n` ? `${cmd.tag} OK after +\r\n` : `${cmd.tag} NO\r\n`);
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const inline = await c.authenticate('PLAIN', { initialResponse: PLAIN_B64 });
    expect(inline.text).toBe('inline');
    expect(server.received[0]!.line).toBe(`A1 AUTHENTICATE PLAIN ${PLAIN_B64}`);
    expect(inline.display).toBe('AUTHENTICATE PLAIN ***');
    const after = await c.authenticate('PLAIN', { initialResponse: PLAIN_B64, saslIr: false });
    expect(after.text).toBe('after +');
    const text = transcriptText(c.transport.snapshot());
    expect(text).toContain('C: A1 AUTHENTICATE PLAIN ***');
    expect(text).toContain('C: A2 AUTHENTICATE PLAIN\nS: + \nC: ***');
    expect(leaks(text + JSON.stringify([inline, after]), PASSWORD, PLAIN_B64)).toEqual([]);
    await c.close();
  });

  it('string and byte challenge answers show as ***, in the transcript and in a later error; "" and "*" show', async () => {
    const got: string[] = [];
    server = await fakeImap({
      handler: async (_cmd, io) => {
        for (let i = 0; i < 4; i++) {
          io.write(`+ ${Buffer.from(`step ${i}`).toString('base64')}\r\n`);
          got.push(await io.readLine());
        }
        // Then silence: the command times out with the exchange in its transcript.
      },
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port, timeouts: { commandMs: 300 } });
    const answers: (string | Uint8Array)[] = [PASSWORD, Buffer.from(TOKEN), '', '*'];
    const err = (await c
      .authenticate('X-CUSTOM', { initialResponse: '', onChallenge: () => answers.shift()! })
      .catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(got).toEqual([`${PASSWORD}\r\n`, `${TOKEN}\r\n`, '\r\n', '*\r\n']);
    const text = transcriptText(c.transport.snapshot());
    expect(text).toMatch(/S: \+ \S+\nC: \*\*\*\nS: \+ \S+\nC: \*\*\*\nS: \+ \S+\nC: \nS: \+ \S+\nC: \*$/);
    expect(err.context.command).toBe('AUTHENTICATE X-CUSTOM =');
    const seen = [text, err.message, JSON.stringify(err.context), JSON.stringify(err.cause ?? null)].join('\n');
    expect(leaks(seen, PASSWORD, TOKEN)).toEqual([]);
  });
});
