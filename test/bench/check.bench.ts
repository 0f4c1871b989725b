/**
 * `npm run bench:check`: wall time of every built-in suite against the lab's Postfix and
 * Dovecot (all seven ports at once, checks concurrent per target), as `mailprobe check` runs
 * them. Needs root and the lab's Debian packages, like npm test.
 */
import { performance } from 'node:perf_hooks';
import { secret } from '../../drivers/redact.js';
import { parseTarget } from '../../drivers/target.js';
import { runChecks } from '../../engine/runner/run-checks.js';
import { summarize } from '../../engine/report-types.js';
import { builtinChecks } from '../../suites/index.js';
import { runInterop } from '../../suites/interop/round-trip.js';
import { startLab } from '../lab/lab.js';

const lab = await startLab();
try {
  const i = lab.info;
  const url = (scheme: string, host: string, port: number): string => `${scheme}://${host}:${port}`;
  const targets = [
    url('smtp', i.hosts.smtp, i.ports.smtp),
    url('submission', i.hosts.smtp, i.ports.submission),
    url('submissions', i.hosts.smtp, i.ports.smtps),
    url('imap', i.hosts.imap, i.ports.imap),
    url('imaps', i.hosts.imap, i.ports.imaps),
    url('pop3', i.hosts.pop3, i.ports.pop3),
    url('pop3s', i.hosts.pop3, i.ports.pop3s),
  ].map(parseTarget);
  const user = i.users[0]!;
  const credentials = { user: user.user, password: secret(user.password) };
  const tls = { servername: i.servername, ca: i.rootCaPem };
  const checks = await builtinChecks();
  const t0 = performance.now();
  const out = await runChecks({
    targets,
    checks,
    tls,
    starttls: 'optional',
    timeouts: {},
    stepTimeoutMs: 10_000,
    fixtures: { credentials, rcpt: i.users[1]!.user, mailbox: 'INBOX', clientName: 'bench.mailprobe.test' },
    signal: undefined,
    concurrency: 4,
  });
  const interop = await runInterop({ smtp: targets[1]!, imap: targets[4], pop3: targets[5], tls, credentials, rcpt: undefined, timeoutMs: 10_000 });
  const ms = performance.now() - t0;
  const all = [...out.checks, ...interop];
  const s = summarize(all);
  console.log(`node ${process.version}; postfix ${i.versions.postfix}, dovecot ${i.versions.dovecot}`);
  console.log(`${checks.length} built-in checks × their targets + interop = ${all.length} results in ${(ms / 1000).toFixed(2)} s (goal < 10 s)`);
  console.log(Object.entries(s).map(([k, v]) => `${k} ${v}`).join(', '));
} finally {
  await lab.stop();
}
