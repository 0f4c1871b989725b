/**
 * The floor for a Node.js client in the IMAP load benchmark: a bare TLS socket sending the
 * bench's commands one at a time with nothing but the protocol (no literal framing, no limits,
 * no deadline per command, no metrics), reading through Node's `onread` into one buffer. After
 * each write it looks for the command's tagged completion (`\r\n<tag> `) in the text read since
 * and wants its status to be OK (RFC 9051 §7.1). A literal holding such a line would fool it;
 * the lab's seeded messages hold none. It answers "how close to what Node itself costs is
 * imap-session?": the goal of 0.3× imapflow's CPU leaves what is over this floor to the tool.
 */
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { withRunDeadline } from './run-deadline.js';

export interface PlainImapRun {
  readonly host: string;
  readonly port: number;
  readonly tls: ConnectionOptions;
  readonly user: string;
  readonly password: string;
  readonly sessions: number;
  /** Rounds per session of header FETCH, whole-message FETCH, UID SEARCH UNSEEN and NOOP. */
  readonly rounds: number;
}

/** Text of one command's responses kept while its completion is looked for. */
const MAX_RESPONSE_CHARS = 1 << 20;

/** Runs every session to its LOGOUT; rejects on a completion that is not OK, a socket error, or past RUN_DEADLINE_MS. */
export function runPlainImapClient(run: PlainImapRun): Promise<void> {
  const sockets = new Set<TLSSocket>();
  const sessions = Array.from({ length: run.sessions }, () => session(run, sockets));
  return withRunDeadline('plain IMAP client', sockets, Promise.all(sessions).then(() => undefined));
}

function session(run: PlainImapRun, sockets: Set<TLSSocket>): Promise<void> {
  return new Promise((resolve, reject) => {
    const landing = Buffer.allocUnsafe(64 * 1024);
    // Text read since the last write, behind a CRLF so a completion first in it is found too.
    let seen = '\r\n';
    // What ends the wait: the greeting's `* ` first, then each command's `<tag> `.
    let marker = '\r\n* ';
    let step = -1;
    let exists = 0;
    const last = 2 + 4 * run.rounds;
    const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    const command = (k: number): string => {
      if (k === 0) return `LOGIN ${quote(run.user)} ${quote(run.password)}`;
      if (k === 1) return 'SELECT INBOX';
      if (k === last) return 'LOGOUT';
      const r = Math.floor((k - 2) / 4);
      const seq = (r % exists) + 1;
      switch ((k - 2) % 4) {
        case 0:
          return `FETCH ${seq} (UID FLAGS BODY.PEEK[HEADER])`;
        case 1:
          return `FETCH ${seq} (UID FLAGS BODY.PEEK[])`;
        case 2:
          return 'UID SEARCH UNSEEN';
        default:
          return 'NOOP';
      }
    };
    const fail = (why: string): void => {
      socket.destroy();
      reject(new Error(`plain IMAP client: ${why}`));
    };
    const onCompleted = (status: string): void => {
      // Named, never quoted whole: the LOGIN line carries the password.
      if (status !== 'OK') return fail(`${step < 0 ? 'greeting' : step === 0 ? 'LOGIN' : command(step)}: ${status}`);
      if (step === 1) {
        const m = /\* (\d+) EXISTS/i.exec(seen);
        exists = m ? Number(m[1]) : 0;
        if (exists === 0) return fail('SELECT INBOX: the mailbox is empty');
      }
      if (step === last) {
        socket.destroy();
        resolve();
        return;
      }
      step++;
      const tag = `p${step}`;
      marker = `\r\n${tag} `;
      seen = '\r\n';
      // A Buffer, as imapflow and mailprobe write: Node's write path, shared by the three in
      // the bench's process, then sees one kind of chunk.
      socket.write(Buffer.from(`${tag} ${command(step)}\r\n`, 'latin1'));
    };
    const onRead = (n: number): boolean => {
      seen += landing.toString('latin1', 0, n);
      const at = seen.indexOf(marker);
      if (at === -1) {
        if (seen.length > MAX_RESPONSE_CHARS) fail(`no completion within ${MAX_RESPONSE_CHARS} characters`);
        return true;
      }
      const from = at + marker.length;
      const end = seen.indexOf('\r\n', from);
      if (end === -1) return true;
      onCompleted(seen.slice(from, end).split(' ', 1)[0]!.toUpperCase());
      return true;
    };
    // `onread` works for TLS sockets too (tls.connect passes it on to its socket), but is
    // typed on net's options only: as a variable, not a literal, the object is accepted.
    const options = { ...run.tls, host: run.host, port: run.port, onread: { buffer: landing, callback: onRead } };
    const socket = connect(options);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => fail(err.message));
  });
}
