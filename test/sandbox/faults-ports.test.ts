/**
 * Port-level faults (the listener plays them before any protocol): wrong TLS mode, silence,
 * delay, drops, refusal. Observed with the drivers, on all three protocols where it matters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ImapClient } from '../../drivers/imap/client.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import { SmtpClient } from '../../drivers/smtp/client.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { resolveFaults, startSandbox, type Sandbox } from '../../sandbox/index.js';
import { tlsOf, TIMEOUTS } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

const opts = (s: Sandbox, port: number, implicitTls: boolean, greetingMs = TIMEOUTS.greetingMs) => ({
  host: s.host,
  port,
  implicitTls,
  tls: tlsOf(s),
  timeouts: { ...TIMEOUTS, greetingMs },
});

describe('port faults', () => {
  it('implicit-tls-plaintext: 465/993/995 roles greet in cleartext and fail a handshake', async () => {
    sb = await startSandbox({ faults: ['implicit-tls-plaintext'], seed: false });
    const smtp = await SmtpClient.connect(opts(sb, sb.ports.submissions, false));
    expect(smtp.greeting?.code).toBe(220);
    expect((await smtp.ehlo('client.test')).lines).toContain('STARTTLS');
    smtp.destroy();
    const imap = await ImapClient.connect(opts(sb, sb.ports.imaps, false));
    expect(imap.greeting.status).toBe('OK');
    imap.destroy();
    const pop = await Pop3Client.connect(opts(sb, sb.ports.pop3s, false));
    expect(pop.greeting.ok).toBe(true);
    pop.destroy();
    const tls = await ImapClient.connect(opts(sb, sb.ports.imaps, true)).catch((e: unknown) => e);
    expect(isMailprobeError(tls, 'ETLS_HANDSHAKE')).toBe(true);
  });

  it('cleartext-port-wants-tls: 25/587/143/110 roles are silent in cleartext and greet after a handshake', async () => {
    sb = await startSandbox({ faults: ['cleartext-port-wants-tls'], seed: false });
    const silent = await ImapClient.connect(opts(sb, sb.ports.imap, false, 400)).catch((e: unknown) => e);
    expect(isMailprobeError(silent, 'ETIMEDOUT')).toBe(true);
    const imap = await ImapClient.connect(opts(sb, sb.ports.imap, true));
    expect(imap.tls?.verified).toBe(true);
    expect((await imap.capability()).capabilities).not.toContain('STARTTLS');
    imap.destroy();
    const smtp = await SmtpClient.connect(opts(sb, sb.ports.smtp, true));
    expect(smtp.greeting?.code).toBe(220);
    smtp.destroy();
  });

  it('slow-greeting: the SMTP greeting starts at once and completes after the delay', async () => {
    sb = await startSandbox({ faults: ['slow-greeting'], greetingDelayMs: 600, seed: false });
    const started = Date.now();
    const smtp = await SmtpClient.connect(opts(sb, sb.ports.smtp, false));
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(smtp.greeting).toMatchObject({ code: 220, lines: [`${sb.servername} ESMTP greeting delayed`, `${sb.servername} ESMTP mailprobe sandbox`] });
    expect((await smtp.ehlo('client.test')).code).toBe(250);
    smtp.destroy();
    // IMAP and POP3 are not delayed
    const pop = await Pop3Client.connect(opts(sb, sb.ports.pop3, false, 400));
    expect(pop.greeting.ok).toBe(true);
    pop.destroy();
  });

  it('stall: connections are accepted and never greeted', async () => {
    sb = await startSandbox({ faults: ['stall'], seed: false });
    for (const port of [sb.ports.smtp, sb.ports.imaps]) {
      const err = await SmtpClient.connect(opts(sb, port, port === sb.ports.imaps, 400)).catch((e: unknown) => e);
      expect(isMailprobeError(err, 'ETIMEDOUT')).toBe(true);
    }
  });

  it('drop-after-greeting: a greeting, then the connection closes', async () => {
    sb = await startSandbox({ faults: ['drop-after-greeting'], seed: false });
    const smtp = await SmtpClient.connect(opts(sb, sb.ports.smtp, false));
    expect(smtp.greeting?.code).toBe(220);
    const err = await smtp.ehlo('client.test').catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECLOSED')).toBe(true);
  });

  it('drop-after-command: a greeting, then the connection closes on the first command', async () => {
    sb = await startSandbox({ faults: ['drop-after-command'], seed: false });
    const imap = await ImapClient.connect(opts(sb, sb.ports.imaps, true));
    expect(imap.greeting.status).toBe('OK');
    const err = await imap.capability().catch((e: unknown) => e);
    expect(isMailprobeError(err, 'ECLOSED')).toBe(true);
  });

  it('service-unavailable: SMTP 421, IMAP BYE, POP3 -ERR at connect', async () => {
    sb = await startSandbox({ faults: ['service-unavailable'], seed: false });
    expect((await SmtpClient.connect(opts(sb, sb.ports.submission, false))).greeting?.code).toBe(421);
    expect((await ImapClient.connect(opts(sb, sb.ports.imaps, true))).greeting.status).toBe('BYE');
    expect((await Pop3Client.connect(opts(sb, sb.ports.pop3, false))).greeting.ok).toBe(false);
  });

  it('rejects unknown faults and clashing ones', () => {
    expect(() => resolveFaults(['no-such-fault'])).toThrow(/unknown fault/);
    expect(() => resolveFaults(['cert-expired', 'cert-self-signed'])).toThrow(/cannot be combined/);
    expect(() => resolveFaults(['stall', 'slow-greeting'])).toThrow(/cannot be combined/);
    expect(resolveFaults(['cert-expired', 'stall', 'plaintext-auth'])).toMatchObject({ certificate: 'expired', greeting: 'silent', plaintextAuth: true });
  });
});
