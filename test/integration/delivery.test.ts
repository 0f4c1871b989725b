/**
 * The three drivers together against the real lab: submit through Postfix (STARTTLS + AUTH
 * PLAIN), then find the message byte-exact over IMAPS (FETCH BODY[]) and POP3S (RETR).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { connectImap, connectPop3, connectSmtp } from '../../index.js';
import { secret } from '../../drivers/redact.js';
import { authMechanisms } from '../../drivers/smtp/capabilities.js';

const lab = inject('lab');
const sender = lab.users[0]!;
const recipient = lab.users.find((u) => u.user.startsWith('carol@')) ?? lab.users[1]!;
const tls = { servername: lab.servername, ca: lab.rootCaPem };
const url = (scheme: string, host: string, port: number): string => `${scheme}://${host}:${port}`;

function message(id: string): Buffer {
  return Buffer.from(
    [
      `From: ${sender.user}`,
      `To: ${recipient.user}`,
      'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and dots',
      `Message-ID: <${id}@mailprobe.test>`,
      'Date: Thu, 26 Nov 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '.leading dot',
      '..two leading dots',
      '.',
      'Grüße aus Köln, 8-bit: \u00e9\u00e8\u00ea \u65e5\u672c',
      `a long line: ${'x'.repeat(900)}`,
      'last line',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('submission → Postfix → LMTP → Dovecot, read back byte-exact', () => {
  it('arrives unchanged in IMAP FETCH BODY[] and POP3 RETR', async () => {
    const id = randomUUID();
    const sent = message(id);

    const smtp = await connectSmtp(url('submission', lab.hosts.smtp, lab.ports.submission), { tls });
    await smtp.ehlo('client.mailprobe.test');
    expect(authMechanisms(smtp.capabilities)).toEqual([]); // smtpd_tls_auth_only: no AUTH before TLS
    const started = await smtp.starttls();
    expect(started.tls?.verified).toBe(true);
    await smtp.ehlo('client.mailprobe.test');
    expect(authMechanisms(smtp.capabilities)).toContain('PLAIN');
    expect((await smtp.auth('PLAIN', { user: sender.user, password: secret(sender.password) })).code).toBe(235);
    expect((await smtp.mail(sender.user, { BODY: '8BITMIME' })).code).toBe(250);
    expect((await smtp.rcpt(recipient.user)).code).toBe(250);
    const data = await smtp.data(sent);
    expect(data.reply?.code).toBe(250);
    expect(JSON.stringify(smtp.transport.snapshot())).not.toContain(sender.password);
    await smtp.quit();

    const imap = await connectImap(url('imaps', lab.hosts.imap, lab.ports.imaps), { tls });
    expect(imap.tls?.verified).toBe(true);
    expect((await imap.login(recipient.user, secret(recipient.password))).status).toBe('OK');
    await imap.select('INBOX');
    const uid = await waitFor('delivery to INBOX', async () => {
      await imap.noop();
      const res = await imap.search(['HEADER', 'Message-ID', id], { uid: true });
      return res.ids[0];
    });
    const fetched = await imap.fetch(String(uid), ['BODY.PEEK[]'], { uid: true });
    const body = fetched.messages[0]?.attributes.bodies.get('BODY[]')?.bytes ?? undefined;
    expect(body).toBeDefined();
    // Postfix and Dovecot prepend trace headers (Return-Path, Delivered-To, Received); everything
    // from our first header on must be exactly what was submitted.
    expect(body!.subarray(body!.length - sent.length).equals(sent)).toBe(true);
    await imap.logout();
    await imap.close();

    const pop = await connectPop3(url('pop3s', lab.hosts.pop3, lab.ports.pop3s), { tls });
    expect(pop.tls?.verified).toBe(true);
    await pop.user(recipient.user);
    expect((await pop.pass(secret(recipient.password))).ok).toBe(true);
    const list = await pop.uidl();
    let found: Buffer | undefined;
    for (const entry of list.entries) {
      const m = await pop.retr(entry.msg);
      if (m.message && m.message.includes(Buffer.from(`<${id}@mailprobe.test>`))) found = m.message;
    }
    expect(found).toBeDefined();
    expect(found!.subarray(found!.length - sent.length).equals(sent)).toBe(true);
    await pop.quit();
  });

  it('a wrong servername fails verification and records the hostname reason', async () => {
    const err = await connectImap(url('imaps', lab.hosts.imap, lab.ports.imaps), {
      tls: { servername: 'not-the-server.test', ca: lab.rootCaPem },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETLS_VERIFY' });
    const facts = (err as { context: { tls?: { chainTrusted: boolean; hostnameError: string | null } } }).context.tls;
    expect(facts?.chainTrusted).toBe(true);
    expect(facts?.hostnameError).toMatch(/not-the-server\.test/);
  });

  it('POP3S and submissions verify the full chain against the lab root', async () => {
    const pop = await connectPop3(url('pop3s', lab.hosts.pop3, lab.ports.pop3s), { tls });
    expect(pop.tls?.chain.map((c) => c.subject.split(',')[0])).toEqual([
      `CN=${lab.servername}`,
      'CN=mailprobe test intermediate',
      'CN=mailprobe test root',
    ]);
    pop.destroy();
    const smtps = await connectSmtp(url('submissions', lab.hosts.smtp, lab.ports.smtps), { tls });
    expect(smtps.tls?.verified).toBe(true);
    expect(smtps.greeting?.code).toBe(220);
    await smtps.quit();
  });
});
