/**
 * A minimal SMTP server on 127.0.0.1 port 0 for load tests: it answers EHLO (optionally with
 * PIPELINING), MAIL, RCPT, DATA + body, RSET, NOOP and QUIT, handles pipelined input, and can
 * stall every reply of every connection for `stallMs` once per `stallEveryMs` (a server that
 * freezes: what coordinated omission hides).
 */
import { createServer } from 'node:net';
import { listenLocal, LocalServer } from '../../helpers/script-server.js';

export interface ResponderOptions {
  readonly pipelining?: boolean;
  /** Freeze all replies for stallMs, once every stallEveryMs. */
  readonly stallEveryMs?: number;
  readonly stallMs?: number;
  /** Reply to the end of data (default `250 2.0.0 queued`). */
  readonly dataReply?: string;
  /** Delay of every reply, ms (a slow server). */
  readonly delayMs?: number;
  /** Refuse every n-th RCPT (counted over the server's life) with 550; DATA then says 554 when none was accepted. */
  readonly refuseRcptEvery?: number;
  /** Write every reply a few bytes at a time, each piece its own write (replies split across reads). */
  readonly drip?: boolean;
}

export interface Responder {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly connections: number;
  readonly messages: number;
  /** RCPTs refused so far (refuseRcptEvery). */
  readonly refusedRcpts: number;
  close(): Promise<void>;
}

export async function smtpResponder(o: ResponderOptions = {}): Promise<Responder> {
  const local = new LocalServer();
  let messages = 0;
  let rcpts = 0;
  let refusedRcpts = 0;
  let stalledUntil = 0;
  const timers: NodeJS.Timeout[] = [];
  if (o.stallEveryMs !== undefined && o.stallMs !== undefined) {
    const every = o.stallEveryMs;
    const stallMs = o.stallMs;
    const t = setInterval(() => (stalledUntil = Date.now() + stallMs), every);
    t.unref();
    timers.push(t);
  }
  const ehlo = `250-responder.test\r\n${o.pipelining === false ? '' : '250-PIPELINING\r\n'}250 8BITMIME\r\n`;
  const dataReply = `${o.dataReply ?? '250 2.0.0 queued'}\r\n`;

  const port = await local.listen((socket) => {
    socket.setNoDelay(true);
    let buf = '';
    let inData = false;
    let accepted = 0;
    let chain = Promise.resolve();
    const send = (text: string, end = false): void => {
      chain = chain.then(async () => {
        const wait = Math.max(stalledUntil - Date.now(), o.delayMs ?? 0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (socket.destroyed) return;
        if (o.drip) {
          // Pieces of 3 bytes, a timer apart: replies, and lines, split across the client's reads.
          for (let i = 0; i < text.length && !socket.destroyed; i += 3) {
            socket.write(text.slice(i, i + 3));
            await new Promise((r) => setTimeout(r, 1));
          }
          if (end) socket.end();
        } else if (end) socket.end(text);
        else socket.write(text);
      });
    };
    send('220 responder.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      let out = '';
      let quit = false;
      for (;;) {
        if (inData) {
          const end = buf.startsWith('.\r\n') ? 0 : buf.indexOf('\r\n.\r\n');
          if (end === -1) break;
          buf = buf.slice(end === 0 ? 3 : end + 5);
          inData = false;
          messages++;
          out += dataReply;
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl === -1) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') out += ehlo;
        else if (verb === 'RCPT' && o.refuseRcptEvery !== undefined && ++rcpts % o.refuseRcptEvery === 0) {
          refusedRcpts++;
          out += '550 5.1.1 no such user\r\n';
        } else if (verb === 'RCPT') {
          accepted++;
          out += '250 2.1.5 ok\r\n';
        } else if (verb === 'MAIL' || verb === 'RSET') {
          accepted = 0;
          out += '250 2.0.0 ok\r\n';
        } else if (verb === 'HELO' || verb === 'NOOP') out += '250 2.0.0 ok\r\n';
        else if (verb === 'DATA' && accepted === 0) out += '554 5.5.1 no valid recipients\r\n';
        else if (verb === 'DATA') {
          out += '354 go ahead\r\n';
          inData = true;
        } else if (verb === 'QUIT') {
          out += '221 2.0.0 bye\r\n';
          quit = true;
          break;
        } else out += '500 5.5.2 what\r\n';
      }
      if (out !== '') send(out, quit);
    });
  });
  return {
    host: local.host,
    port,
    url: `smtp://${local.host}:${port}`,
    get connections() {
      return local.accepted;
    },
    get messages() {
      return messages;
    },
    get refusedRcpts() {
      return refusedRcpts;
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await local.close();
    },
  };
}

/** A TCP port that refuses connections: bound once, then closed. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  const port = await listenLocal(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
