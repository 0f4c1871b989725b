/**
 * Hostile clients must not crash or wedge the sandbox: bare LF, a 10 MB line, NUL bytes,
 * pipelined garbage, oversized literals, a client that never reads. After each, others are
 * still served.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSmtp } from '../../drivers/connect.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { imapLogin, pop3Login, rawConnect, tlsOf, TIMEOUTS, user } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ limits: { maxMessageBytes: 2 * 1024 * 1024 } });
});
afterAll(() => sb.stop());

const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 0x61);

/** Everyone else is still served, on all three protocols. */
async function stillServing(): Promise<void> {
  const imap = await imapLogin(sb);
  expect((await imap.select('INBOX')).status).toBe('OK');
  imap.destroy();
  const pop = await pop3Login(sb);
  expect((await pop.stat()).ok).toBe(true);
  pop.destroy();
  const smtp = await connectSmtp(sb.urls.smtp, { tls: tlsOf(sb), timeouts: TIMEOUTS });
  expect((await smtp.ehlo('client.test')).code).toBe(250);
  smtp.destroy();
}

describe('IMAP', () => {
  it('takes bare LF line ends and answers NUL with BAD', async () => {
    const c = await rawConnect(sb.ports.imap);
    await c.waitFor(/^\* OK/);
    c.write('a1 NOOP\na2 CAPABILITY\n');
    await c.waitFor(/a2 OK/);
    c.write('a3 NO\0OP\r\n');
    await c.waitFor(/a3 BAD/);
    c.destroy();
  });

  it('closes on a 10 MB line with BYE', async () => {
    const c = await rawConnect(sb.ports.imap);
    await c.waitFor(/^\* OK/);
    c.write(Buffer.concat([Buffer.from('a1 LOGIN '), TEN_MB, Buffer.from('\r\n')]));
    await c.waitFor(/\* BYE .*too long/i);
    expect(await c.closed()).toBe(true);
    await stillServing();
  });

  it('drops a client after too much pipelined garbage', async () => {
    const c = await rawConnect(sb.ports.imap);
    await c.waitFor(/^\* OK/);
    c.write(Array.from({ length: 500 }, (_, i) => (i % 2 ? `x${i} GARBAGE ((\r\n` : '\x01\x02 \xff\xfe\r\n')).join(''));
    await c.waitFor(/\* BYE Too many invalid commands/);
    expect(await c.closed()).toBe(true);
    await stillServing();
  });

  it('refuses a synchronising literal over the limit with NO [TOOBIG], and a non-synchronising one with BYE', async () => {
    const imap = await imapLogin(sb);
    const r = await imap.command('APPEND', ['INBOX', '{99999999}']).catch((e: unknown) => e);
    expect(r).toMatchObject({ status: 'NO', code: { name: 'TOOBIG' } });
    expect((await imap.noop()).status).toBe('OK');
    imap.destroy();
    const c = await rawConnect(sb.ports.imap);
    await c.waitFor(/^\* OK/);
    c.write('a1 APPEND INBOX {99999999+}\r\nxxxx');
    await c.waitFor(/a1 BAD \[TOOBIG\]/);
    expect(await c.closed()).toBe(true);
  });

  it('keeps serving while a client never reads its (large) answers', async () => {
    const big = `Subject: big\r\n\r\n${'z'.repeat(1024 * 1024)}\r\n`;
    const imap = await imapLogin(sb, 1);
    expect((await imap.append('INBOX', big)).status).toBe('OK');
    imap.destroy();
    const socket = connect({ host: '127.0.0.1', port: sb.ports.imap });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.pause(); // never reads: the kernel buffers fill and the server's writes back up
    const u = user(sb, 1);
    // Plaintext LOGIN is refused (LOGINDISABLED), so ask for something big before login: many CAPABILITYs.
    socket.write(`a0 LOGIN ${u.address} x\r\n${'a1 CAPABILITY\r\n'.repeat(200_000)}`);
    await new Promise((r) => setTimeout(r, 300));
    await stillServing();
    socket.destroy();
  });
});

describe('POP3 and SMTP', () => {
  it('POP3: NUL and garbage get -ERR; a 10 MB line closes', async () => {
    const c = await rawConnect(sb.ports.pop3);
    await c.waitFor(/^\+OK/);
    c.write('CA\0PA\r\nxyzzy\nQUIT extra extra\r\n');
    await c.waitFor(/(-ERR.*\r\n){3}/s);
    c.write(TEN_MB);
    await c.waitFor(/-ERR Line too long/);
    expect(await c.closed()).toBe(true);
  });

  it('SMTP (smtp-server): a 10 MB line and garbage do not take it down', async () => {
    const c = await rawConnect(sb.ports.smtp);
    await c.waitFor(/^220 /);
    c.write(Buffer.concat([Buffer.from('EHLO '), TEN_MB, Buffer.from('\r\n')]));
    await c.closed(5000);
    c.destroy();
    const g = await rawConnect(sb.ports.smtp);
    await g.waitFor(/^220 /);
    g.write('\0\0\0\r\n\xff\xfe\nHELO\n'.repeat(50));
    await g.closed(5000);
    g.destroy();
    await stillServing();
  });

  it('SMTP: bare LF in commands is taken as a line end', async () => {
    const c = await rawConnect(sb.ports.smtp);
    await c.waitFor(/^220 /);
    c.write('EHLO client.test\nNOOP\n');
    await c.waitFor(/250 .*\r\n.*250 /s);
    c.destroy();
  });
});
