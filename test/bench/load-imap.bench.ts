/**
 * `npm run bench:load-imap`: client CPU per 1000 IMAP commands against the lab's Dovecot
 * (IMAPS), mailprobe's imap-session (one command at a time, and with --pipeline: the four
 * commands of a round written together) vs an imapflow loop doing the same commands and a bare
 * Node TLS client (plain-imap-client.ts: the floor Node itself sets), interleaved (the order
 * turns each repetition), medians. All keep their sessions (login once) and run FETCH (header), FETCH (whole
 * message), UID SEARCH UNSEEN and NOOP rounds on 4 sessions over a seeded INBOX of 20 messages.
 * Options: --reps N (default 3), --rounds N per session (default 2000: a run's fixed costs, i.e. TLS handshakes, logins and encoding the report's histograms, then weigh little per command; at 500 they add about a third to mailprobe's figure).
 * Needs root and the lab's Debian packages, like npm test.
 */
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { BENCH_SCENARIOS, buildPlan, parseTarget, runBench } from './mailprobe-dist.js';
import type { ScenarioConfig } from '../../suites/bench/config.js';
import { seedPop3Maildrop } from '../helpers/pop3-seed.js';
import { startLab } from '../lab/lab.js';
import { measureInProcess, median, type Measured } from './load-peers.js';
import { runPlainImapClient } from './plain-imap-client.js';

const { values } = parseArgs({ options: { reps: { type: 'string' }, rounds: { type: 'string' } } });
const REPS = Number(values.reps ?? 3);
const ROUNDS = Number(values.rounds ?? 2000);
const SESSIONS = 4;
const COMMANDS_PER_ROUND = 4;

const lab = await startLab();
const seeds = [];
try {
  const i = lab.info;
  const user = i.users[0]!;
  for (let n = 0; n < 10; n++) seeds.push(await seedPop3Maildrop(i, user, { deletable: 1 }));
  const target = parseTarget(`imaps://${i.hosts.imap}:${i.ports.imaps}`);
  const tls = { servername: i.servername, ca: i.rootCaPem };

  const mailprobe = (pipeline: boolean): Promise<Measured> => {
    const config: ScenarioConfig = {
      name: 'imap-session',
      target,
      watch: undefined,
      tls,
      starttls: 'optional',
      timeouts: {},
      users: [{ user: user.user, password: user.password }],
      from: undefined,
      rcpt: [],
      sizeBytes: 1024,
      mix: ['fetch', 'fetch-body', 'search', 'noop'],
      pipeline,
      mailbox: 'INBOX',
      clientName: 'bench.mailprobe.invalid',
      runId: 'imap',
      deliveryTimeoutMs: 1000,
      pollMs: 1000,
    };
    const plan = buildPlan({ concurrency: SESSIONS, iterations: SESSIONS * ROUNDS, perSession: ROUNDS, drainMs: 10_000 });
    return measureInProcess(SESSIONS * ROUNDS * COMMANDS_PER_ROUND, async () => {
      const out = await runBench({ scenario: config, scenarios: BENCH_SCENARIOS, plan, thresholds: [], abortOnFail: false, workers: 1 });
      if (out.bench.metrics['iteration']!.errors > 0) throw new Error(`mailprobe: errors ${JSON.stringify(out.bench.errors)}`);
    });
  };

  const imapflow = (): Promise<Measured> =>
    measureInProcess(SESSIONS * ROUNDS * COMMANDS_PER_ROUND, async () => {
      await Promise.all(
        Array.from({ length: SESSIONS }, async () => {
          const c = new ImapFlow({ host: target.host, port: target.port, secure: true, auth: { user: user.user, pass: user.password }, tls, logger: false });
          c.on('error', () => {});
          await c.connect();
          const box = await c.mailboxOpen('INBOX');
          for (let r = 0; r < ROUNDS; r++) {
            const seq = String((r % box.exists) + 1);
            await c.fetchOne(seq, { uid: true, flags: true, headers: true });
            await c.fetchOne(seq, { uid: true, flags: true, source: true });
            await c.search({ seen: false }, { uid: true });
            await c.noop();
          }
          await c.logout();
        }),
      );
    });

  const bare = (): Promise<Measured> =>
    measureInProcess(SESSIONS * ROUNDS * COMMANDS_PER_ROUND, () =>
      runPlainImapClient({ host: target.host, port: target.port, tls, user: user.user, password: user.password, sessions: SESSIONS, rounds: ROUNDS }),
    );

  await mailprobe(false);
  await imapflow();
  await bare();
  const rows: { name: string; runs: Measured[] }[] = [
    { name: 'imapflow loop', runs: [] },
    { name: 'mailprobe imap-session', runs: [] },
    { name: 'mailprobe --pipeline', runs: [] },
    { name: 'bare Node TLS client', runs: [] },
  ];
  const runs = [imapflow, () => mailprobe(false), () => mailprobe(true), bare];
  for (let rep = 0; rep < REPS; rep++) {
    // The order turns each repetition: a run's place in the sequence (right after another
    // peer's sessions closed, say) is not always the same peer's.
    for (let k = 0; k < runs.length; k++) {
      const which = (rep + k) % runs.length;
      rows[which]!.runs.push(await runs[which]!());
    }
  }
  const per1k = (m: Measured): number => (m.cpuS / m.messages) * 1000;
  const cmdsPerS = (m: Measured): number => m.messages / m.wallS;
  console.log(`node ${process.version}; dovecot ${i.versions.dovecot}; ${SESSIONS} sessions × ${ROUNDS} rounds × ${COMMANDS_PER_ROUND} commands; medians of ${REPS}`);
  const base = median(rows[0]!.runs.map(per1k));
  // The host's speed drifts within seconds: each repetition's own ratio (peers run back to back)
  // is printed too, and its median.
  for (const r of rows) {
    const cpu = median(r.runs.map(per1k));
    const perRep = median(r.runs.map((m, k) => per1k(m) / per1k(rows[0]!.runs[k]!)));
    console.log(
      `${r.name.padEnd(24)} ${median(r.runs.map(cmdsPerS)).toFixed(0).padStart(7)} commands/s  ${cpu.toFixed(4)} CPU-s per 1000 commands  (${(cpu / base).toFixed(2)}× imapflow; per repetition ${perRep.toFixed(2)}×)`,
    );
    console.log(`  ${r.runs.map((m) => per1k(m).toFixed(4)).join(', ')}`);
  }
} finally {
  for (const s of seeds) await s.cleanup();
  await lab.stop();
}
