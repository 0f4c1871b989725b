/**
 * Server-side input framing shared by the line-based front ends (POP3, the naive SMTP): a byte
 * queue of received chunks, and lines cut from it with a size bound. Bare LF ends a line as CRLF
 * does (RFC 1939/5321 want CRLF; being lenient here is what real servers do, and a client's bare
 * LF must not wedge the session). A line over the bound is reported, never buffered whole.
 */

const LF = 0x0a;
const CR = 0x0d;

/** Received bytes not yet consumed, as a list of chunks (no copying on push). */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Index of `byte` at or after `from`, or -1. */
  indexOf(byte: number, from = 0): number {
    let base = 0;
    for (const c of this.#chunks) {
      if (from < base + c.length) {
        const i = c.indexOf(byte, Math.max(0, from - base));
        if (i !== -1) return base + i;
      }
      base += c.length;
    }
    return -1;
  }

  /** Remove and return the first `n` bytes. */
  take(n: number): Buffer {
    const first = this.#chunks[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#length -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.#chunks[0]!;
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      if (part === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(part);
    }
    this.#length -= n;
    return out;
  }

  takeAll(): Buffer {
    const out = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.clear();
    return out;
  }

  clear(): void {
    this.#chunks = [];
    this.#length = 0;
  }
}

/** A line too long to frame: the caller answers and usually closes. */
export const LINE_TOO_LONG = Symbol('line too long');

export class LineReader {
  readonly queue = new ByteQueue();
  readonly #maxLineBytes: number;
  #scanned = 0;
  #skipping = false;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  get buffered(): number {
    return this.queue.length;
  }

  /**
   * The next line without its terminator (CRLF or bare LF), undefined until one is complete, or
   * LINE_TOO_LONG when the bound is passed (the over-long bytes are dropped).
   */
  next(): Buffer | undefined | typeof LINE_TOO_LONG {
    const line = this.nextRaw();
    if (line === undefined || line === LINE_TOO_LONG) return line;
    const cut = line.length >= 2 && line[line.length - 2] === CR ? 2 : 1;
    return line.subarray(0, line.length - cut);
  }

  /** Like next(), with the terminator as received (to tell CRLF from bare LF). */
  nextRaw(): Buffer | undefined | typeof LINE_TOO_LONG {
    const lf = this.queue.indexOf(LF, this.#scanned);
    if (lf === -1) {
      this.#scanned = this.queue.length;
      if (this.queue.length > this.#maxLineBytes) {
        // Reported once; the rest of that line is dropped as it arrives.
        const first = !this.#skipping;
        this.discard();
        this.#skipping = true;
        return first ? LINE_TOO_LONG : undefined;
      }
      return undefined;
    }
    this.#scanned = 0;
    if (this.#skipping) {
      this.#skipping = false;
      this.queue.take(lf + 1);
      return this.nextRaw();
    }
    if (lf + 1 > this.#maxLineBytes) {
      this.queue.take(lf + 1);
      return LINE_TOO_LONG;
    }
    return this.queue.take(lf + 1);
  }

  /** Drop everything buffered (RFC 3207 §4.2 / RFC 2595 §4: nothing from before TLS counts). */
  discard(): void {
    this.queue.clear();
    this.#scanned = 0;
    this.#skipping = false;
  }
}
