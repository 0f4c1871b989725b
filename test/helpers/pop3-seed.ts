/**
 * Put known messages in a lab user's maildrop (INBOX) for the POP3 checks, by IMAP APPEND over
 * implicit TLS, and take them out again afterwards (UID STORE \Deleted + UID EXPUNGE of the
 * UIDs APPENDUID gave: only what was added here is removed).
 *
 * - one `<mailprobe-fixture-…>` message: lines starting with "." (byte-stuffing), several body
 *   lines (TOP), never deleted by a check;
 * - `deletable` `<mailprobe-deletable-…>` messages: pop3.quit.update-removes may DELE and QUIT
 *   them (one per port that runs the suite, so each can pass).
 */
import { randomBytes } from 'node:crypto';
import { ImapClient } from '../../drivers/imap/client.js';
import type { LabInfo, LabUser } from '../lab/info.js';

export interface Pop3Seed {
  readonly fixtureIds: readonly string[];
  readonly deletableIds: readonly string[];
  /** Remove whatever of the seeded messages is still there. Never throws. */
  cleanup(): Promise<void>;
}

export function fixtureMessage(id: string, domain: string): string {
  return (
    `From: mailprobe <mailprobe@${domain}>\r\nTo: <postmaster@${domain}>\r\nSubject: mailprobe POP3 fixture\r\n` +
    `Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: ${id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n` +
    'first body line\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\nsecond to last\r\nlast line\r\n'
  );
}

export async function seedPop3Maildrop(lab: LabInfo, user: LabUser, options: { deletable?: number } = {}): Promise<Pop3Seed> {
  const tag = randomBytes(6).toString('hex');
  const fixtureIds = [`<mailprobe-fixture-${tag}@${lab.domain}>`];
  const deletableIds = Array.from({ length: options.deletable ?? 2 }, (_, i) => `<mailprobe-deletable-${tag}-${i}@${lab.domain}>`);
  const c = await ImapClient.connect({
    host: lab.hosts.imap,
    port: lab.ports.imaps,
    implicitTls: true,
    tls: { servername: lab.servername, ca: lab.rootCaPem },
  });
  const uids: number[] = [];
  try {
    const auth = await c.authenticatePlain(user.user, user.password);
    if (auth.status !== 'OK') throw new Error(`seeding: login as ${user.user} failed: ${auth.text}`);
    for (const id of [...fixtureIds, ...deletableIds]) {
      const r = await c.append('INBOX', fixtureMessage(id, lab.domain));
      if (r.status !== 'OK') throw new Error(`seeding: APPEND of ${id} failed: ${r.text}`);
      if (r.appendUid) uids.push(r.appendUid.uid);
    }
    await c.logout();
  } finally {
    c.destroy();
  }
  return {
    fixtureIds,
    deletableIds,
    async cleanup() {
      if (uids.length === 0) return;
      const d = await ImapClient.connect({
        host: lab.hosts.imap,
        port: lab.ports.imaps,
        implicitTls: true,
        tls: { servername: lab.servername, ca: lab.rootCaPem },
      }).catch(() => undefined);
      if (!d) return;
      try {
        await d.authenticatePlain(user.user, user.password);
        await d.select('INBOX');
        const set = uids.join(',');
        await d.store(set, '+FLAGS.SILENT', '(\\Deleted)', { uid: true });
        await d.expunge({ uidSet: set });
        await d.logout();
      } catch {
        // Best effort: a leftover fixture harms no other test.
      } finally {
        d.destroy();
      }
    },
  };
}
