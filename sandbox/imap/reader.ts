/**
 * Framing of IMAP client commands at the byte level (RFC 9051 §2.2, §4.3): a command is one or
 * more lines joined by literals. A synchronising literal `{n}` is only read after the server's
 * "+" (asked for through `onContinue`); a non-synchronising one `{n+}` (RFC 7888) follows at
 * once. Every size is bounded: the line, the literal, the whole command, the literal count.
 */
import type { SandboxLimits } from '../limits.js';
import { ByteQueue } from '../net/input.js';

/** One command: `lines[i]` (terminator removed) is followed by `literals[i]`, if there is one. */
export interface CommandInput {
  readonly lines: readonly Buffer[];
  readonly literals: readonly Buffer[];
}

export type ReadResult =
  | { readonly kind: 'command'; readonly input: CommandInput }
  /** The line passed maxLineBytes: framing is lost, the session closes. */
  | { readonly kind: 'line-too-long' }
  /** A literal over the limit. Synchronising: refused, the client sends nothing more of it. */
  | { readonly kind: 'literal-too-large'; readonly tag: string; readonly sync: boolean }
  /** The command (lines and literals) passed maxCommandBytes or maxLiteralsPerCommand. */
  | { readonly kind: 'command-too-large'; readonly tag: string };

const LF = 0x0a;
const CR = 0x0d;
/** `{123}` or `{123+}` at the very end of a line (RFC 9051 §4.3, RFC 7888 §3). */
const LITERAL_SPEC = /\{(\d{1,10})(\+?)\}$/;

export class CommandReader {
  readonly #queue = new ByteQueue();
  readonly #limits: SandboxLimits;
  readonly #onContinue: () => void;
  #lines: Buffer[] = [];
  #literals: Buffer[] = [];
  #pendingLiteral: number | undefined;
  /** Bytes of this command's lines, and of its literals. */
  #lineBytes = 0;
  #literalBytes = 0;
  #scanned = 0;

  constructor(limits: SandboxLimits, onContinue: () => void) {
    this.#limits = limits;
    this.#onContinue = onContinue;
  }

  push(chunk: Buffer): void {
    this.#queue.push(chunk);
  }

  get buffered(): number {
    return this.#queue.length;
  }

  /** Throw away unread input and any half-read command (STARTTLS, RFC 9051 §6.2.1). */
  discard(): void {
    this.#queue.clear();
    this.#reset();
  }

  /** The next complete command, a framing failure, or undefined until more input arrives. */
  read(): ReadResult | undefined {
    for (;;) {
      if (this.#pendingLiteral !== undefined) {
        if (this.#queue.length < this.#pendingLiteral) return undefined;
        this.#literals.push(this.#queue.take(this.#pendingLiteral));
        this.#pendingLiteral = undefined;
        continue;
      }
      const line = this.#line();
      if (line === undefined) return undefined;
      if (line === 'too-long') {
        // Framing is lost; what is buffered is dropped (the session says BYE and closes).
        this.discard();
        return { kind: 'line-too-long' };
      }
      this.#lineBytes += line.length;
      const tag = tagOf(this.#lines[0] ?? line);
      if (this.#lineBytes > this.#limits.maxCommandBytes) return this.#fail({ kind: 'command-too-large', tag });
      const spec = LITERAL_SPEC.exec(line.toString('latin1', Math.max(0, line.length - 14)));
      this.#lines.push(line);
      if (!spec) {
        const input: CommandInput = { lines: this.#lines, literals: this.#literals };
        this.#reset();
        return { kind: 'command', input };
      }
      const size = Number(spec[1]);
      const sync = spec[2] !== '+';
      if (this.#literals.length >= this.#limits.maxLiteralsPerCommand) return this.#fail({ kind: 'command-too-large', tag });
      // One literal may be a whole message (APPEND); everything else shares maxCommandBytes.
      if (size > this.#limits.maxMessageBytes || this.#literalBytes + size > this.#limits.maxMessageBytes + this.#limits.maxCommandBytes) {
        return this.#fail({ kind: 'literal-too-large', tag, sync });
      }
      this.#literalBytes += size;
      this.#pendingLiteral = size;
      if (sync) this.#onContinue();
    }
  }

  /**
   * The next raw line, for what is not a command: IDLE's DONE, SASL responses (RFC 9051
   * §6.2.2, §6.3.13). Undefined until complete; 'too-long' past the line limit.
   */
  readLine(): Buffer | 'too-long' | undefined {
    const line = this.#line();
    if (line === 'too-long') this.discard();
    return line;
  }

  #line(): Buffer | 'too-long' | undefined {
    const lf = this.#queue.indexOf(LF, this.#scanned);
    if (lf === -1) {
      this.#scanned = this.#queue.length;
      return this.#queue.length > this.#limits.maxLineBytes ? 'too-long' : undefined;
    }
    this.#scanned = 0;
    if (lf + 1 > this.#limits.maxLineBytes) return 'too-long';
    const raw = this.#queue.take(lf + 1);
    // CRLF per RFC 9051 §2.2; a bare LF is accepted as well rather than wedging the session.
    return raw.subarray(0, raw.length - (raw.length >= 2 && raw[raw.length - 2] === CR ? 2 : 1));
  }

  #fail<T extends ReadResult>(result: T): T {
    this.#reset();
    return result;
  }

  #reset(): void {
    this.#lines = [];
    this.#literals = [];
    this.#pendingLiteral = undefined;
    this.#lineBytes = 0;
    this.#literalBytes = 0;
  }
}

/** The tag of a command line (its first word), or `*` when there is none to speak of. */
export function tagOf(line: Buffer): string {
  const m = /^[\x21-\x7e]{1,64}/.exec(line.toString('latin1', 0, 65));
  const tag = m?.[0] ?? '*';
  return /^[^(){%*"\\\]+]+$/.test(tag) ? tag : '*';
}
