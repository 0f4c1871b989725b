/**
 * The interop suite: real clients other than mailprobe's own drivers exercise the server the
 * way users' mail programs do. nodemailer submits (STARTTLS and AUTH as the server advertises),
 * imapflow finds the message by Message-ID and fetches it, mailprobe's POP3 driver retrieves
 * it; the body must arrive byte-exact, and the delivery latency is recorded.
 *
 * Code, not YAML: it spans three targets and two third-party clients.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pop3Client } from '../../drivers/pop3/client.js';
import type { Secret } from '../../drivers/redact.js';
import type { Target } from '../../drivers/target.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { TranscriptEntry } from '../../drivers/transcript.js';
import type { CheckMeta } from '../../engine/checks/code-check.js';
import type { CheckResult, CheckStatus } from '../../engine/report-types.js';
import { arrivedIntact, firstDifference, interopMessage } from './message.js';

/** The interop checks as `mailprobe list` shows them: each runs against the target of its protocol. */
export const INTEROP_CHECKS = [
  {
    protocol: 'smtp',
    meta: { id: 'interop.submit', title: 'nodemailer submits a message (STARTTLS and AUTH as advertised)', ref: 'RFC 6409 §4, RFC 3207, RFC 4954', level: 'MUST', needs: ['login'] },
  },
  {
    protocol: 'imap',
    meta: { id: 'interop.imap-fetch', title: 'imapflow finds the message by Message-ID and fetches it byte-exact', ref: 'RFC 9051 §6.4.4, §6.4.5; RFC 5321 §4.5.2', level: 'MUST', needs: ['login'] },
  },
  {
    protocol: 'pop3',
    meta: { id: 'interop.pop3-retr', title: 'POP3 RETR returns the message byte-exact', ref: 'RFC 1939 §7 RETR, §3 byte-stuffing', level: 'MUST', needs: ['login'] },
  },
] as const satisfies readonly { protocol: Target['protocol']; meta: CheckMeta }[];

type InteropId = (typeof INTEROP_CHECKS)[number]['meta']['id'];

export interface InteropInput {
  readonly smtp: Target;
  readonly imap: Target | undefined;
  readonly pop3: Target | undefined;
  readonly tls: TlsClientOptions;
  readonly credentials: { readonly user: string; readonly password: Secret } | undefined;
  /** Where the message goes; the login's own address by default (so IMAP/POP3 can read it). */
  readonly rcpt: string | undefined;
  readonly timeoutMs: number;
  /** How long to wait for delivery into the mailbox. */
  readonly deliveryTimeoutMs?: number;
  /** `--keep`: leave the test message in the mailbox (it is deleted otherwise). */
  readonly keep?: boolean;
}

interface Step {
  status: CheckStatus;
  message: string;
  notes: TranscriptEntry[];
  ms: number;
}

const POLL_MS = 100;

export async function runInterop(input: InteropInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const base = (id: InteropId, target: Target, step: Step): CheckResult => {
    const { meta } = INTEROP_CHECKS.find((c) => c.meta.id === id)!;
    return {
      id,
      protocol: target.protocol,
      target: target.url,
      title: meta.title,
      ref: meta.ref,
      level: meta.level,
      status: step.status,
      message: step.message,
      durationMs: Math.round(step.ms),
      transcript: step.notes,
    };
  };
  const creds = input.credentials;
  if (!creds) {
    const step: Step = { status: 'inconclusive', message: 'the interop suite needs a login: pass --user and a password', notes: [], ms: 0 };
    return [base('interop.submit', input.smtp, step)];
  }
  const rcpt = input.rcpt ?? creds.user;
  const id = randomUUID();
  const message = interopMessage(id, creds.user, rcpt);
  const submitted = await submit(input, creds, rcpt, id, message);
  results.push(base('interop.submit', input.smtp, submitted.step));
  if (submitted.step.status !== 'pass') return results;
  const sentAt = submitted.at;

  if (input.imap) {
    const fetched = await fetchWithImapflow(input, input.imap, creds, id, message, sentAt);
    results.push(base('interop.imap-fetch', input.imap, fetched));
  }
  if (input.pop3) {
    const retrieved = await retrieveWithPop3(input, input.pop3, creds, id, message, sentAt);
    results.push(base('interop.pop3-retr', input.pop3, retrieved));
  }
  if (!input.keep) await removeTestMessage(input, creds, id);
  return results;
}

