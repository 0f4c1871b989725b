import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { secret } from '../../../drivers/redact.js';
import { fakeImap, transcriptText, type FakeImap } from './fake-imap.js';

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PASSWORD = 'c0rrect-h0rse "battery" \\ staple';

describe('LOGIN', () => {
  it('sends the password but the transcript shows LOGIN user *** (RFC 9051 §6.2.3)', async () => {
    server = await fakeImap({
      greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] plaintext',
      handler: (cmd, io) => io.write(`${cmd.tag} OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    // Mechanism, not policy: LOGINDISABLED and no TLS do not stop the driver.
    const r = await c.login('bob', PASSWORD);
    expect(r).toMatchObject({ status: 'OK', name: 'LOGIN', display: 'LOGIN "bob" ***' });
    expect(server.received[0]!.line).toBe('A1 LOGIN "bob" "c0rrect-h0rse \\"battery\\" \\\\ staple"');
    const text = transcriptText(c.transport.snapshot());
    expect(text).toContain('C: A1 LOGIN "bob" ***');
    expect(text).not.toContain('c0rrect');
    expect(c.state).toBe('authenticated');
    expect(c.hasCapability('IDLE')).toBe(true);
    await c.close();
  });

  it('returns NO as data and stays not authenticated', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.login('bob', secret('wrong'));
    expect(r).toMatchObject({ status: 'NO', code: { name: 'AUTHENTICATIONFAILED' }, text: 'Authentication failed.' });
    expect(c.state).toBe('not-authenticated');
    await c.close();
  });

  it('sends an 8-bit password as a literal and hides it and its size', async () => {
    server = await fakeImap({
      greeting: '* OK [CAPABILITY IMAP4rev1] no literal+',
      handler: (cmd, io) => io.write(`${cmd.tag} OK Logged in\r\n`),
    });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    await c.login('bob', 'pässwörd');
    expect(server.received[0]!.literals[0]!.toString('utf8')).toBe('pässwörd');
    const text = transcriptText(c.transport.snapshot());
    expect(text).toContain('C: A1 LOGIN "bob" ***');
    expect(text).not.toMatch(/pässwörd|\{10\}/);
    await c.close();
  });
});
