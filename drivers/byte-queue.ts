/**
 * The unread bytes of a connection as a list of chunks: appending never copies, taking copies
 * only when a request spans chunks. Big literals arrive in many chunks and are joined once.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  /** Offset of the first unread byte inside #chunks[0]. */
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Offset (from the first unread byte) of `byte` at or after `from`, or -1. */
  indexOf(byte: number, from = 0): number {
    let base = 0;
    for (let i = 0; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const start = i === 0 ? this.#head : 0;
      const size = chunk.length - start;
      if (from < base + size) {
        const at = chunk.indexOf(byte, start + Math.max(0, from - base));
        if (at !== -1) return base + (at - start);
      }
      base += size;
    }
    return -1;
  }

  /** The byte at `offset` from the first unread byte, or undefined. */
  at(offset: number): number | undefined {
    let base = 0;
    for (let i = 0; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const start = i === 0 ? this.#head : 0;
      const size = chunk.length - start;
      if (offset < base + size) return chunk[start + offset - base];
      base += size;
    }
    return undefined;
  }

  /** Remove and return the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    if (n > this.#length) throw new RangeError(`take(${n}) with ${this.#length} bytes queued`);
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    const firstSize = first.length - this.#head;
    if (n <= firstSize) {
      const out = first.subarray(this.#head, this.#head + n);
      this.#advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const avail = chunk.length - this.#head;
      const want = Math.min(avail, n - filled);
      chunk.copy(out, filled, this.#head, this.#head + want);
      filled += want;
      this.#advance(want);
    }
    return out;
  }

  /** Remove the first `n` bytes (n ≤ length) without returning them. */
  drop(n: number): void {
    if (n > this.#length) throw new RangeError(`drop(${n}) with ${this.#length} bytes queued`);
    if (n > 0) this.#advance(n);
  }

  /** Remove and return everything. */
  takeAll(): Buffer {
    return this.take(this.#length);
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
  }

  #advance(n: number): void {
    this.#length -= n;
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[0]!;
      const avail = chunk.length - this.#head;
      if (left < avail) {
        this.#head += left;
        return;
      }
      left -= avail;
      this.#chunks.shift();
      this.#head = 0;
    }
    if (this.#chunks.length > 0 && this.#head === this.#chunks[0]!.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
