/**
 * Wire layer of the broken IMAP server (imap-broken-server.ts): byte-exact reads over a socket
 * that may turn into TLS mid-way, command lines with their literals, a small tokenizer for
 * command arguments, and the quoting helpers responses need.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ScriptContext } from './script-server.js';

export class ServerIo {
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

  get closed(): boolean {
    return this.#closed;
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

  /**
   * Become a TLS server on this socket. Bytes the client sent before the handshake are
   * dropped (RFC 9051 §6.2.1 option 2), or kept and later read as commands inside TLS when
   * `keepBuffered` (the STARTTLS injection flaw).
   */
  startTls(options: { key: string; cert: string }, keepBuffered = false): void {
    const plain = this.#socket as Socket;
    plain.removeAllListeners('data');
    if (!keepBuffered) this.#buf = Buffer.alloc(0);
    const tls = this.ctx.startTls(plain, options);
    this.#socket = tls;
    this.#listen(tls);
  }

  end(): void {
    this.#socket.end();
  }
}

/** A command line as received: text pieces and literal octets in order. */
export type Segment = string | Buffer;

export interface ReadOptions {
  /** Answer `{n}` with "+" (default); false models a server that never sends it. */
  continueSync: boolean;
  /** Treat `{n+}` like `{n}`: send "+" and wait for the bytes (a server without LITERAL+). */
  plusAsSync: boolean;
}

/** Read one command with its literals; "+" continuations are sent as the literals announce. */
export async function readCommand(io: ServerIo, options: ReadOptions): Promise<Segment[]> {
  const segments: Segment[] = [];
  let line = await io.readLine();
  for (;;) {
    const text = line.replace(/\r?\n$/, '');
    const m = /\{(\d+)(\+?)\}$/.exec(text);
    if (!m) {
      segments.push(text);
      return segments;
    }
    segments.push(text.slice(0, m.index));
    const sync = m[2] !== '+' || options.plusAsSync;
    if (sync && options.continueSync) io.write('+ Ready for literal data\r\n');
    segments.push(await io.readBytes(Number(m[1])));
    line = await io.readLine();
  }
}

export type Token =
  | { readonly t: 'atom'; readonly v: string }
  | { readonly t: 'string'; readonly v: string; readonly bytes: Buffer }
  | { readonly t: 'list'; readonly v: Token[] };

/** Tokenize arguments: atoms (with [...] sections kept whole), quoted strings, literals, lists. */
export function tokenize(segments: readonly Segment[]): Token[] {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  const top = (): Token[] => stack[stack.length - 1]!;
  for (const seg of segments) {
    if (Buffer.isBuffer(seg)) {
      top().push({ t: 'string', v: seg.toString('utf8'), bytes: seg });
      continue;
    }
    let i = 0;
    while (i < seg.length) {
      const ch = seg[i]!;
      if (ch === ' ') {
        i++;
      } else if (ch === '(') {
        const list: Token[] = [];
        top().push({ t: 'list', v: list });
        stack.push(list);
        i++;
      } else if (ch === ')') {
        if (stack.length > 1) stack.pop();
        i++;
      } else if (ch === '"') {
        let v = '';
        i++;
        while (i < seg.length && seg[i] !== '"') {
          if (seg[i] === '\\') i++;
          v += seg[i] ?? '';
          i++;
        }
        i++;
        top().push({ t: 'string', v, bytes: Buffer.from(v, 'utf8') });
      } else {
        let v = '';
        let depth = 0;
        while (i < seg.length) {
          const c = seg[i]!;
          if (depth === 0 && (c === ' ' || c === '(' || c === ')')) break;
          if (c === '[') depth++;
          if (c === ']') depth--;
          v += c;
          i++;
        }
        top().push({ t: 'atom', v });
      }
    }
  }
  return root;
}

/** The text of an astring/nstring argument (atom, quoted or literal); undefined for a list. */
export function textOf(token: Token | undefined): string | undefined {
  if (!token || token.t === 'list') return undefined;
  return token.v;
}

export function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
