/**
 * Shared pieces of the sandbox tests: a sandbox per file, the drivers' TLS options for it, a
 * logged-in IMAP client, and a raw socket client for what the drivers will not send.
 */
import { connect, type Socket } from 'node:net';
import { connectImap, connectPop3, connectSmtp } from '../../drivers/connect.js';
import type { ImapClient } from '../../drivers/imap/client.js';
import type { Pop3Client } from '../../drivers/pop3/client.js';
import type { SmtpClient } from '../../drivers/smtp/client.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { Sandbox } from '../../sandbox/index.js';

export const TIMEOUTS = { connectMs: 3000, greetingMs: 3000, tlsMs: 3000, commandMs: 5000, dataMs: 10_000, closeMs: 500 };

export function tlsOf(sb: Sandbox): TlsClientOptions {
  return { ca: sb.caPem!, servername: sb.servername };
}

export function user(sb: Sandbox, i = 0): { address: string; password: string } {
  return sb.users[i]!;
}

/** IMAPS, logged in as user `i`. */
export async function imapLogin(sb: Sandbox, i = 0): Promise<ImapClient> {
  const c = await connectImap(sb.urls.imaps, { tls: tlsOf(sb), timeouts: TIMEOUTS });
  const u = user(sb, i);
  const r = await c.login(u.address, u.password);
  if (r.status !== 'OK') {
    c.destroy();
    throw new Error(`login failed: ${r.text}`);
  }
  return c;
}

export async function pop3Login(sb: Sandbox, i = 0): Promise<Pop3Client> {
  const c = await connectPop3(sb.urls.pop3s, { tls: tlsOf(sb), timeouts: TIMEOUTS });
  const u = user(sb, i);
  const r = await c.authPlain(u.address, u.password);
  if (!r.ok) {
    c.destroy();
    throw new Error(`POP3 login failed: ${r.text}`);
  }
  return c;
}

/** Submission with STARTTLS and AUTH PLAIN as user `i`, EHLO done. */
export async function submit(sb: Sandbox, i = 0): Promise<SmtpClient> {
  const c = await connectSmtp(sb.urls.submission, { tls: tlsOf(sb), timeouts: TIMEOUTS });
  await c.ehlo('client.test');
  const tls = await c.starttls();
  await c.ehlo('client.test');
  const u = user(sb, i);
  const auth = tls.tls ? await c.auth('PLAIN', { user: u.address, password: u.password }) : undefined;
  if (auth?.code !== 235) {
    c.destroy();
    throw new Error(`STARTTLS or AUTH failed: ${tls.reply.code} ${auth?.code}`);
  }
  return c;
}

/** Send one message from user `from` to `to` through submission; returns the final reply code. */
export async function send(sb: Sandbox, to: string, message: string | Buffer, from = 0): Promise<number> {
  const c = await submit(sb, from);
  try {
    const mail = await c.mail(user(sb, from).address);
    if (mail.code !== 250) return mail.code;
    const rcpt = await c.rcpt(to);
    if (rcpt.code !== 250) return rcpt.code;
    const d = await c.data(message);
    return d.reply?.code ?? d.dataReply.code;
  } finally {
    await c.quit();
  }
}

/** A plain socket that collects everything the server sends. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything received so far (latin1). */
  text(): string;
  /** Wait until the received text matches, or fail after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Resolves when the server closed the connection (true) or after `ms` (false). */
  closed(ms?: number): Promise<boolean>;
  write(data: string | Buffer): void;
  destroy(): void;
}

export function rawConnect(port: number, host = '127.0.0.1'): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    let ended = false;
    const waiters = new Set<() => void>();
    const wake = (): void => {
      for (const w of [...waiters]) w();
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      wake();
    });
    socket.on('close', () => {
      ended = true;
      wake();
    });
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        text: () => received,
        write: (data) => void socket.write(data),
        destroy: () => socket.destroy(),
        waitFor: (pattern, ms = 5000) =>
          new Promise<string>((res, rej) => {
            const check = (): void => {
              if (pattern.test(received)) {
                cleanup();
                res(received);
              } else if (ended) {
                cleanup();
                rej(new Error(`connection closed before ${pattern}; got ${JSON.stringify(received.slice(-300))}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              rej(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(received.slice(-300))}`));
            }, ms);
            const cleanup = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          }),
        closed: (ms = 5000) =>
          new Promise<boolean>((res) => {
            if (ended) return res(true);
            const timer = setTimeout(() => {
              waiters.delete(check);
              res(false);
            }, ms);
            const check = (): void => {
              if (!ended) return;
              clearTimeout(timer);
              waiters.delete(check);
              res(true);
            };
            waiters.add(check);
          }),
      }),
    );
    socket.once('error', reject);
  });
}