function tlsFor(input: InteropInput): { servername?: string; ca?: string | Buffer | (string | Buffer)[]; rejectUnauthorized: boolean } {
  const ca = input.tls.ca;
  return {
    ...(input.tls.servername ? { servername: input.tls.servername } : {}),
    ...(ca === undefined ? {} : { ca: Array.isArray(ca) ? [...(ca as (string | Buffer)[])] : (ca as string | Buffer) }),
    rejectUnauthorized: input.tls.insecure !== true,
  };
}

async function submit(input: InteropInput, creds: { user: string; password: Secret }, rcpt: string, id: string, message: Buffer): Promise<{ step: Step; at: number }> {
  const t0 = performance.now();
  const notes: TranscriptEntry[] = [];
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: input.smtp.host,
    port: input.smtp.port,
    secure: input.smtp.implicitTls,
    requireTLS: !input.smtp.implicitTls,
    auth: { user: creds.user, pass: creds.password.reveal() },
    tls: tlsFor(input),
    connectionTimeout: input.timeoutMs,
    greetingTimeout: input.timeoutMs,
    socketTimeout: input.timeoutMs,
    logger: false,
  });
  try {
    const info = await transport.sendMail({ envelope: { from: creds.user, to: [rcpt] }, raw: message });
    const ms = performance.now() - t0;
    // The Message-ID names the message in the mailbox (to find it after --keep).
    notes.push({ t: 0, dir: 'I', text: `nodemailer submitted ${message.length} bytes (Message-ID <${id}@mailprobe.invalid>) to ${rcpt} in ${Math.round(ms)} ms: ${String(info.response)}` });
    return { step: { status: 'pass', message: `accepted: ${String(info.response)}`, notes, ms }, at: performance.now() };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    notes.push({ t: 0, dir: 'I', text: `nodemailer failed: ${text}` });
    return { step: { status: 'fail', message: `submission failed: ${text}`, notes, ms: performance.now() - t0 }, at: 0 };
  } finally {
    transport.close();
  }
}

async function imapflowClient(input: InteropInput, target: Target, creds: { user: string; password: Secret }) {
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.implicitTls,
    doSTARTTLS: target.implicitTls ? undefined : true,
    auth: { user: creds.user, pass: creds.password.reveal() },
    tls: tlsFor(input),
    logger: false,
    connectionTimeout: input.timeoutMs,
    greetingTimeout: input.timeoutMs,
    socketTimeout: input.timeoutMs,
  });
}

