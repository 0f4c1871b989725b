/**
 * Protocol faults: STARTTLS missing, passwords in cleartext, SMTP smuggling via <LF>.<LF>, and
 * STARTTLS command injection, each next to the correct behaviour of the unfaulted sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectImap, connectPop3, connectSmtp } from '../../drivers/connect.js';
import { isMailprobeError } from '../../drivers/errors.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { tlsOf, TIMEOUTS, user } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

async function sandbox(faults: string[]): Promise<Sandbox> {
  sb = await startSandbox({ faults, seed: false });
  return sb;
}

/** A reply within `ms`, or 'none' (the connection is then given up by the driver). */
async function replyWithin(c: SmtpClient, ms: number): Promise<number | 'none'> {
  return c.readReply({ timeoutMs: ms }).then(
    (r) => r.code,
    (e: unknown) => {
      if (isMailprobeError(e, 'ETIMEDOUT') || isMailprobeError(e, 'ECLOSED')) return 'none';
      throw e;
    },
  );
}

describe('no-starttls', () => {
  it('offers no STARTTLS/STLS and refuses the command', async () => {
    const s = await sandbox(['no-starttls']);
    for (const url of [s.urls.smtp, s.urls.submission]) {
      const c = await connectSmtp(url, { timeouts: TIMEOUTS });
      expect((await c.ehlo('client.test')).lines).not.toContain('STARTTLS');
      expect((await c.starttls()).reply.code).toBeGreaterThanOrEqual(500);
      c.destroy();
    }
    const imap = await connectImap(s.urls.imap, { timeouts: TIMEOUTS });
    expect((await imap.capability()).capabilities).not.toContain('STARTTLS');
    expect((await imap.starttls()).status).toBe('BAD');
    imap.destroy();
    const pop = await connectPop3(s.urls.pop3, { timeouts: TIMEOUTS });
    expect((await pop.capa()).capabilities.has('STLS')).toBe(false);
    expect((await pop.stls()).ok).toBe(false);
    pop.destroy();
  });
});

describe('plaintext-auth', () => {
  it('offers and accepts passwords before TLS on submission, IMAP and POP3', async () => {
    const s = await sandbox(['plaintext-auth']);
    const u = user(s);
    const smtp = await connectSmtp(s.urls.submission, { timeouts: TIMEOUTS });
    expect((await smtp.ehlo('client.test')).lines).toContain('AUTH PLAIN LOGIN');
    expect((await smtp.auth('PLAIN', { user: u.address, password: u.password })).code).toBe(235);
    smtp.destroy();
    const imap = await connectImap(s.urls.imap, { timeouts: TIMEOUTS });
    const caps = (await imap.capability()).capabilities!;
    expect(caps).not.toContain('LOGINDISABLED');
    expect(caps).toContain('AUTH=PLAIN');
    expect((await imap.login(u.address, u.password)).status).toBe('OK');
    imap.destroy();
    const pop = await connectPop3(s.urls.pop3, { timeouts: TIMEOUTS });
    expect((await pop.capa()).capabilities.has('USER')).toBe(true);
    expect((await pop.user(u.address)).ok).toBe(true);
    expect((await pop.pass(u.password)).ok).toBe(true);
    pop.destroy();
  });
});

/** How long to wait for an answer that should come, and for one that should not. */
const SHOULD_COME_MS = 3000;
const SHOULD_NOT_MS = 700;

describe('bare-lf-end-of-data (SMTP smuggling)', () => {
  const probe = async (s: Sandbox, secondMs: number): Promise<(number | 'none')[]> => {
    const c = await connectSmtp(s.urls.smtp, { timeouts: TIMEOUTS });
    await c.ehlo('client.test');
    expect((await c.mail('a@example.org')).code).toBe(250);
    expect((await c.rcpt(user(s).address)).code).toBe(250);
    expect((await c.command('DATA')).code).toBe(354);
    await c.sendRaw('Subject: smuggle\r\n\r\nfirst\n.\nNOOP\r\n.\r\n');
    const replies = [await replyWithin(c, SHOULD_COME_MS)];
    replies.push(await replyWithin(c, secondMs));
    c.destroy();
    return replies;
  };

  it('with the fault, <LF>.<LF> ends the data and the NOOP inside it is answered', async () => {
    expect(await probe(await sandbox(['bare-lf-end-of-data']), SHOULD_COME_MS)).toEqual([250, 250]);
  });

  it('without it (smtp-server), the message ends at CRLF.CRLF only: one reply', async () => {
    expect(await probe(await sandbox([]), SHOULD_NOT_MS)).toEqual([250, 'none']);
  });
});

describe('starttls-injection', () => {
  async function smtpInjection(s: Sandbox, waitMs: number): Promise<number | 'none'> {
    const c = await connectSmtp(s.urls.smtp, { tls: tlsOf(s), timeouts: TIMEOUTS });
    await c.ehlo('client.test');
    await c.sendRaw('STARTTLS\r\nNOOP\r\n');
    expect((await c.readReply()).code).toBe(220);
    await c.transport.upgradeTls({ trailing: 'record' });
    const answered = await replyWithin(c, waitMs);
    c.destroy();
    return answered;
  }

  it('SMTP: with the fault the NOOP sent before TLS is answered inside it; without, it is not', async () => {
    expect(await smtpInjection(await sandbox(['starttls-injection']), SHOULD_COME_MS)).toBe(250);
    await sb!.stop();
    expect(await smtpInjection(await sandbox([]), SHOULD_NOT_MS)).toBe('none');
  });

  it('IMAP and POP3: the same', async () => {
    for (const faults of [['starttls-injection'], []]) {
      const s = await sandbox(faults);
      const waitMs = faults.length > 0 ? SHOULD_COME_MS : SHOULD_NOT_MS;
      const imap = await connectImap(s.urls.imap, { tls: tlsOf(s), timeouts: TIMEOUTS });
      await imap.sendRaw('X1 STARTTLS\r\nX2 NOOP\r\n');
      expect((await imap.readResponse()).raw.toString()).toMatch(/^X1 OK/);
      await imap.transport.upgradeTls({ trailing: 'record' });
      const imapAnswer = await imap.readResponse({ timeoutMs: waitMs }).then((r) => r.raw.toString(), () => 'none');
      imap.destroy();
      const pop = await connectPop3(s.urls.pop3, { tls: tlsOf(s), timeouts: TIMEOUTS });
      await pop.sendRaw('STLS\r\nNOOP\r\n');
      expect((await pop.readStatus()).ok).toBe(true);
      await pop.transport.upgradeTls({ trailing: 'record' });
      const popAnswer = await pop.readStatus({ timeoutMs: waitMs }).then((r) => r.status, () => 'none');
      pop.destroy();
      if (faults.length > 0) {
        expect(imapAnswer).toMatch(/^X2 OK/);
        // NOOP is refused in AUTHORIZATION, but answered: the injected line was run.
        expect(popAnswer).toBe('err');
      } else {
        expect(imapAnswer).toBe('none');
        expect(popAnswer).toBe('none');
      }
      await s.stop();
    }
  });
});
