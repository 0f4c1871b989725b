/**
 * One listening port of the sandbox. It owns every socket it accepts: the connection cap, the
 * TLS handshake of implicit-TLS ports, the greeting-level faults (silence, delay, drop, refusal),
 * and the hand-off to the protocol front end. close() destroys every socket it ever accepted.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { SandboxLimits } from '../limits.js';
import { acceptTls } from './tls.js';

/** Faults that act before the protocol starts (sandbox/faults). */
export type GreetingFault = 'slow' | 'silent' | 'drop' | 'unavailable' | 'drop-after-command';

/** What the front end's protocol says at connect, for the faults the listener plays itself. */
export interface ProtocolLines {
  /** A normal greeting. */
  readonly greeting: string;
  /** Service not available (SMTP 421, IMAP BYE, POP3 -ERR). */
  readonly unavailable: string;
  /** Refusal when the connection cap is reached. */
  readonly busy: string;
  /**
   * What a delayed greeting starts with, sent at once (postscreen style): for SMTP the first
   * line of a multi-line `220-` greeting, whose last line the front end sends.
   */
  readonly greetingStart?: string;
}

export type ConnectionHandler = (socket: Socket | TLSSocket, secure: boolean) => void;

export interface ListenerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Handshake before anything else: implicit TLS, or a cleartext port wanting TLS (a fault). */
  readonly tls: SecureContext | undefined;
  readonly lines: ProtocolLines;
  readonly greetingFault: GreetingFault | undefined;
  readonly greetingDelayMs: number;
  readonly limits: SandboxLimits;
  readonly handle: ConnectionHandler;
}

/** How long a refusal line gets to reach the client before the socket is destroyed. */
const LINGER_MS = 2000;

export class Listener {
  readonly config: ListenerConfig;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closing = false;

  constructor(config: ListenerConfig) {
    this.config = config;
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    // A failing accept (EMFILE) must not take the process down.
    this.#server.on('error', () => undefined);
  }

  /** Listen; resolves with the bound port (an ephemeral one for port 0). */
  listen(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host: this.config.host, port: this.config.port }, () => {
        this.#server.off('error', onError);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  get connections(): number {
    return this.#sockets.size;
  }

  /** Stop listening and destroy every connection; resolves when the server is closed. */
  close(): Promise<void> {
    this.#closing = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    return closed;
  }

  /** A timer that close() cancels and that never keeps the process alive. */
  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // Resets and EPIPEs are the client's business; the front ends listen for 'close'.
    socket.on('error', () => undefined);
    if (this.#sockets.size > this.config.limits.maxConnectionsPerPort) {
      this.#refuse(socket, socket, this.config.lines.busy);
      return;
    }
    const { tls, limits } = this.config;
    if (!tls) {
      this.#start(socket, socket, false);
      return;
    }
    acceptTls(socket, tls, limits.tlsHandshakeMs).then(
      (secure) => this.#start(socket, secure, true),
      () => socket.destroy(),
    );
  }

  /** The greeting-level fault, if any, then the protocol. */
  #start(raw: Socket, socket: Socket | TLSSocket, secure: boolean): void {
    if (raw.destroyed) return;
    const { lines, limits } = this.config;
    switch (this.config.greetingFault) {
      case undefined:
        this.config.handle(socket, secure);
        return;
      case 'slow':
        // The greeting starts, then stalls (Postfix postscreen's greet pause, a tarpit).
        if (lines.greetingStart) socket.write(lines.greetingStart);
        this.#later(this.config.greetingDelayMs, () => {
          if (!raw.destroyed) this.config.handle(socket, secure);
        });
        return;
      case 'silent':
        // Accept, read and discard, never say a word; dropped after the pre-login idle time.
        socket.resume();
        this.#later(limits.preAuthIdleMs, () => raw.destroy());
        return;
      case 'drop':
        socket.end(`${lines.greeting}\r\n`);
        this.#later(LINGER_MS, () => raw.destroy());
        return;
      case 'unavailable':
        this.#refuse(raw, socket, lines.unavailable);
        return;
      case 'drop-after-command':
        socket.write(`${lines.greeting}\r\n`);
        socket.on('data', (chunk: Buffer) => {
          if (chunk.includes(0x0a)) raw.destroy();
        });
        this.#later(limits.preAuthIdleMs, () => raw.destroy());
        return;
    }
  }

  /** Say one line, close our side, and destroy the connection soon whatever the client does. */
  #refuse(raw: Socket, socket: Socket | TLSSocket, line: string): void {
    socket.end(`${line}\r\n`);
    socket.resume();
    this.#later(LINGER_MS, () => raw.destroy());
  }
}
