/**
 * Starts and stops the whole lab: certificates, free ports, users, Dovecot and Postfix, and
 * waits until every port greets. On any failure it stops what it started and throws with the
 * servers' log tails, so a broken setup explains itself in the vitest output.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dovecotVersion, startDovecot, stopDovecot, writeDovecotFiles } from './dovecot.js';
import { waitForGreeting, type GreetingProbe } from './greeting.js';
import type { LabInfo, LabPorts, LabUser } from './info.js';
import { writeLabPki } from './pki.js';
import { freePorts } from './ports.js';
import { postfixDiagnosis, postfixPaths, postfixVersion, startPostfix, stopPostfix, writePostfixFiles } from './postfix.js';
import { preflight } from './preflight.js';
import { onEmergency } from './reaper.js';
import type { ServerProcess } from './server-process.js';
import { claimLabDir, LAB_DIR_PREFIX, releaseLabDir, sweepStaleLabs } from './sweep.js';

export const LAB_DOMAIN = 'mail.test';
/** Postfix, LMTP and every test client live on 127.0.0.1 ... */
const SMTP_HOST = '127.0.0.1';
/** ... Dovecot's IMAP/POP3 on 127.0.0.2, so Dovecot never sees its clients as local. */
const DOVECOT_HOST = '127.0.0.2';
/** Both servers are up in well under a second; this bound is for a loaded CI machine. */
const READY_TIMEOUT_MS = 15_000;
const LOG_TAIL_LINES = 25;
/** Set to keep the lab directory (configs, logs, maildirs) after the run, for debugging. */
const KEEP_ENV = 'MAILPROBE_LAB_KEEP';

export interface Lab {
  readonly info: LabInfo;
  /** Stop both servers and remove the directory; safe to call more than once. */
  stop(): Promise<void>;
}

function labUsers(): LabUser[] {
  // base64url: no ':' (the passwd-file separator) and only IMAP atom characters, so tests can
  // send it unquoted in LOGIN.
  // carol is reserved for test/integration, so its mailbox holds only what that test delivers.
  // dave and erin exist for runs that need more distinct logins (four load shards in
  // test/distributed/lab-shards.test.ts); no test delivers to them, so their mailboxes stay empty.
  return ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => ({ user: `${name}@${LAB_DOMAIN}`, password: randomBytes(12).toString('base64url') }));
}

/** Every listener, the greeting that proves it is up, and the process that owns it. */
function probes(ports: LabPorts, ca: string, postfix: ServerProcess, dovecot: ServerProcess): [GreetingProbe, ServerProcess][] {
  const tls = { ca, servername: LAB_DOMAIN };
  const smtp = /^220 /;
  const imap = /^\* OK /;
  const pop3 = /^\+OK /;
  return [
    [{ name: 'postfix smtp', host: SMTP_HOST, port: ports.smtp, greeting: smtp }, postfix],
    [{ name: 'postfix submission', host: SMTP_HOST, port: ports.submission, greeting: smtp }, postfix],
    [{ name: 'postfix smtps', host: SMTP_HOST, port: ports.smtps, greeting: smtp, tls }, postfix],
    [{ name: 'dovecot imap', host: DOVECOT_HOST, port: ports.imap, greeting: imap }, dovecot],
    [{ name: 'dovecot imaps', host: DOVECOT_HOST, port: ports.imaps, greeting: imap, tls }, dovecot],
    [{ name: 'dovecot pop3', host: DOVECOT_HOST, port: ports.pop3, greeting: pop3 }, dovecot],
    [{ name: 'dovecot pop3s', host: DOVECOT_HOST, port: ports.pop3s, greeting: pop3, tls }, dovecot],
    [{ name: 'dovecot lmtp', host: SMTP_HOST, port: ports.lmtp, greeting: smtp }, dovecot],
  ];
}

/** Polled by the readiness loop: a server that died fails the start at once, with its reason. */
function deathOf(server: ServerProcess): () => string | undefined {
  return () => {
    const why = server.exitReason();
    return why === undefined ? undefined : `${server.name} ${why}`;
  };
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((err: Error) => `(unreadable: ${err.message})`);
  return text.split('\n').slice(-LOG_TAIL_LINES - 1).join('\n');
}

