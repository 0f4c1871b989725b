/**
 * The built-in IMAP suite against the lab's Dovecot, pinned: the status of every check on the
 * STARTTLS port and on IMAPS (docs/calibration.md "## IMAP"), and no scratch mailbox left
 * behind. Runs as bob; builtin-lab.test.ts runs the same checks as alice.
 */
import { describe, expect, inject, it } from 'vitest';
import { ImapClient } from '../../drivers/imap/client.js';
import type { CheckResult } from '../../engine/report-types.js';
import { checkMeta } from '../../engine/runner/run-check.js';
import { builtinChecks } from '../../suites/index.js';
import { labUrl, runOnLab } from '../helpers/run-lab-checks.js';

type Status = CheckResult['status'];

/** Everything passes on both ports except these (why: docs/calibration.md). */
const BOTH: Readonly<Record<string, Status>> = {
  'imap.enable.enabled-always': 'fail', // the real deviation
  'imap.enable.not-authenticated': 'warn', // OK "ENABLE ignored in non-authenticated state"
  'imap.specialuse.selection': 'skip', // no SPECIAL-USE in the lab's config
  'imap.namespace.rev2': 'skip', // Dovecot 2.3 is IMAP4rev1
};
const ONLY: Readonly<Record<'imap' | 'imaps', Readonly<Record<string, Status>>>> = {
  imap: { 'imap.starttls.bad-on-implicit-tls': 'skip' },
  imaps: {
    'imap.starttls.stays-not-authenticated': 'skip',
    'imap.starttls.capability-reread': 'skip',
    'imap.starttls.logindisabled-lifted': 'skip',
    'imap.starttls.no-plaintext-injection': 'skip',
    'imap.login.logindisabled-refused': 'skip',
  },
};

/** Names the checks give their scratch mailboxes. */
const SCRATCH = /^mailprobe-[0-9a-f]{8}(-b|-missing2?)?$/;

describe('built-in IMAP suite against Dovecot', () => {
  it('gives every check its calibrated status on imap and imaps, and leaves no scratch mailbox', async () => {
    const lab = inject('lab');
    const checks = await builtinChecks(['imap']);
    const out = await runOnLab(checks, ['imap', 'imaps'], { user: 1 });
    for (const port of ['imap', 'imaps'] as const) {
      const url = labUrl(port);
      const got: Record<string, Status> = {};
      const want: Record<string, Status> = {};
      for (const r of out.checks.filter((c) => c.target === url)) {
        // Dovecot 2.3 now and then answers CREATE of a new name with NO [ALREADYEXISTS] while
        // other sessions create mailboxes (docs/calibration.md): the check is inconclusive.
        got[r.id] = r.status === 'inconclusive' && /^setup: CREATE/.test(r.message) ? 'pass' : r.status;
      }
      for (const c of checks) {
        const id = checkMeta(c).id;
        want[id] = ONLY[port][id] ?? BOTH[id] ?? 'pass';
      }
      const differing = out.checks.filter((r) => r.target === url && got[r.id] !== want[r.id]);
      expect(got, differing.map((r) => `${port} ${r.id}: ${r.status} — ${r.message}`).join('\n')).toEqual(want);
    }

    const bob = lab.users[1]!;
    const client = await ImapClient.connect({ host: lab.hosts.imap, port: lab.ports.imaps, implicitTls: true, tls: { servername: lab.servername, ca: lab.rootCaPem } });
    try {
      expect((await client.login(bob.user, bob.password)).status).toBe('OK');
      const listed = await client.list('', 'mailprobe-*');
      expect(listed.mailboxes.map((m) => m.mailbox).filter((name) => SCRATCH.test(name))).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
