import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PassThrough, type Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { onAbort } from './abort-hooks.js';
import { ByteQueue } from './byte-queue.js';
import { SocketInbox, type InboxOwner } from './socket-inbox.js';
import { abortError, withDeadline } from './deadline.js';
import { MailprobeError, nodeErrorCode, type ErrorCode, type ErrorContext, type Phase } from './errors.js';
import { limitError, resolveLimits, type Limits } from './limits.js';
import { handshake } from './tls/handshake.js';
import type { PeerCapture, TlsFacts } from './tls/tls-facts.js';
import type { TlsClientOptions } from './tls/tls-options.js';
import { NO_TRANSCRIPT, renderWireText, Transcript, type TranscriptEntry, type TranscriptSink } from './transcript.js';
import { resolveTimeouts, type Timeouts } from './timeouts.js';
import { formatAddress, ownTlsOptions, resolvedLimits, resolvedOnce, resolvedTimeouts } from './transport-setup.js';
import type { ConnectTiming, LineReceiver, ReadOptions, Resolver, StartTlsResult, TransportOptions, UpgradeOptions, WriteOptions } from './transport-types.js';

export type { Connector, Resolver, TransportOptions, ConnectTiming, ReadOptions, WriteOptions, StartTlsResult, UpgradeOptions, LineReceiver } from './transport-types.js';
export { formatAddress } from './transport-setup.js';

interface PendingRead {
  kind: 'line' | 'bytes';
  bytes: number;
  scanned: number;
  phase: Phase;
  record: boolean;
  /** Settle a promise (readLine/readBytes); unused when `to` is set. */
  resolve: (value: Buffer) => void;
  reject: (err: MailprobeError) => void;
  /** The caller's receiver (waitLine): no promise, and no object made per read for one. */
  to: LineReceiver | undefined;
  timeoutMs: number;
  /** When the read times out, on the deadline clock. */
  deadline: number;
}

interface PendingConnect {
  /** The address connected to (formatted with the port only for a message). */
  address: string;
  resolve: () => void;
  reject: (err: MailprobeError) => void;
  deadline: number;
  timeoutMs: number;
}

const LF = 0x0a;
/** The clock of read deadlines (the injectable `now` only times what is reported). */
const deadlineClock = (): number => performance.now();
/** What write() returns when there is nothing to wait for (the socket is below its high-water mark). */
const WRITTEN: Promise<void> = Promise.resolve();

/**
 * Whether `write()` returned with nothing to wait for: a hot path may then go on without
 * awaiting the (already settled) promise, saving a microtask per write.
 */
export function writtenAtOnce(write: Promise<void>): boolean {
  return write === WRITTEN;
}
const EMPTY = Buffer.alloc(0);
/** A waitLine() reader settles through its receiver; these stand in for a promise's functions. */
const IGNORE_LINE = (_line: Buffer): void => {};
const IGNORE_ERROR = (_err: MailprobeError): void => {};
/**
 * What a transport holds instead of its socket once a socket of its own closed: the socket may
 * already serve another connection (SocketInbox reuses it), so nothing here may touch it again.
 */
const RELEASED: Duplex = new PassThrough();
RELEASED.destroy();

/**
 * One connection to a server: TCP, optional implicit TLS, STARTTLS upgrade, and a pull API
 * (`readLine`, `readBytes`, `write`) over an internal byte queue with one pending reader.
 * Every read and write has a deadline; every failure is a MailprobeError with the transcript.
 */
export class Transport {
  readonly host: string;
  readonly port: number;
  readonly timeouts: Timeouts;
  readonly limits: Limits;
  readonly transcript: TranscriptSink;
  readonly #timing: ConnectTiming = { dnsMs: undefined, connectMs: 0, tlsMs: undefined };
  /** Set when the server closed, reset, or we closed; reads that cannot be served fail. */
  #closed = false;
  #closeReason: MailprobeError | undefined;
  /** Why the connection ended when that was not an error of ours (server close, reset). */
  #closeNote: { message: string; cause: unknown } | undefined;
  #socket: Duplex;
  /** The plaintext reads of a socket this transport opened itself (see SocketInbox). */
  #inbox: SocketInbox | undefined;
  #queue = new ByteQueue();
  #reader: PendingRead | undefined;
  /** The TCP connect being waited for (connect()); it shares the read deadline timer. */
  #connecting: PendingConnect | undefined;
  #paused = false;
  #tls: TlsFacts | undefined;
  #tlsOptions: TlsClientOptions;
  #signal: AbortSignal | undefined;
  #unhookAbort: (() => void) | undefined;
  /**
   * One deadline timer per connection for its reads, armed lazily: a read that completes
   * before it leaves it running, and when it fires it only acts if the read pending then is
   * past its own deadline (else it re-arms for what is left). A bench session reads a reply
   * per command; a timer set and cleared per read cost more than the read.
   */
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineTimerAt = 0;
  readonly #onDeadline = (): void => this.#deadlineFired();
  #now: () => number;
  #bytesIn = 0;
  #bytesOut = 0;
  #lastWriteAt = 0;
  #firstByteAt: number | undefined;
  #awaitingFirstByte = false;
  #listeners: InboxOwner;

