/**
 * The STARTTLS plumbing of the scripted mail servers (test/diagnose/fault-server.ts,
 * test/security/starttls-server.ts): the lab certificate as a server presents it, the go-ahead
 * replies, and a connection on test/helpers/script-server.ts that reads lines, hands over what
 * the client sent after STARTTLS when it stops reading the plaintext, and goes on with a
 * server-side TLS socket.
 */
import type { Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { LabPki } from './certs.js';
import type { ScriptContext } from './script-server.js';

export type MailProtocol = 'smtp' | 'imap' | 'pop3';

/** Leaf + intermediate of the test PKI, as a server presents them (plus `extra` TLS options). */
export function labCert(pki: LabPki, extra: SecureContextOptions = {}): SecureContextOptions {
  return { key: pki.leaf.keyPem, cert: pki.chainPem, ...extra };
}

/** The go-ahead to SMTP STARTTLS, IMAP STARTTLS (tagged: `tag` is `a1 `) or POP3 STLS. */
export function starttlsGoAhead(protocol: MailProtocol, tag: string): string {
  return protocol === 'smtp' ? '220 2.0.0 go ahead' : protocol === 'imap' ? `${tag}OK begin TLS` : '+OK begin TLS';
}

/**
 * One client of a scripted server: plaintext (or implicit TLS) first, then the TLS socket of
 * `upgrade()`. `send` writes to whichever is current, `next` reads its lines.
 */
export class StarttlsConnection {
  #stream: Socket | TLSSocket;
  #tls: boolean;
  #lines: Lines;

  /** `stream`: the socket itself, or the TLS socket of an implicit-TLS server (ctx.startTls). */
  constructor(
    readonly ctx: ScriptContext,
    readonly socket: Socket,
    stream: Socket | TLSSocket = socket,
  ) {
    this.#stream = stream;
    this.#tls = stream !== socket;
    this.#lines = new Lines(stream);
  }

  get stream(): Socket | TLSSocket {
    return this.#stream;
  }

  /** TLS is up (implicit, or upgraded). */
  get tls(): boolean {
    return this.#tls;
  }

  /** Write one line (CRLF added), unless the current stream is destroyed. */
  send(text: string): void {
    if (!this.#stream.destroyed) this.#stream.write(`${text}\r\n`);
  }

  /** The next line without its CRLF/LF; null once the client is gone. */
  next(): Promise<string | null> {
    return this.#lines.next();
  }

  /**
   * Stop reading the current stream (after the go-ahead); what the client sent and was not read
   * yet, e.g. commands pipelined with STARTTLS.
   */
  detach(): string {
    return this.#lines.detach();
  }

  /**
   * Serve TLS with `cert` on the socket from here on (after detach()); the new reader starts with
   * `kept` (a plaintext buffer kept across the upgrade), otherwise empty.
   */
  upgrade(cert: SecureContextOptions, kept = ''): TLSSocket {
    const tls = this.ctx.startTls(this.socket, cert);
    this.#stream = tls;
    this.#tls = true;
    this.#lines = new Lines(tls, kept);
    return tls;
  }
}

/** A line reader over a socket whose unread rest can be taken over (the STARTTLS buffer). */
class Lines {
  #buf = '';
  #waiters: ((line: string | null) => void)[] = [];
  #ended = false;
  constructor(
    readonly stream: Socket | TLSSocket,
    initial = '',
  ) {
    this.#buf = initial;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onEnd);
  }
  #onData = (chunk: Buffer): void => {
    this.#buf += chunk.toString('latin1');
    this.#serve();
  };
  #onEnd = (): void => {
    this.#ended = true;
    this.#serve();
  };
  #serve(): void {
    while (this.#waiters.length > 0) {
      const lf = this.#buf.indexOf('\n');
      if (lf === -1) {
        if (!this.#ended) return;
        this.#waiters.shift()!(null);
        continue;
      }
      const line = this.#buf.slice(0, lf).replace(/\r$/, '');
      this.#buf = this.#buf.slice(lf + 1);
      this.#waiters.shift()!(line);
    }
  }
  next(): Promise<string | null> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#serve();
    });
  }
  /** Stop reading; what was buffered and not yet read. */
  detach(): string {
    this.stream.off('data', this.#onData);
    this.stream.off('end', this.#onEnd);
    this.stream.off('close', this.#onEnd);
    const rest = this.#buf;
    this.#buf = '';
    return rest;
  }
}
