import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isMailprobeError, type MailprobeError } from '../../../drivers/errors.js';
import { ImapClient } from '../../../drivers/imap/client.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../../helpers/certs.js';
import { fakeImap, type FakeImap } from './fake-imap.js';

let pki: LabPki;
beforeAll(() => {
  pki = createLabPki();
});

let server: FakeImap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GREETING = '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] plaintext';

function starttlsServer(afterOk = ''): Promise<FakeImap> {
  return fakeImap({
    greeting: GREETING,
    handler: (cmd, io) => {
      if (cmd.name === 'STARTTLS') {
        io.write(`${cmd.tag} OK Begin TLS negotiation now\r\n${afterOk}`);
        io.startTls({ key: pki.leaf.keyPem, cert: pki.chainPem });
      } else if (cmd.name === 'CAPABILITY') {
        io.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${cmd.tag} OK done\r\n`);
      } else io.write(`${cmd.tag} BAD unknown\r\n`);
    },
  });
}

const tls = () => ({ servername: LAB_SERVERNAME, ca: pki.root.certPem });

describe('STARTTLS (RFC 9051 §6.2.1)', () => {
  it('upgrades, verifies the chain and drops the capabilities learned in plaintext', async () => {
    server = await starttlsServer();
    const c = await ImapClient.connect({ host: server.host, port: server.port, tls: tls() });
    expect(c.hasCapability('STARTTLS')).toBe(true);
    const r = await c.starttls();
    expect(r.status).toBe('OK');
    if (!r.upgraded) throw new Error('not upgraded');
    expect(r.tls.verified).toBe(true);
    expect(r.trailing.length).toBe(0);
    expect(c.transport.tls?.verified).toBe(true);
    expect(c.capabilities).toBeUndefined();
    const caps = await c.capability();
    expect(caps.capabilities).toEqual(['IMAP4rev1', 'AUTH=PLAIN']);
    expect(c.hasCapability('LOGINDISABLED')).toBe(false);
    await c.close();
  });

  it('fails with ESTARTTLS_TRAILING when bytes follow the go-ahead in plaintext', async () => {
    server = await starttlsServer('* CAPABILITY IMAP4rev1 AUTH=PLAIN INJECTED\r\n');
    const c = await ImapClient.connect({ host: server.host, port: server.port, tls: tls() });
    const err = (await c.starttls().catch((e: unknown) => e)) as MailprobeError;
    expect(isMailprobeError(err, 'ESTARTTLS_TRAILING')).toBe(true);
    expect(err.context.detail).toMatchObject({ trailingBytes: 44 });
    expect(c.state).toBe('closed');
  });

  it('with trailing: "record", reports the injected bytes, discards them and goes on in TLS', async () => {
    server = await starttlsServer('* CAPABILITY IMAP4rev1 INJECTED\r\n');
    const c = await ImapClient.connect({ host: server.host, port: server.port, tls: tls() });
    const r = await c.starttls({ trailing: 'record' });
    if (!r.upgraded) throw new Error('not upgraded');
    expect(r.trailing.toString()).toBe('* CAPABILITY IMAP4rev1 INJECTED\r\n');
    expect(c.capabilities).toBeUndefined();
    const caps = await c.capability();
    expect(caps.capabilities).not.toContain('INJECTED');
    await c.close();
  });

  it('returns a refusal as data and stays in plaintext', async () => {
    server = await fakeImap({ handler: (cmd, io) => io.write(`${cmd.tag} NO TLS not configured\r\n`) });
    const c = await ImapClient.connect({ host: server.host, port: server.port });
    const r = await c.starttls();
    expect(r).toMatchObject({ status: 'NO', upgraded: false });
    expect(c.transport.tls).toBeUndefined();
    expect(c.hasCapability('IDLE')).toBe(true);
    await c.close();
  });
});
