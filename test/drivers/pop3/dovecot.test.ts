/**
 * The POP3 driver against the lab's real Dovecot (test/lab): STLS then login on the plaintext
 * port, and implicit TLS with chain verification against the lab root on the pop3s port.
 * Mail is not deleted: other test files share the mailboxes.
 */
import { describe, expect, inject, it } from 'vitest';
import { Pop3Client } from '../../../drivers/pop3/index.js';
import type { LabInfo } from '../../lab/info.js';
import { transcriptText } from './fake-server.js';

const lab: LabInfo = inject('lab');
const user = lab.users[0]!;
const tls = { servername: lab.servername, ca: lab.rootCaPem };

describe('POP3 against Dovecot', () => {
  it('refuses USER before TLS, then STLS, USER/PASS, STAT, UIDL, QUIT', async () => {
    const pop = await Pop3Client.connect({ host: lab.hosts.pop3, port: lab.ports.pop3, tls });
    try {
      expect(pop.greeting.ok).toBe(true);
      expect((await pop.capa()).capabilities.has('STLS')).toBe(true);
      // disable_plaintext_auth = yes: a cleartext login is refused, as data.
      expect(await pop.user(user.user)).toMatchObject({ ok: false, status: 'err' });
      const up = await pop.stls();
      expect(up.upgraded && up.tls.verified).toBe(true);
      // RFC 2595 §4: STLS is not offered again once TLS is up.
      expect((await pop.capa()).capabilities.has('STLS')).toBe(false);
      expect((await pop.user(user.user)).ok).toBe(true);
      expect((await pop.pass(user.password)).ok).toBe(true);
      expect(pop.state).toBe('transaction');
      const stat = await pop.stat();
      expect(stat.drop?.count).toBeGreaterThanOrEqual(0);
      const uidl = await pop.uidl();
      expect(uidl).toMatchObject({ ok: true, invalid: [] });
      expect(uidl.entries.length).toBe((await pop.list()).entries.length);
      expect(transcriptText(pop.transcript())).not.toContain(user.password);
      expect((await pop.quit()).ok).toBe(true);
      expect(pop.state).toBe('closed');
    } finally {
      pop.destroy();
    }
  });

  it('logs in with AUTH PLAIN over pop3s after verifying the chain against the lab root', async () => {
    const pop = await Pop3Client.connect({ host: lab.hosts.pop3, port: lab.ports.pop3s, implicitTls: true, tls });
    try {
      expect(pop.tls).toMatchObject({ verified: true, servername: lab.servername });
      expect(pop.tls?.chain.length).toBe(3);
      expect((await pop.capa()).capabilities.get('SASL')).toContain('PLAIN');
      const auth = await pop.authPlain(user.user, user.password);
      expect(auth.ok).toBe(true);
      expect(pop.state).toBe('transaction');
      const [stat, noop] = await pop.pipeline(['STAT', 'NOOP']);
      expect(stat?.ok && noop?.ok).toBe(true);
      const text = transcriptText(pop.transcript());
      expect(text).toContain('C: AUTH PLAIN ***');
      expect(text).not.toContain(user.password);
      expect(text).not.toContain(Buffer.from(`\0${user.user}\0${user.password}`).toString('base64'));
      await pop.quit();
    } finally {
      pop.destroy();
    }
  });

  it('a wrong password is -ERR [AUTH] data, not an exception', async () => {
    const pop = await Pop3Client.connect({ host: lab.hosts.pop3, port: lab.ports.pop3s, implicitTls: true, tls });
    try {
      const auth = await pop.authPlain(user.user, 'not-the-password');
      expect(auth).toMatchObject({ ok: false, code: 'AUTH' });
      expect(pop.state).toBe('authorization');
    } finally {
      pop.destroy();
    }
  });
});
