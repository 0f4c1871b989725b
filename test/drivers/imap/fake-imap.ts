/**
 * A scripted IMAP server for the driver tests, on test/helpers/script-server.ts (127.0.0.1,
 * port 0). It greets, reads tagged commands (answering `{n}` with `+` and reading the literal
 * bytes), and hands each command to the test's handler, which writes whatever the test needs,
 * including things real servers never send.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { scriptServer, type ScriptContext, type ScriptServer } from '../../helpers/script-server.js';

export interface ReceivedCommand {
  readonly tag: string;
  /** Upper-cased first word after the tag (`UID` for UID commands: see `line`). */
  readonly name: string;
  /** The command line(s) as received, literals replaced by `{n}` markers only. */
  readonly line: string;
  readonly literals: Buffer[];
}

export interface ServerIo {
  write(data: string | Buffer): void;
  readLine(): Promise<string>;
  readBytes(n: number): Promise<Buffer>;
  /** Upgrade to TLS (STARTTLS); later reads and writes use TLS. */
  startTls(options: { key: string; cert: string }): void;
  /** Close our side after writing what is queued. */
  end(): void;
  destroy(): void;
  readonly ctx: ScriptContext;
}

export type CommandHandler = (cmd: ReceivedCommand, io: ServerIo) => void | Promise<void>;

export interface FakeImapOptions {
  /** The greeting line without CRLF; `false` sends none. */
  greeting?: string | false;
  handler: CommandHandler;
  /** Answer `{n}` with this continuation (default `+ go ahead`); `false` lets the handler see the line. */
  literalContinuation?: string;
}

export interface FakeImap extends ScriptServer {
  /** Every command every connection sent, in order. */
  readonly received: ReceivedCommand[];
}

export const DEFAULT_GREETING = '* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN ID IDLE] fake ready';

export async function fakeImap(options: FakeImapOptions): Promise<FakeImap> {
  const received: ReceivedCommand[] = [];
  const server = await scriptServer(async (socket, ctx) => {
    const io = new Io(socket, ctx);
    if (options.greeting !== false) io.write(`${options.greeting ?? DEFAULT_GREETING}\r\n`);
    for (;;) {
      let line = await io.readLine();
      const literals: Buffer[] = [];
      let text = line;
      for (let m = /\{(\d+)(\+?)\}\r?\n$/.exec(line); m !== null; m = /\{(\d+)(\+?)\}\r?\n$/.exec(line)) {
        if (m[2] !== '+') io.write(`${options.literalContinuation ?? '+ go ahead'}\r\n`);
        literals.push(await io.readBytes(Number(m[1])));
        line = await io.readLine();
        text += line;
      }
      const m = /^(\S+) (\S+)/.exec(text);
      const cmd: ReceivedCommand = { tag: m?.[1] ?? '', name: (m?.[2] ?? '').replace(/\r?\n$/, '').toUpperCase(), line: text.replace(/\r?\n$/, ''), literals };
      received.push(cmd);
      await options.handler(cmd, io);
    }
  });
  return Object.assign(server, { received }) as FakeImap;
}

/** Byte-exact reads over a socket that may be upgraded to TLS mid-way. */
class Io implements ServerIo {
  #socket: Socket | TLSSocket;
  #buf = Buffer.alloc(0);
  #waiter: (() => void) | undefined;
  #closed = false;
  readonly ctx: ScriptContext;

  constructor(socket: Socket, ctx: ScriptContext) {
    this.#socket = socket;
    this.ctx = ctx;
    this.#listen(socket);
  }

  #listen(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      this.#waiter?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#waiter?.();
    });
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.#closed) throw new Error('client closed');
      await new Promise<void>((resolve) => (this.#waiter = resolve));
      this.#waiter = undefined;
    }
  }

  write(data: string | Buffer): void {
    if (!this.#socket.destroyed) this.#socket.write(data);
  }

  async readLine(): Promise<string> {
    await this.#until(() => this.#buf.includes(0x0a));
    const i = this.#buf.indexOf(0x0a);
    const line = this.#buf.subarray(0, i + 1).toString('latin1');
    this.#buf = this.#buf.subarray(i + 1);
    return line;
  }

  async readBytes(n: number): Promise<Buffer> {
    await this.#until(() => this.#buf.length >= n);
    const out = Buffer.from(this.#buf.subarray(0, n));
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  startTls(options: { key: string; cert: string }): void {
    const plain = this.#socket as Socket;
    plain.removeAllListeners('data');
    this.#buf = Buffer.alloc(0);
    const tls = this.ctx.startTls(plain, options);
    this.#socket = tls;
    this.#listen(tls);
  }

  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** The transcript as text lines (`C: ...`, `S: ...`), for asserting what was recorded. */
export function transcriptText(entries: readonly { dir: string; text: string }[]): string {
  return entries.map((e) => `${e.dir}: ${e.text}`).join('\n');
}
