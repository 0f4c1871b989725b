import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';
import { astring } from '../../../drivers/imap/command-encoder.js';
import { transcriptText } from './fake-imap.js';

const lab = inject('lab');
const user = lab.users[1] ?? lab.users[0]!;

// Dot lines, 8-bit text and a line that looks like an IMAP response: Dovecot must hand them back
// byte for byte, and the driver must not touch them.
const MESSAGE = Buffer.from(
  'From: Alice <alice@mail.test>\r\nTo: Bob <bob@mail.test>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n' +
    'Message-ID: <imap-driver-test@mail.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n' +
    'Content-Transfer-Encoding: 8bit\r\n\r\n.\r\n..two dots\r\n* 1 EXISTS\r\nGrüße aus Köln ✓\r\n',
  'utf8',
);

describe('Dovecot (lab): a mailbox round trip over implicit TLS', () => {
  it('appends, selects, fetches the exact bytes, searches, stores, copies, expunges', async () => {
    const c = await ImapClient.connect({
      host: lab.hosts.imap,
      port: lab.ports.imaps,
      implicitTls: true,
      tls: { servername: lab.servername, ca: lab.rootCaPem },
    });
    const box = `mailprobe-imap-${randomBytes(4).toString('hex')}`;
    const copyBox = `${box}-copy`;
    try {
      expect(c.transport.tls?.verified).toBe(true);
      const auth = await c.authenticatePlain(user.user, user.password);
      expect(auth.status).toBe('OK');
      expect(transcriptText(c.transport.snapshot())).toContain('AUTHENTICATE PLAIN ***');
      if (c.capabilities === undefined) await c.capability();

      expect((await c.create(box)).status).toBe('OK');
      expect((await c.create(copyBox)).status).toBe('OK');

      const appended = await c.append(box, MESSAGE, { flags: ['\\Draft'] });
      expect(appended.status).toBe('OK');
      expect(appended.appendUid?.uid).toBe(1);
      // A synchronising literal too: Dovecot must answer "+" first.
      const sync = await c.append(box, MESSAGE, { literalMode: 'sync' });
      expect(sync.status).toBe('OK');
      expect(sync.continuations).toHaveLength(1);

      const sel = await c.select(box, { condstore: true });
      expect(sel.status).toBe('OK');
      expect(sel.mailbox).toMatchObject({ exists: 2, readWrite: true, uidValidity: appended.appendUid?.uidValidity });
      expect(sel.mailbox.highestModseq).toBeTypeOf('bigint');
      expect(c.state).toBe('selected');

      const fetched = await c.fetch('1:2', '(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[])');
      expect(fetched.messages).toHaveLength(2);
      const first = fetched.messages[0]!.attributes;
      expect(first.bodies.get('BODY[]')?.bytes?.equals(MESSAGE)).toBe(true);
      expect(first.rfc822Size).toBe(MESSAGE.length);
      expect(first.flags).toContain('\\Draft');
      expect(first.envelope?.messageId).toBe('<imap-driver-test@mail.test>');
      expect(first.envelope?.from?.[0]).toMatchObject({ mailbox: 'alice', host: 'mail.test' });
      expect(first.bodyStructure?.kind).toBe('list');

      const partial = await c.fetch('1', 'BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.20>', { uid: true });
      expect(partial.messages[0]!.attributes.bodies.get('BODY[HEADER.FIELDS (SUBJECT)]')).toMatchObject({ origin: 0 });

      const found = await c.search(['TEXT', astring('Köln')], { uid: true, charset: 'UTF-8' });
      expect(found.status).toBe('OK');
      expect(found.ids).toEqual([1, 2]);

      const stored = await c.store('2', '+FLAGS', '(\\Deleted)', { uid: true });
      expect(stored.messages[0]?.attributes.flags).toContain('\\Deleted');

      const copied = await c.copy('1', copyBox, { uid: true });
      expect(copied.copyUid).toMatchObject({ sourceUids: '1', destinationUids: '1' });

      const expunged = await c.expunge({ uidSet: '2' });
      expect(expunged.status).toBe('OK');
      expect(expunged.expunged).toEqual([2]);

      const [noop, status] = await c.pipeline([{ name: 'NOOP' }, { name: 'STATUS', args: [astring(copyBox), '(MESSAGES UIDNEXT)'] }]);
      expect(noop?.status).toBe('OK');
      expect(status?.untagged.find((u) => u.kind === 'status')).toMatchObject({ attributes: { messages: 1, uidNext: 2 } });

      const listed = await c.list('', `${box}*`);
      expect(listed.mailboxes.map((m) => m.mailbox).sort()).toEqual([box, copyBox].sort());

      expect((await c.unselect()).status).toBe('OK');
      expect(c.state).toBe('authenticated');
    } finally {
      // Cleanup must not hide the failure that got us here.
      if (!c.transport.closed) {
        await c.deleteMailbox(box).catch(() => undefined);
        await c.deleteMailbox(copyBox).catch(() => undefined);
        await c.logout().catch(() => undefined);
      }
      await c.close();
    }
  });
});