async function failureReport(err: unknown, dir: string, logs: LabInfo['logs'], postfix?: ServerProcess, dovecot?: ServerProcess): Promise<string> {
  const outputs = [postfix, dovecot]
    .filter((s): s is ServerProcess => s !== undefined && s.output().trim() !== '')
    .map((s) => `--- ${s.name} output ---\n${s.output()}`);
  const postfixDied = postfix?.exitReason() !== undefined;
  return [
    `test/lab failed to start: ${err instanceof Error ? err.message : String(err)}`,
    `--- ${logs.postfix} ---\n${await tail(logs.postfix)}`,
    `--- ${logs.dovecot} ---\n${await tail(logs.dovecot)}`,
    ...outputs,
    ...(postfixDied ? [`--- postfix check ---\n${await postfixDiagnosis(postfixPaths(dir))}`] : []),
  ].join('\n');
}

export async function startLab(): Promise<Lab> {
  await preflight();
  await sweepStaleLabs();
  const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
  // mkdtemp gives 0700; the servers' unprivileged users (postfix, dovenull, nobody) must
  // traverse it.
  await chmod(dir, 0o755);
  await claimLabDir(dir);
  const keep = Boolean(process.env[KEEP_ENV]);
  const logs = { postfix: join(dir, 'maillog'), dovecot: join(dir, 'dovecot.log') };

  let dovecot: ServerProcess | undefined;
  let postfix: ServerProcess | undefined;
  let forgetDir: (() => void) | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Postfix first: it delivers into Dovecot, never the other way round.
      if (postfix) await stopPostfix(postfix, postfixPaths(dir));
      if (dovecot) await stopDovecot(dovecot);
      forgetDir?.();
      if (keep) await releaseLabDir(dir);
      else await rm(dir, { recursive: true, force: true });
    })());

  try {
    const [pki, smtpPorts, dovecotPorts] = await Promise.all([
      writeLabPki(dir),
      freePorts(SMTP_HOST, ['smtp', 'submission', 'smtps', 'lmtp'] as const),
      freePorts(DOVECOT_HOST, ['imap', 'imaps', 'pop3', 'pop3s'] as const),
    ]);
    const ports: LabPorts = { ...smtpPorts, ...dovecotPorts };
    const users = labUsers();
    const dovecotFiles = await writeDovecotFiles({ dir, host: DOVECOT_HOST, lmtpHost: SMTP_HOST, domain: LAB_DOMAIN, ports, pki, users });
    const postfixFiles = await writePostfixFiles({
      dir,
      host: SMTP_HOST,
      domain: LAB_DOMAIN,
      ports,
      lmtp: { host: SMTP_HOST, port: ports.lmtp },
      authSocket: dovecotFiles.authSocket,
      pki,
      users,
    });

    dovecot = startDovecot(dovecotFiles);
    postfix = startPostfix(postfixFiles);
    // Registered after the servers, so an emergency kills them before removing their files.
    if (!keep) forgetDir = onEmergency(() => rmSync(dir, { recursive: true, force: true }));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const [versions] = await Promise.all([
      Promise.all([postfixVersion(postfixFiles), dovecotVersion()]),
      ...probes(ports, pki.rootCaPem, postfix, dovecot).map(([probe, server]) => waitForGreeting(probe, deadline, deathOf(server))),
    ]);
    const info: LabInfo = {
      hosts: { smtp: SMTP_HOST, imap: DOVECOT_HOST, pop3: DOVECOT_HOST, lmtp: SMTP_HOST },
      ports,
      servername: LAB_DOMAIN,
      domain: LAB_DOMAIN,
      rootCaPem: pki.rootCaPem,
      rootCaPath: pki.rootCaPath,
      users,
      logs,
      versions: { postfix: versions[0], dovecot: versions[1] },
      dir,
    };
    return { info, stop };
  } catch (err) {
    const report = await failureReport(err, dir, logs, postfix, dovecot);
    await stop().catch(() => undefined);
    throw new Error(report, { cause: err });
  }
}
