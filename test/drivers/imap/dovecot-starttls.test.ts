import { describe, expect, inject, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { transcriptText } from './fake-imap.js';

const lab = inject('lab');
const user = lab.users[0]!;

describe('Dovecot (lab): plaintext port, LOGINDISABLED, STARTTLS, LOGIN', () => {
  it('refuses LOGIN before TLS as data, upgrades, then logs in', async () => {
    const c = await ImapClient.connect({
      host: lab.hosts.imap,
      port: lab.ports.imap,
      tls: { servername: lab.servername, ca: lab.rootCaPem },
    });
    try {
      expect(c.greeting.status).toBe('OK');
      expect(c.hasCapability('STARTTLS')).toBe(true);
      expect(c.hasCapability('LOGINDISABLED')).toBe(true);

      // Mechanism, not policy: the driver sends LOGIN in cleartext when told to.
      const early = await c.login(user.user, user.password);
      expect(early.status).toBe('NO');
      expect(c.state).toBe('not-authenticated');

      const tls = await c.starttls();
      expect(tls.upgraded && tls.tls.verified).toBe(true);
      expect(tls.upgraded && tls.trailing.length).toBe(0);
      expect(c.capabilities).toBeUndefined();

      const caps = await c.capability();
      expect(caps.capabilities).toContain('IMAP4rev1');
      expect(c.hasCapability('STARTTLS')).toBe(false);
      expect(c.hasCapability('LOGINDISABLED')).toBe(false);

      const ok = await c.login(user.user, user.password);
      expect(ok.status).toBe('OK');
      expect(c.state).toBe('authenticated');

      const text = transcriptText(c.transport.snapshot());
      expect(text).toContain(`LOGIN "${user.user}" ***`);
      expect(text).not.toContain(user.password);

      const bye = await c.logout();
      expect(bye.status).toBe('OK');
      expect(bye.bye).toBeDefined();
    } finally {
      await c.close();
    }
  });
});
