import { describe, expect, inject, it } from 'vitest';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import { runInterop } from '../../suites/interop/round-trip.js';
import { labUrl } from '../helpers/run-lab-checks.js';

const lab = inject('lab');

describe('interop suite against Postfix and Dovecot', () => {
  it('nodemailer → Postfix → Dovecot → imapflow and POP3, byte-exact', async () => {
    const user = lab.users[2]!;
    const results = await runInterop({
      smtp: parseTarget(labUrl('submission')),
      imap: parseTarget(labUrl('imaps')),
      pop3: parseTarget(labUrl('pop3')),
      tls: { servername: lab.servername, ca: lab.rootCaPem },
      credentials: { user: user.user, password: secret(user.password) },
      rcpt: undefined,
      timeoutMs: 5000,
    });
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['interop.submit', 'pass', expect.stringMatching(/^accepted: 250/)],
      ['interop.imap-fetch', 'pass', expect.stringMatching(/^byte-exact; delivered in \d+ ms$/)],
      ['interop.pop3-retr', 'pass', expect.stringMatching(/^byte-exact/)],
    ]);
    expect(JSON.stringify(results)).not.toContain(user.password);
  });

  it('without a login it is inconclusive, not failed', async () => {
    const results = await runInterop({ smtp: parseTarget(labUrl('submission')), imap: undefined, pop3: undefined, tls: {}, credentials: undefined, rcpt: undefined, timeoutMs: 1000 });
    expect(results.map((r) => r.status)).toEqual(['inconclusive']);
  });
});
