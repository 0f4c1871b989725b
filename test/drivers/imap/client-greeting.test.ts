import { afterEach, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { scriptServer, type ScriptServer } from '../../helpers/script-server.js';

let server: ScriptServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function greet(line: string): Promise<ImapClient> {
  server = await scriptServer((s) => {
    s.write(line);
  });
  return ImapClient.connect({ host: server.host, port: server.port });
}

describe('ImapClient.connect: the greeting', () => {
  it('returns * OK as data, with the capabilities of its CAPABILITY code', async () => {
    const c = await greet('* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n');
    expect(c.greeting).toMatchObject({ kind: 'condition', status: 'OK', text: 'ready' });
    expect(c.state).toBe('not-authenticated');
    expect([...(c.capabilities ?? [])]).toEqual(['IMAP4REV1', 'STARTTLS', 'LOGINDISABLED']);
    expect(c.hasCapability('starttls')).toBe(true);
    await c.close();
  });

  it('returns * PREAUTH as data and starts authenticated (RFC 9051 §7.1.4)', async () => {
    const c = await greet('* PREAUTH IMAP4rev2 server logged in as Smith\r\n');
    expect(c.greeting.status).toBe('PREAUTH');
    expect(c.state).toBe('authenticated');
    expect(c.capabilities).toBeUndefined();
    await c.close();
  });

  it('returns * BYE as data (the server refuses the connection)', async () => {
    const c = await greet('* BYE Autologout; idle for too long\r\n');
    expect(c.greeting).toMatchObject({ status: 'BYE', text: 'Autologout; idle for too long' });
    expect(['logout', 'closed']).toContain(c.state);
    await c.close();
  });

  it('fails with ETIMEDOUT in phase greeting when the server says nothing', async () => {
    server = await scriptServer(() => {});
    const started = Date.now();
    const err = (await ImapClient.connect({ host: server.host, port: server.port, timeouts: { greetingMs: 200 } }).catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    expect(err.context.phase).toBe('greeting');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails with EPROTOCOL on an SMTP greeting (a wrong-protocol port)', async () => {
    server = await scriptServer((s) => {
      s.write('220 mail.test ESMTP Postfix\r\n');
    });
    const err = (await ImapClient.connect({ host: server.host, port: server.port }).catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
    expect(err.context.response).toContain('220 mail.test');
    expect(err.context.phase).toBe('greeting');
  });

  it('fails with EPROTOCOL when the first response is not a greeting', async () => {
    server = await scriptServer((s) => {
      s.write('* CAPABILITY IMAP4rev1\r\n');
    });
    const err = await ImapClient.connect({ host: server.host, port: server.port }).catch((e: unknown) => e);
    expect(isMailprobeError(err, 'EPROTOCOL')).toBe(true);
  });

  it('reports the greeting to onExchange', async () => {
    server = await scriptServer((s) => {
      s.write('* OK hi\r\n');
    });
    const seen: string[] = [];
    const c = await ImapClient.connect({ host: server.host, port: server.port, onExchange: (e) => seen.push(`${e.name} ${e.command} ${e.ok}`) });
    expect(seen).toEqual(['imap.greeting (greeting) true']);
    await c.close();
  });
});
