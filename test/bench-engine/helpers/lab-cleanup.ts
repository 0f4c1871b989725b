/**
 * Bench runs against the lab deliver real mail into lab users' mailboxes. Remove it again:
 * every message carrying the bench header (`X-Mailprobe-Bench`), once the expected number has
 * been delivered (delivery through Postfix and LMTP is asynchronous) or the wait is over.
 */
import { ImapClient } from '../../../drivers/imap/client.js';
import type { LabInfo, LabUser } from '../../lab/info.js';

export async function removeBenchMail(lab: LabInfo, user: LabUser, options: { expect?: number; waitMs?: number } = {}): Promise<number> {
  const c = await ImapClient.connect({ host: lab.hosts.imap, port: lab.ports.imaps, implicitTls: true, tls: { servername: lab.servername, ca: lab.rootCaPem } });
  try {
    const login = await c.login(user.user, user.password);
    if (login.status !== 'OK') throw new Error(`cleanup login as ${user.user}: ${login.text}`);
    const deadline = Date.now() + (options.waitMs ?? 15_000);
    let uids: number[] = [];
    for (;;) {
      await c.select('INBOX');
      uids = (await c.search('HEADER X-Mailprobe-Bench ""', { uid: true })).ids;
      if (uids.length >= (options.expect ?? 0) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (uids.length > 0) {
      const set = uids.join(',');
      await c.store(set, '+FLAGS.SILENT', '(\\Deleted)', { uid: true });
      await c.expunge({ uidSet: set });
    }
    await c.logout();
    return uids.length;
  } finally {
    c.destroy();
  }
}

/** How many bench messages the user's INBOX holds now. */
export async function countBenchMail(lab: LabInfo, user: LabUser): Promise<number> {
  const c = await ImapClient.connect({ host: lab.hosts.imap, port: lab.ports.imaps, implicitTls: true, tls: { servername: lab.servername, ca: lab.rootCaPem } });
  try {
    await c.login(user.user, user.password);
    await c.select('INBOX');
    const n = (await c.search('HEADER X-Mailprobe-Bench ""', { uid: true })).ids.length;
    await c.logout();
    return n;
  } finally {
    c.destroy();
  }
}
