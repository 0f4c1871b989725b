/**
 * The floor for a Node.js generator in the SMTP load benchmark: a bare `net.Socket` client
 * with nothing but the protocol (no deadlines, no metrics, no error classification), written
 * to be as cheap as Node allows. With PIPELINING (RFC 2920) each message is one write: the
 * body goes out with the next envelope (or with QUIT after the session's last message), as
 * mailprobe's smtp-send does. It answers "how close to what Node itself costs is mailprobe?";
 * the gap to smtp-source left after that is the runtime's, not the tool's.
 */
import { connect, type Socket } from 'node:net';
import { withRunDeadline } from './run-deadline.js';

export interface PlainClientRun {
  readonly port: number;
  /** Sessions at once. */
  readonly sessions: number;
  readonly messages: number;
  /** Messages per session (1 = a new connection per message). */
  readonly perSession: number;
  /** The message as DATA carries it: dot-stuffed, ending with CRLF.CRLF. */
  readonly body: Buffer;
  readonly from: string;
  readonly to: string;
}

/**
 * Runs until `messages` were accepted (250 after the body); rejects on any unexpected reply,
 * socket error, or when the run outlives RUN_DEADLINE_MS (its sockets are then destroyed).
 */
export function runPlainClient(run: PlainClientRun): Promise<void> {
  const sockets = new Set<Socket>();
  return withRunDeadline('plain node client', sockets, converse(run, sockets));
}

function converse(run: PlainClientRun, sockets: Set<Socket>): Promise<void> {
  const ehlo = Buffer.from('EHLO plain.node.invalid\r\n', 'latin1');
  const envelope = Buffer.from(`MAIL FROM:<${run.from}>\r\nRCPT TO:<${run.to}>\r\nDATA\r\n`, 'latin1');
  const bodyAndEnvelope = Buffer.concat([run.body, envelope]);
  const bodyAndQuit = Buffer.concat([run.body, Buffer.from('QUIT\r\n', 'latin1')]);
  let started = 0;
  let accepted = 0;
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`plain node client: ${why}`));
    const session = (): void => {
      if (started >= run.messages) return;
      const socket = connect(run.port, '127.0.0.1');
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.setNoDelay(true);
      let pending = '';
      let sent = 0;
      // The reply codes owed by what was written, in order; MESSAGE marks a body's 250.
      let owed: number[] = [220];
      let stage: 'greeting' | 'ehlo' | 'session' = 'greeting';
      const sendMessage = (): void => {
        started++;
        sent++;
        const last = sent >= run.perSession || started >= run.messages;
        socket.write(last ? bodyAndQuit : bodyAndEnvelope);
        owed = last ? [MESSAGE, 221] : [MESSAGE, 250, 250, 354];
      };
      const onReply = (code: number): void => {
        const want = owed.shift();
        if (want === MESSAGE) {
          if (code !== 250) return fail(`end of data answered ${code}`);
          accepted++;
          if (accepted >= run.messages) resolve();
        } else if (code !== want) return fail(`${code} where ${want} was due`);
        if (owed.length > 0) return;
        if (stage === 'greeting') {
          stage = 'ehlo';
          socket.write(ehlo);
          owed = [250];
        } else if (stage === 'ehlo') {
          stage = 'session';
          socket.write(envelope);
          owed = [250, 250, 354];
        } else if (want === 221) {
          socket.destroy();
          session();
        } else sendMessage();
      };
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
          const line = pending.slice(0, i);
          pending = pending.slice(i + 1);
          if (line[3] !== '-') onReply(Number(line.slice(0, 3)));
        }
      });
      socket.on('error', (err) => fail(err.message));
    };
    for (let i = 0; i < run.sessions; i++) session();
  });
}

/** A body's 250, counted as an accepted message. */
const MESSAGE = -250;
