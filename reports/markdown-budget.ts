/**
 * Text that stays under a byte limit: GitHub drops a job summary over 1 MiB entirely
 * ($GITHUB_STEP_SUMMARY "upload limit"), so a long report must be cut, visibly, rather than lost.
 */
export class SizedText {
  readonly #parts: string[] = [];
  readonly #limitBytes: number;
  readonly #note: string;
  #bytes = 0;
  #cut = false;

  /** `note` is appended when something was left out; room for it is kept from the start. */
  constructor(limitBytes: number, note: string) {
    this.#limitBytes = limitBytes;
    this.#note = note;
  }

  /**
   * Append `block` whole if it fits. Blocks are never split (a half table row or an unclosed
   * fence would garble everything after it); after the first one that does not fit nothing more
   * is added, so what is shown keeps the report's order.
   */
  add(block: string): boolean {
    if (this.#cut) return false;
    const bytes = Buffer.byteLength(block, 'utf8');
    if (this.#bytes + bytes + Buffer.byteLength(this.#note, 'utf8') > this.#limitBytes) {
      this.#cut = true;
      return false;
    }
    this.#parts.push(block);
    this.#bytes += bytes;
    return true;
  }

  /** Whether a block was left out. */
  get cut(): boolean {
    return this.#cut;
  }

  toString(): string {
    return this.#cut ? this.#parts.join('') + this.#note : this.#parts.join('');
  }
}
