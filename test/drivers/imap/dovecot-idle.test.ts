import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ImapClient } from '../../../drivers/imap/client.js';

const lab = inject('lab');
const user = lab.users[0]!;

function connect(): Promise<ImapClient> {
  return ImapClient.connect({ host: lab.hosts.imap, port: lab.ports.imaps, implicitTls: true, tls: { servername: lab.servername, ca: lab.rootCaPem } });
}

describe('Dovecot (lab): IDLE sees a message appended by another session', () => {
  it('pushes EXISTS during IDLE and completes on DONE', async () => {
    const watcher = await connect();
    const writer = await connect();
    const box = `mailprobe-idle-${randomBytes(4).toString('hex')}`;
    try {
      expect((await watcher.login(user.user, user.password)).status).toBe('OK');
      expect((await writer.login(user.user, user.password)).status).toBe('OK');
      expect((await writer.create(box)).status).toBe('OK');
      expect((await watcher.select(box)).mailbox.exists).toBe(0);

      const start = await watcher.idle();
      if (!start.started) throw new Error(`IDLE refused: ${start.result.text}`);
      expect((await writer.append(box, 'Subject: idle\r\n\r\nhello\r\n')).status).toBe('OK');

      let exists: number | undefined;
      for (let i = 0; i < 20 && exists === undefined; i++) {
        const event = await start.session.next(500);
        if (event.kind === 'untagged' && event.response.kind === 'exists') exists = event.response.count;
      }
      expect(exists).toBe(1);
      const done = await start.session.done();
      expect(done.status).toBe('OK');
    } finally {
      await writer.deleteMailbox(box).catch(() => undefined);
      await writer.close();
      await watcher.close();
    }
  });
});