  private constructor(init: {
    options: TransportOptions;
    socket: Duplex;
    inbox: SocketInbox | undefined;
    timeouts: Timeouts;
    limits: Limits;
    transcript: TranscriptSink;
    now: () => number;
  }) {
    this.host = init.options.host;
    this.port = init.options.port;
    this.timeouts = init.timeouts;
    this.limits = init.limits;
    this.transcript = init.transcript;
    this.#socket = init.socket;
    this.#inbox = init.inbox;
    this.#tlsOptions = init.options.tls ?? {};
    this.#now = init.now;
    this.#signal = init.options.signal;
    this.#listeners = {
      data: (chunk) => this.#onData(chunk),
      connect: () => this.#settleConnect(undefined),
      end: () => this.#onEnd(),
      close: () => this.#onClose(),
      error: (err) => this.#onError(err),
    };
    this.#attach(init.socket);
    const signal = this.#signal;
    if (signal) {
      const abort = (): void => this.#fail(abortError(this.#connecting ? 'connect' : (this.#reader?.phase ?? 'command'), signal));
      // One run signal is shared by every connection of a run (bench opens thousands a second).
      if (signal.aborted) queueMicrotask(() => this.#closed || abort());
      else this.#unhookAbort = onAbort(signal, abort);
    }
  }

  /** Connect (DNS, TCP, implicit TLS when asked), each phase under its own deadline. */
  static async connect(options: TransportOptions): Promise<Transport> {
    const timeouts = resolvedOnce(resolvedTimeouts, options.timeouts, resolveTimeouts);
    const limits = resolvedOnce(resolvedLimits, options.limits, resolveLimits);
    // The default clock of what is reported is the deadline clock (one function, not a closure per connection).
    const now = options.now ?? deadlineClock;
    const transcript: TranscriptSink =
      options.transcript === false
        ? NO_TRANSCRIPT
        : new Transcript({ maxEntries: limits.maxTranscriptEntries, maxTextBytes: limits.maxTranscriptTextBytes, now });

    let address = options.host;
    let dnsMs: number | undefined;
    if (isIP(options.host) === 0) {
      const resolver: Resolver = options.resolver ?? ((h, family) => dnsLookup(h, { family }));
      const t0 = now();
      try {
        const res = await withDeadline('dns', timeouts.dnsMs, options.signal, () => resolver(options.host, options.family ?? 0), () => {}, () =>
          `resolving ${options.host} took longer than ${timeouts.dnsMs} ms`,
        );
        address = res.address;
      } catch (err) {
        if (err instanceof MailprobeError) throw err.withContext({ transcript: transcript.snapshot() });
        throw new MailprobeError('EDNS', `cannot resolve ${options.host}: ${nodeErrorCode(err) ?? String(err)}`, { phase: 'dns', transcript: transcript.snapshot() }, { cause: err });
      }
      dnsMs = now() - t0;
      transcript.info(`resolved ${options.host} to ${address}`);
    }

    if (options.signal?.aborted) throw abortError('connect', options.signal).withContext({ transcript: transcript.snapshot() });
    const t1 = now();
    const target = { host: address, port: options.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) };
    let inbox: SocketInbox | undefined;
    let socket: Duplex;
    // Implicit TLS on a socket of our own: the TLS socket connects itself, so its plaintext too
    // is read through onread (a wrapped socket can only deliver 'data' events).
    const ownTls = options.implicitTls === true && !options.connector ? ownTlsOptions(options.host, options.tls ?? {}) : undefined;
    if (options.connector) socket = options.connector(target);
    else {
      inbox = SocketInbox.connect(target, ownTls?.options);
      socket = inbox.socket;
    }
    // The transport exists while TCP connects: its listeners, abort hook and deadline timer
    // serve the connect too (a bench opening a connection per message pays for them once).
    const t = new Transport({ options, socket, inbox, timeouts, limits, transcript, now });
    t.#timing.dnsMs = dnsMs;
    if (socket instanceof Socket && socket.connecting) await t.#connected(socket, address, timeouts.connectMs);
    t.#timing.connectMs = now() - t1;
    if (socket instanceof Socket) socket.setNoDelay(true);
    if (transcript !== NO_TRANSCRIPT) transcript.info(`connected to ${formatAddress(address, options.port)}`);
    if (options.implicitTls) {
      const t2 = now();
      await (ownTls ? t.#securedItself(socket as TLSSocket, ownTls.capture, timeouts.tlsMs) : t.#secure(timeouts.tlsMs));
      t.#timing.tlsMs = now() - t2;
    }
    return t;
  }

