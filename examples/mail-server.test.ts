// mail-server.test.ts
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { authMechanisms, connectSmtp, connectImap } from 'mailprobe';

const tls = {
  servername: process.env.MAIL_SERVERNAME, // name the certificate must match
  ca: process.env.MAIL_CA_FILE ? readFileSync(process.env.MAIL_CA_FILE, 'utf8') : undefined,
};

describe('mail server', () => {
  it('submission offers STARTTLS, a valid certificate, then AUTH', async () => {
    const smtp = await connectSmtp(process.env.SUBMISSION_URL ?? 'submission://localhost', { tls });
    expect(smtp.greeting?.code).toBe(220);
    await smtp.ehlo('ci.example.org');
    expect(smtp.capabilities?.keywords.has('STARTTLS')).toBe(true);
    expect(authMechanisms(smtp.capabilities)).toEqual([]); // no AUTH before TLS

    const { reply, tls: facts } = await smtp.starttls();
    expect(reply.code).toBe(220);
    expect(facts?.verified).toBe(true);
    expect(facts?.protocol).toMatch(/^TLSv1\.[23]$/);

    await smtp.ehlo('ci.example.org'); // RFC 3207 §4.2: ask again after TLS
    expect(smtp.capabilities?.keywords.has('STARTTLS')).toBe(false);
    expect(authMechanisms(smtp.capabilities)).toContain('PLAIN');
    await smtp.quit();
  });

  it('IMAPS presents a trusted certificate and refuses a wrong password', async () => {
    const imap = await connectImap(process.env.IMAPS_URL ?? 'imaps://localhost', { tls });
    expect(imap.tls?.verified).toBe(true);
    const res = await imap.login('nobody@example.org', 'wrong password');
    expect(res.status).toBe('NO');
    await imap.logout();
  });
});