async function fetchWithImapflow(input: InteropInput, target: Target, creds: { user: string; password: Secret }, id: string, sent: Buffer, sentAt: number): Promise<Step> {
  const t0 = performance.now();
  const notes: TranscriptEntry[] = [];
  const client = await imapflowClient(input, target, creds);
  client.on('error', () => {});
  try {
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const deadline = performance.now() + (input.deliveryTimeoutMs ?? 15_000);
      let uid: number | undefined;
      while (uid === undefined && performance.now() < deadline) {
        const found = await client.search({ header: { 'message-id': `<${id}@mailprobe.invalid>` } }, { uid: true });
        uid = found && found.length > 0 ? found[0] : undefined;
        if (uid === undefined) await new Promise((r) => setTimeout(r, POLL_MS));
      }
      if (uid === undefined) return { status: 'fail', message: `the message did not arrive in INBOX within ${input.deliveryTimeoutMs ?? 15_000} ms`, notes, ms: performance.now() - t0 };
      const latency = performance.now() - sentAt;
      notes.push({ t: 0, dir: 'I', text: `imapflow found UID ${uid} ${Math.round(latency)} ms after submission` });
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      const source = msg ? msg.source : undefined;
      if (!source) return { status: 'fail', message: 'FETCH returned no message source', notes, ms: performance.now() - t0 };
      const ok = arrivedIntact(sent, source);
      return {
        status: ok ? 'pass' : 'fail',
        message: ok ? `byte-exact; delivered in ${Math.round(latency)} ms` : `the stored message differs from what was submitted: ${firstDifference(sent, source)}`,
        notes,
        ms: performance.now() - t0,
      };
    } finally {
      lock.release();
    }
  } catch (err) {
    return { status: 'fail', message: `imapflow: ${err instanceof Error ? err.message : String(err)}`, notes, ms: performance.now() - t0 };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function retrieveWithPop3(input: InteropInput, target: Target, creds: { user: string; password: Secret }, id: string, sent: Buffer, sentAt: number): Promise<Step> {
  const t0 = performance.now();
  const deadline = performance.now() + (input.deliveryTimeoutMs ?? 15_000);
  const marker = Buffer.from(`<${id}@mailprobe.invalid>`);
  let lastError = 'not found';
  // POP3 shows the maildrop as it was at login (RFC 1939 §5): poll with fresh sessions.
  while (performance.now() < deadline) {
    const pop = await Pop3Client.connect({ host: target.host, port: target.port, implicitTls: target.implicitTls, tls: input.tls, timeouts: { commandMs: input.timeoutMs, greetingMs: input.timeoutMs } });
    try {
      if (!pop.tls) {
        const res = await pop.stls();
        if (!res.upgraded) return { status: 'inconclusive', message: 'STLS refused: cannot log in safely', notes: pop.transport.snapshot(), ms: performance.now() - t0 };
      }
      await pop.user(creds.user);
      const login = await pop.pass(creds.password);
      if (!login.ok) return { status: 'inconclusive', message: `POP3 login failed: ${login.text}`, notes: pop.transport.snapshot(), ms: performance.now() - t0 };
      const list = await pop.list();
      for (const entry of [...list.entries].reverse()) {
        const top = await pop.top(entry.msg, 0);
        if (!top.message?.includes(marker)) continue;
        const retr = await pop.retr(entry.msg);
        const stored = retr.message ?? Buffer.alloc(0);
        const ok = arrivedIntact(sent, stored);
        const latency = performance.now() - sentAt;
        const notes = pop.transport.snapshot();
        await pop.quit();
        return {
          status: ok ? 'pass' : 'fail',
          message: ok ? `byte-exact; visible over POP3 ${Math.round(latency)} ms after submission` : `RETR differs from what was submitted: ${firstDifference(sent, stored)}`,
          notes,
          ms: performance.now() - t0,
        };
      }
      await pop.quit();
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      pop.destroy();
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return { status: 'fail', message: `the message was not retrievable over POP3 within the deadline (${lastError})`, notes: [], ms: performance.now() - t0 };
}

/**
 * Best effort: delete the test message over IMAP, or over POP3 (DELE, then QUIT to commit) when
 * there is no IMAP target or IMAP could not do it. A failure changes no verdict.
 */
async function removeTestMessage(input: InteropInput, creds: { user: string; password: Secret }, id: string): Promise<void> {
  if (input.imap) {
    const done = await deleteWithImapflow(input, input.imap, creds, id).then(
      () => true,
      () => false,
    );
    if (done) return;
  }
  if (input.pop3) await deleteWithPop3(input, input.pop3, creds, id).catch(() => undefined);
}

/** A POP3 session that marks every message carrying the test's Message-ID deleted and QUITs (RFC 1939 §6: UPDATE removes them). */
async function deleteWithPop3(input: InteropInput, target: Target, creds: { user: string; password: Secret }, id: string): Promise<void> {
  const marker = Buffer.from(`<${id}@mailprobe.invalid>`);
  const pop = await Pop3Client.connect({ host: target.host, port: target.port, implicitTls: target.implicitTls, tls: input.tls, timeouts: { commandMs: input.timeoutMs, greetingMs: input.timeoutMs } });
  try {
    // Never a password in cleartext: without TLS the message stays.
    if (!pop.tls && !(await pop.stls()).upgraded) return;
    await pop.user(creds.user);
    if (!(await pop.pass(creds.password)).ok) return;
    for (const entry of (await pop.list()).entries) {
      if ((await pop.top(entry.msg, 0)).message?.includes(marker)) await pop.dele(entry.msg);
    }
    await pop.quit();
  } finally {
    pop.destroy();
  }
}

async function deleteWithImapflow(input: InteropInput, target: Target, creds: { user: string; password: Secret }, id: string): Promise<void> {
  const client = await imapflowClient(input, target, creds);
  client.on('error', () => {});
  try {
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const found = await client.search({ header: { 'message-id': `<${id}@mailprobe.invalid>` } }, { uid: true });
      if (found && found.length > 0) await client.messageDelete(found.join(','), { uid: true });
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}