  /** How long each connect phase took. */
  get connectTiming(): ConnectTiming {
    return this.#timing;
  }

  /** TLS facts once TLS is up (implicit or after STARTTLS). */
  get tls(): TlsFacts | undefined {
    return this.#tls;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get bytesIn(): number {
    return this.#bytesIn;
  }
  get bytesOut(): number {
    return this.#bytesOut;
  }
  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.#queue.length;
  }
  /** When the last write was handed to the socket (clock of `now`). */
  get lastWriteAt(): number {
    return this.#lastWriteAt;
  }
  /** When the first byte after the last write arrived, if it has. */
  get firstByteAt(): number | undefined {
    return this.#firstByteAt;
  }
  now(): number {
    return this.#now();
  }

  /** A copy of the transcript's newest entries. */
  snapshot(last?: number): TranscriptEntry[] {
    return this.transcript.snapshot(last);
  }

  /**
   * The next line, terminator included (LF, or CRLF). A line longer than limits.maxLineBytes
   * fails with ELIMIT and closes the connection: framing cannot be recovered.
   */
  readLine(options: ReadOptions = {}): Promise<Buffer> {
    return this.#read('line', 0, options);
  }

  /** Exactly `n` bytes (an IMAP literal, a BDAT chunk echo, …). */
  readBytes(n: number, options: ReadOptions = {}): Promise<Buffer> {
    if (!Number.isInteger(n) || n < 0) return Promise.reject(new RangeError(`readBytes(${n})`));
    if (n > this.limits.maxLiteralBytes) {
      return Promise.reject(this.#contextualize(limitError('maxLiteralBytes', this.limits.maxLiteralBytes, n), options.phase ?? 'command'));
    }
    return this.#read('bytes', n, options);
  }

  /**
   * Send bytes exactly as given (bare LF, NUL and several commands in one write included).
   * Resolves when the socket took them without going over its high-water mark; past it, once
   * everything written is out (a peer that stops reading hits the deadline). A write the
   * socket only buffered still goes out before a close() (end() flushes it); a failed write
   * closes the connection and the next read says so.
   */
  write(data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
    const phase = options.phase ?? 'command';
    if (this.#closed) return Promise.reject(this.#closedError(phase));
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const display = options.display;
    if (display === undefined) this.transcript.addBytes('C', bytes);
    else if (display !== false) {
      for (const line of typeof display === 'string' ? [display] : display) this.transcript.client(line);
    }
    this.#bytesOut += bytes.length;
    this.#lastWriteAt = this.#now();
    this.#awaitingFirstByte = true;
    this.#firstByteAt = undefined;
    const socket = this.#socket;
    // No callback: Node then completes a write the kernel took at once without a tick, a
    // closure or an object per write (a bench writes once per command).
    socket.write(bytes);
    // A TLS socket completes every write asynchronously (it encrypts, then writes the record),
    // so waiting for each one cost an IMAP bench a promise, a timer and an empty write per
    // command. Only a socket over its high-water mark is waited for: that is backpressure.
    if (!socket.destroyed && (socket.writableLength === 0 || !socket.writableNeedDrain)) return WRITTEN;
    // Over the mark: an empty write queued behind the data calls back once everything before
    // it is out (writes complete in order). A peer that stops reading hits the deadline.
    const timeoutMs = options.timeoutMs ?? this.timeouts.commandMs;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const err = this.#error('ETIMEDOUT', `write of ${bytes.length} bytes not accepted within ${timeoutMs} ms (peer not reading)`, phase);
        this.#fail(err);
        reject(err);
      }, timeoutMs);
      socket.write(EMPTY, (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(this.#closedError(phase, err));
        else resolve();
      });
    });
  }

  /**
   * The next line if a complete one is already buffered (no promise, no deadline: nothing is
   * waited for), else undefined; readLine() then waits for it. Limit errors throw as readLine
   * rejects.
   */
  takeLine(options: ReadOptions = {}): Buffer | undefined {
    if (this.#reader) throw new Error('a read is already pending on this connection');
    const ready = this.#take('line', 0, 0);
    if (ready === undefined) return undefined;
    if (ready instanceof MailprobeError) throw this.#contextualize(ready, options.phase ?? 'command');
    if (options.record ?? true) this.#record('line', ready);
    return ready;
  }

  /**
   * Drop up to `n` buffered bytes the caller does not look at (a load run skipping a literal):
   * no copy and no promise. Returns how many were dropped; fewer than `n` when fewer are
   * buffered (readBytes() then waits for the rest). Recorded like readBytes() when `record`.
   */
  skipBytes(n: number, options: ReadOptions = {}): number {
    if (this.#reader) throw new Error('a read is already pending on this connection');
    const k = Math.min(n, this.#queue.length);
    if (k <= 0) return 0;
    if ((options.record ?? true) && this.transcript !== NO_TRANSCRIPT) this.#record('bytes', this.#queue.take(k));
    else this.#queue.drop(k);
    return k;
  }

  /**
   * Upgrade to TLS after a STARTTLS/STLS go-ahead. Every buffered plaintext byte is dropped
   * first (RFC 3207 §4.2, RFC 3501 §6.2.1: nothing sent before the handshake may be trusted);
   * bytes that were there are reported as `trailing`, and fail with ESTARTTLS_TRAILING unless
   * `trailing: 'record'`.
   */
  async upgradeTls(options: UpgradeOptions = {}): Promise<StartTlsResult> {
    if (this.#reader) throw new Error('upgradeTls() while a read is pending');
    if (this.#closed) throw this.#closedError('tls');
    if (this.#tls) throw this.#error('ESTARTTLS', 'the connection is already using TLS', 'tls');
    const trailing = this.#queue.takeAll();
    if (trailing.length > 0) {
      this.transcript.info(`${trailing.length} bytes followed the STARTTLS go-ahead in plaintext; discarded: ${renderWireText(trailing.subarray(0, 200))}`);
      if ((options.trailing ?? 'fail') === 'fail') {
        const err = this.#error('ESTARTTLS_TRAILING', `server sent ${trailing.length} bytes after the STARTTLS go-ahead`, 'tls', {
          response: renderWireText(trailing.subarray(0, 512)),
          detail: { trailingBytes: trailing.length },
        });
        this.#fail(err);
        throw err;
      }
    }
    const facts = await this.#secure(options.timeoutMs ?? this.timeouts.tlsMs);
    return { tls: facts, trailing };
  }

  /** TLS over the open plaintext connection (implicit TLS or after a go-ahead); fatal on failure. */
  async #secure(timeoutMs: number): Promise<TlsFacts> {
    const plain = this.#socket;
    this.#detach(plain);
    try {
      const { socket, facts } = await handshake({ plain }, this.host, this.#tlsOptions, timeoutMs, this.#signal, this.transcript);
      this.#socket = socket;
      this.#tls = facts;
      this.#attach(socket);
      return facts;
    } catch (err) {
      throw this.#tlsFailed(err, plain);
    }
  }

  /** The handshake of a TLS socket that connected itself (it stays attached throughout). */
  async #securedItself(socket: TLSSocket, capture: PeerCapture, timeoutMs: number): Promise<TlsFacts> {
    try {
      const { facts } = await handshake({ own: socket, capture }, this.host, this.#tlsOptions, timeoutMs, this.#signal, this.transcript);
      this.#tls = facts;
      return facts;
    } catch (err) {
      throw this.#tlsFailed(err, socket);
    }
  }

  /** A failed handshake ends the connection: later reads and writes fail with its error. */
  #tlsFailed(err: unknown, socket: Duplex): unknown {
    this.#closed = true;
    if (err instanceof MailprobeError) this.#closeReason = err;
    socket.destroy();
    this.#releaseHooks();
    return err;
  }

  /**
   * Wait for the TCP connect under the connect deadline (the shared deadline timer) and the
   * run's signal; an error or close before it fails with ECONNECT and destroys the socket.
   */
  #connected(socket: Socket, address: string, timeoutMs: number): Promise<void> {
    const deadline = deadlineClock() + timeoutMs;
    this.#armDeadline(deadline, timeoutMs);
    return new Promise<void>((resolve, reject) => {
      this.#connecting = { address, resolve, reject, deadline, timeoutMs };
      // A socket of our own tells its inbox, which tells us.
      if (this.#inbox?.socket !== socket) socket.once('connect', this.#listeners.connect);
    });
  }

  #settleConnect(err: MailprobeError | undefined): void {
    const wait = this.#connecting;
    if (!wait) return;
    this.#connecting = undefined;
    if (err) wait.reject(err);
    else wait.resolve();
  }

  /** Why the connect failed: the socket's error, or a close before it connected. */
  #connectError(cause: Error | undefined): MailprobeError {
    const why = cause ? (nodeErrorCode(cause) ?? String(cause)) : 'connection closed before it was established';
    return new MailprobeError('ECONNECT', `cannot connect to ${formatAddress(this.#connecting?.address ?? this.host, this.port)}: ${why}`, { phase: 'connect', transcript: this.transcript.snapshot() }, cause === undefined ? {} : { cause });
  }

  /** Add a harness note to the transcript. */
  note(text: string): void {
    this.transcript.info(text);
  }

  /**
   * Close politely: end our side and wait (closeMs) for the server to close, then destroy.
   * Never throws.
   */
  async close(): Promise<void> {
    if (this.#closed) {
      this.#socket.destroy();
      return;
    }
    const socket = this.#socket;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, this.timeouts.closeMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
    this.#markClosed('connection closed by client');
  }

  /** Drop the connection now. Pending reads reject with ECLOSED. */
  destroy(): void {
    if (this.#reader) this.#fail(this.#error('ECLOSED', 'connection closed by client', this.#reader.phase));
    else {
      this.#markClosed('connection closed by client');
      this.#socket.destroy();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ----

  /**
   * readLine() for a caller that takes the line by callback instead of a promise (a load run
   * reading a reply per command): call it when takeLine() found no complete line. `to` hears
   * the line or the error once, later (not from inside this call), under the same deadline,
   * limits and close handling as readLine().
   */
  waitLine(options: ReadOptions, to: LineReceiver): void {
    if (this.#reader) throw new Error('a read is already pending on this connection');
    const phase = options.phase ?? 'command';
    const record = options.record ?? true;
    const ready = this.#atOnce('line', 0, phase, record);
    // Never settled from inside the call: the caller may not be ready for it yet.
    if (ready instanceof MailprobeError) queueMicrotask(() => to.reject(ready));
    else if (ready !== undefined) queueMicrotask(() => to.resolve(ready));
    else this.#wait('line', 0, phase, record, options.timeoutMs, IGNORE_LINE, IGNORE_ERROR, to);
  }

  #read(kind: 'line' | 'bytes', n: number, options: ReadOptions): Promise<Buffer> {
    if (this.#reader) return Promise.reject(new Error('a read is already pending on this connection'));
    const phase = options.phase ?? 'command';
    const record = options.record ?? true;
    // Serve from the buffer synchronously when possible: the hot path of pipelined replies.
    const ready = this.#atOnce(kind, n, phase, record);
    if (ready instanceof MailprobeError) return Promise.reject(ready);
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<Buffer>((resolve, reject) => this.#wait(kind, n, phase, record, options.timeoutMs, resolve, reject, undefined));
  }

  /**
   * What a read gets without waiting: a buffered line / n bytes (recorded), a limit error or
   * the close (contextualized), or undefined when it has to wait.
   */
  #atOnce(kind: 'line' | 'bytes', n: number, phase: Phase, record: boolean): Buffer | MailprobeError | undefined {
    const ready = this.#take(kind, n, 0);
    if (ready === undefined) return this.#closed ? this.#closedError(phase) : undefined;
    if (ready instanceof MailprobeError) return this.#contextualize(ready, phase);
    if (record) this.#record(kind, ready);
    return ready;
  }

  /** Make a pending reader, under the read deadline; resume a socket paused for backpressure. */
  #wait(
    kind: 'line' | 'bytes',
    n: number,
    phase: Phase,
    record: boolean,
    timeout: number | undefined,
    resolve: (value: Buffer) => void,
    reject: (err: MailprobeError) => void,
    to: LineReceiver | undefined,
  ): void {
    const timeoutMs = timeout ?? this.timeouts.commandMs;
    const deadline = deadlineClock() + timeoutMs;
    this.#armDeadline(deadline, timeoutMs);
    this.#reader = { kind, bytes: n, scanned: this.#queue.length, phase, record, resolve, reject, to, timeoutMs, deadline };
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /** Take a line / n bytes from the queue if complete; a MailprobeError if a limit is broken. */
  #take(kind: 'line' | 'bytes', n: number, scanned: number): Buffer | MailprobeError | undefined {
    if (kind === 'bytes') return this.#queue.length >= n ? this.#queue.take(n) : undefined;
    const idx = this.#queue.indexOf(LF, scanned);
    if (idx !== -1) {
      if (idx + 1 > this.limits.maxLineBytes) return limitError('maxLineBytes', this.limits.maxLineBytes, idx + 1);
      return this.#queue.take(idx + 1);
    }
    if (this.#queue.length > this.limits.maxLineBytes) {
      return limitError('maxLineBytes', this.limits.maxLineBytes, this.#queue.length);
    }
    return undefined;
  }

  #serve(): void {
    const reader = this.#reader;
    if (!reader) return;
    const got = this.#take(reader.kind, reader.bytes, reader.scanned);
    if (got === undefined) {
      reader.scanned = this.#queue.length;
      if (this.#closed) this.#settleReader(this.#closedError(reader.phase));
      return;
    }
    if (got instanceof MailprobeError) {
      const err = this.#contextualize(got, reader.phase);
      this.#settleReader(err);
      this.#fail(err);
      return;
    }
    if (reader.record) this.#record(reader.kind, got);
    this.#settleReader(undefined, got);
  }

  #settleReader(err: MailprobeError | undefined, value?: Buffer): void {
    const reader = this.#reader;
    if (!reader) return;
    this.#reader = undefined;
    const to = reader.to;
    if (err) {
      if (to) to.reject(err);
      else reader.reject(err);
    } else if (to) to.resolve(value!);
    else reader.resolve(value!);
  }

  /** Make sure the deadline timer fires no later than `deadline` (`timeoutMs` from now). */
  #armDeadline(deadline: number, timeoutMs: number): void {
    if (this.#deadlineTimer !== undefined) {
      if (this.#deadlineTimerAt <= deadline) return;
      clearTimeout(this.#deadlineTimer);
    }
    this.#deadlineTimerAt = deadline;
    this.#deadlineTimer = setTimeout(this.#onDeadline, timeoutMs);
  }

  #deadlineFired(): void {
    this.#deadlineTimer = undefined;
    const connecting = this.#connecting;
    if (connecting) {
      if (this.#notYet(connecting.deadline)) return;
      this.#fail(new MailprobeError('ETIMEDOUT', `TCP connect to ${formatAddress(connecting.address, this.port)} took longer than ${connecting.timeoutMs} ms`, { phase: 'connect', elapsedMs: connecting.timeoutMs, transcript: this.transcript.snapshot() }));
      return;
    }
    const reader = this.#reader;
    if (!reader || this.#notYet(reader.deadline)) return;
    const what = reader.kind === 'line' ? 'complete line' : `${reader.bytes} bytes`;
    const partial = this.#queue.length > 0 ? ` (${this.#queue.length} bytes without end of line received)` : '';
    this.#settleReader(this.#error('ETIMEDOUT', `no ${what} from server within ${reader.timeoutMs} ms during ${reader.phase}${partial}`, reader.phase, {
      elapsedMs: reader.timeoutMs,
      ...(this.#queue.length > 0 ? { response: this.#peekText() } : {}),
    }));
  }

  /**
   * Timers run on the event loop's cached time and may fire a little early, or the timer was
   * armed for an earlier wait: re-arm for what is left of `deadline`, true if there is some.
   */
  #notYet(deadline: number): boolean {
    const left = deadline - deadlineClock();
    if (left < 1) return false;
    this.#armDeadline(deadline, Math.ceil(left));
    return true;
  }

  #disarmDeadline(): void {
    if (this.#deadlineTimer === undefined) return;
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
  }

  #record(kind: 'line' | 'bytes', bytes: Buffer): void {
    // Rendering costs more than reading; bench runs without a transcript.
    if (this.transcript === NO_TRANSCRIPT) return;
    if (kind === 'line') this.transcript.server(renderWireText(bytes));
    else this.transcript.server(`(${bytes.length} bytes) ${renderWireText(bytes.subarray(0, 120))}${bytes.length > 120 ? '…' : ''}`);
  }

  #onData(chunk: Buffer): void {
    if (this.#awaitingFirstByte) {
      this.#awaitingFirstByte = false;
      this.#firstByteAt = this.#now();
    }
    this.#bytesIn += chunk.length;
    this.#queue.push(chunk);
    this.#serve();
    // Backpressure: a flooding server fills the kernel buffers, not our heap.
    if (!this.#reader && !this.#paused && this.#queue.length > this.limits.maxBufferedBytes) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #onEnd(): void {
    this.transcript.info('server closed the connection');
    this.#markClosed('server closed the connection');
  }

  #onClose(): void {
    if (this.#connecting) this.#fail(this.#connectError(undefined));
    this.#markClosed('connection closed');
    // A socket of our own may now be reused for another connection: let go of it.
    if (this.#inbox?.socket === this.#socket) {
      this.#socket = RELEASED;
      this.#inbox = undefined;
    }
  }

  #onError(err: Error): void {
    if (this.#connecting) return this.#fail(this.#connectError(err));
    const code = nodeErrorCode(err);
    this.transcript.info(`socket error: ${code ?? err.message}`);
    this.#markClosed(`connection failed: ${code ?? err.message}`, err);
  }

  /**
   * The server went away: serve what is buffered, then fail the reader. Only the message is
   * kept; the error (with its transcript snapshot) is built when a read or write needs it, so
   * the thousands of normal closes of a bench cost nothing.
   */
  #markClosed(message: string, cause?: unknown): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#closeNote = { message, cause };
      this.#releaseHooks();
    }
    this.#serve();
  }

  /** Fatal: destroy the socket and reject the pending reader with `err`. */
  #fail(err: MailprobeError): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#closeReason = err;
      this.#releaseHooks();
    }
    this.#socket.destroy();
    this.#settleReader(err);
    this.#settleConnect(err);
  }

  /** The connection is over: nothing left to cancel or time out. */
  #releaseHooks(): void {
    this.#unhookAbort?.();
    this.#unhookAbort = undefined;
    this.#disarmDeadline();
  }

  #closedError(phase: Phase, cause?: unknown): MailprobeError {
    const base = this.#closeReason;
    if (base && base.code !== 'ECLOSED') return base;
    const partial = this.#queue.length > 0 ? { response: this.#peekText() } : {};
    const note = this.#closeNote;
    return this.#error('ECLOSED', base?.message ?? note?.message ?? 'connection closed', phase, partial, cause ?? base?.cause ?? note?.cause);
  }

  #peekText(): string {
    const n = Math.min(this.#queue.length, 512);
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = this.#queue.at(i)!;
    return renderWireText(bytes);
  }

  #error(code: ErrorCode, message: string, phase: Phase, extra: ErrorContext = {}, cause?: unknown): MailprobeError {
    return new MailprobeError(code, message, { phase, ...extra, transcript: this.transcript.snapshot(30) }, cause === undefined ? {} : { cause });
  }

  #contextualize(err: MailprobeError, phase: Phase): MailprobeError {
    return err.withContext({ phase, transcript: this.transcript.snapshot(30) });
  }

  #attach(socket: Duplex): void {
    // A socket of our own has its inbox's listeners for good; the inbox forwards to us.
    if (this.#inbox?.socket === socket) return this.#inbox.open(this.#listeners);
    socket.on('data', this.#listeners.data);
    socket.on('end', this.#listeners.end);
    socket.on('close', this.#listeners.close);
    socket.on('error', this.#listeners.error);
  }

  #detach(socket: Duplex): void {
    if (this.#inbox?.socket === socket) {
      this.#inbox.close();
      this.#inbox = undefined;
      return;
    }
    socket.off('data', this.#listeners.data);
    socket.off('end', this.#listeners.end);
    socket.off('close', this.#listeners.close);
    socket.off('error', this.#listeners.error);
  }
}
