/**
 * Login throttling on scripted servers: failed logins answered slowly, a hang-up after a few,
 * and none of that. The probe runs with two or three attempts to keep the delays short; the
 * default of five is what diagnose and the checks use (dovecot.test.ts, postfix.test.ts).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ImapClient } from '../../drivers/imap/client.js';
import { Pop3Client } from '../../drivers/pop3/client.js';
import { SmtpClient } from '../../drivers/smtp/client.js';
import type { ClientFor, ProbeContext } from '../../engine/security/index.js';
import { probeAuthThrottling } from '../../engine/security/index.js';
import { createLabPki, LAB_SERVERNAME, type LabPki } from '../helpers/certs.js';
import type { ScriptServer } from '../helpers/script-server.js';
import { labCert, starttlsServer, type Protocol, type StarttlsScript } from './starttls-server.js';

let pki: LabPki;
let server: ScriptServer | undefined;
beforeAll(() => {
  pki = createLabPki();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function contextFor<P extends Protocol>(protocol: P, port: number): ProbeContext<P> {
  const options = { host: '127.0.0.1', port, tls: { ca: pki.root.certPem, servername: LAB_SERVERNAME }, timeouts: { connectMs: 2000, greetingMs: 2000, tlsMs: 2000, commandMs: 3000 } };
  const open = { smtp: () => SmtpClient.connect(options), imap: () => ImapClient.connect(options), pop3: () => Pop3Client.connect(options) } as { [Q in Protocol]: () => Promise<ClientFor[Q]> };
  return { protocol, open: open[protocol], implicitTls: false, starttls: true, timeoutMs: 3000, clientName: 'client.mailprobe.test', signal: undefined };
}

async function throttle(protocol: Protocol, script: Omit<StarttlsScript, 'protocol' | 'cert'>, attempts: number, heard: string[] = []): Promise<Awaited<ReturnType<typeof probeAuthThrottling>>> {
  server = await starttlsServer({ protocol, cert: labCert(pki), ...script }, heard);
  return probeAuthThrottling(contextFor(protocol, server.port), { attempts, domain: 'mail.test' });
}

describe('login throttling', () => {
  it.each(['smtp', 'imap', 'pop3'] as const)('%s: immediate failures on an open connection are info, tried inside TLS with a made-up user', async (protocol) => {
    const heard: string[] = [];
    const r = await throttle(protocol, {}, 3, heard);
    expect(r.status).toBe('done');
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['auth.no-throttling', 'info']]);
    expect(r.findings[0]!.seen).toMatch(/^3 failed logins with a made-up user on one connection were each answered within \d+ ms/);
    // After STARTTLS, with a name that cannot exist; the password never shows.
    const logins = heard.filter((l) => /^(\S+ )?(AUTH|LOGIN|USER|PASS)\b/i.test(l));
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(heard.findIndex((l) => /STARTTLS|STLS/.test(l))).toBeLessThan(heard.indexOf(logins[0]!));
    expect(r.findings[0]!.evidence.join('\n')).toMatch(/mailprobe-nonexistent-[0-9a-f]+@mail\.test|AUTH PLAIN \*\*\*/);
    expect(r.findings[0]!.evidence.join('\n')).not.toMatch(/PASS [^*]/);
  });

  it('failed logins answered after a second or more count as slowed down: no finding', async () => {
    const r = await throttle('imap', { loginDelayMs: 1_100 }, 2);
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatch(/^failed logins are slowed down: replies after 1\d{3} ms, 1\d{3} ms/);
  });

  it('a server that hangs up after failed logins counts as throttling: no finding', async () => {
    const r = await throttle('pop3', { dropAfterFailures: 2 }, 5);
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatch(/closed the connection on failed login 2|ended the session after failed login 2/);
  });

  it('a port without any login is not applicable', async () => {
    server = await starttlsServer({ protocol: 'smtp', cert: labCert(pki) });
    const r = await probeAuthThrottling({ ...contextFor('smtp', server.port), starttls: false });
    expect([r.status, r.summary]).toEqual(['not-applicable', 'no login to try: no AUTH PLAIN or LOGIN is offered']);
  });
});
