import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../../helpers/certs.js';
import { fakePop3, type FakePop3, type Session } from './fake-server.js';

let pki: LabPki;
let server: FakePop3 | undefined;
beforeAll(() => {
  pki = createLabPki();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that offers STLS before TLS only (RFC 2595 §4) and can inject bytes after +OK. */
function stlsServer(goAhead: string) {
  return (line: string, session: Session): string | undefined => {
    const secure = session.socket instanceof TLSSocket;
    if (line === 'CAPA') return secure ? '+OK\r\nUSER\r\n.\r\n' : '+OK\r\nSTLS\r\nUSER\r\n.\r\n';
    if (line === 'STLS') {
      session.socket.write(goAhead);
      session.use(session.ctx.startTls(session.socket as Socket, { key: pki.leaf.keyPem, cert: pki.chainPem }));
      return undefined;
    }
    return secure ? '+OK over TLS\r\n' : '+OK in clear\r\n';
  };
}

describe('STLS (RFC 2595 §4)', () => {
  it('upgrades, verifies the chain against the lab root and forgets pre-TLS capabilities', async () => {
    server = await fakePop3(stlsServer('+OK Begin TLS negotiation\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem } });
    expect((await pop.capa()).capabilities.has('STLS')).toBe(true);
    const up = await pop.stls();
    expect(up.upgraded).toBe(true);
    if (!up.upgraded) return;
    expect(up.tls.verified).toBe(true);
    expect(up.trailing.length).toBe(0);
    expect(pop.tls?.servername).toBe(LAB_SERVERNAME);
    expect(pop.capabilities).toBeUndefined();
    expect((await pop.capa()).capabilities.has('STLS')).toBe(false);
    expect(await pop.noop()).toMatchObject({ ok: true, text: 'over TLS' });
    pop.destroy();
  });

  it('bytes after the go-ahead fail with ESTARTTLS_TRAILING', async () => {
    server = await fakePop3(stlsServer('+OK Begin TLS negotiation\r\n+OK injected\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem } });
    const err = await pop.stls().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ESTARTTLS_TRAILING', context: { command: 'STLS', detail: { trailingBytes: 14 } } });
    expect(pop.state).toBe('closed');
  });

  it("with trailing: 'record' the injected bytes are reported, discarded, and TLS goes on", async () => {
    server = await fakePop3(stlsServer('+OK Begin TLS negotiation\r\n+OK injected\r\n'));
    const pop = await Pop3Client.connect({ host: server.host, port: server.port, tls: { servername: LAB_SERVERNAME, ca: pki.root.certPem } });
    const up = await pop.stls({ trailing: 'record' });
    expect(up.upgraded && up.trailing.toString()).toBe('+OK injected\r\n');
    expect(await pop.noop()).toMatchObject({ text: 'over TLS' });
    pop.destroy();
  });

  it('a refused STLS is data, not an upgrade', async () => {
    server = await fakePop3(() => '-ERR TLS not available\r\n');
    const pop = await Pop3Client.connect({ host: server.host, port: server.port });
    expect(await pop.stls()).toMatchObject({ upgraded: false, ok: false });
    expect(pop.tls).toBeUndefined();
    pop.destroy();
  });
});
