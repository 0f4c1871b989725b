/**
 * A scripted POP3 server on 127.0.0.1 port 0 for the client tests: it sends a greeting, then
 * hands each command line to the test's handler and writes back whatever it returns.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { scriptServer, type ScriptContext, type ScriptServer } from '../../helpers/script-server.js';

export const RFC_GREETING = '+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n';

export interface Session {
  socket: Socket | TLSSocket;
  ctx: ScriptContext;
  /** Swap the socket the loop reads from and writes to (after a STLS upgrade). */
  use(socket: Socket | TLSSocket): void;
}

/** What to send back: bytes, nothing (undefined), or 'close' to end the connection. */
export type Answer = string | Buffer | undefined | 'close';
export type Handler = (line: string, session: Session) => Answer | Promise<Answer>;

export interface FakePop3 extends ScriptServer {
  /** Command lines received, terminators removed, in order. */
  readonly received: string[];
}

export async function fakePop3(handler: Handler, greeting: string | undefined = RFC_GREETING): Promise<FakePop3> {
  const received: string[] = [];
  const server = await scriptServer(async (socket, ctx) => {
    const session: Session = {
      socket,
      ctx,
      use(s) {
        session.socket = s;
      },
    };
    if (greeting !== undefined) socket.write(greeting);
    for (;;) {
      const line = (await ctx.readLine(session.socket)).replace(/\r?\n$/, '');
      received.push(line);
      const answer = await handler(line, session);
      if (answer === 'close') {
        session.socket.end();
        return;
      }
      if (answer !== undefined) session.socket.write(answer);
    }
  });
  return Object.assign(server, { received });
}

/** A transcript as plain text, one entry per line, for `toContain` assertions. */
export function transcriptText(entries: readonly { dir: string; text: string }[]): string {
  return entries.map((e) => `${e.dir}: ${e.text}`).join('\n');
}
