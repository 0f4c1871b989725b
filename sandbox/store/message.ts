/**
 * One stored message: its bytes exactly as delivered or appended, its UID in its mailbox, flags,
 * internal date, and lazily parsed structure. The bytes never change; a copy shares them.
 */
import { parseHeader, type HeaderBlock } from '../mime/headers.js';
import { parseMime, type MimePart } from '../mime/structure.js';

/** RFC 9051 §2.3.2 system flags, in their canonical spelling. \Recent is per session, not stored. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;
const CANONICAL = new Map<string, string>(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** Flags compare case-insensitively (RFC 9051 §2.3.2); system flags get their canonical form. */
export function canonicalFlag(flag: string): string {
  return CANONICAL.get(flag.toLowerCase()) ?? flag;
}

/** Which session holds \Recent for a message (RFC 3501 §2.3.2): none yet, one, or gone. */
export type RecentOwner = number | 'unclaimed' | 'gone';

let nextMessageId = 1;

export class Message {
  /** Unique across the store: a POP3 unique-id and a stable identity for sessions. */
  readonly id = nextMessageId++;
  readonly uid: number;
  readonly bytes: Buffer;
  readonly internalDate: Date;
  /** Keyed by lower-case flag, value as first written. */
  readonly #flags = new Map<string, string>();
  recent: RecentOwner = 'unclaimed';
  #mime: MimePart | undefined;
  #header: HeaderBlock | undefined;
  #pop3: Buffer | undefined;

  constructor(uid: number, bytes: Buffer, internalDate: Date, flags: Iterable<string>) {
    this.uid = uid;
    this.bytes = bytes;
    this.internalDate = internalDate;
    for (const f of flags) this.addFlag(f);
  }

  get size(): number {
    return this.bytes.length;
  }

  get flags(): string[] {
    return [...this.#flags.values()];
  }

  hasFlag(flag: string): boolean {
    return this.#flags.has(flag.toLowerCase());
  }

  /** Add a flag; true if it was not set. */
  addFlag(flag: string): boolean {
    const key = flag.toLowerCase();
    if (key === '\\recent' || this.#flags.has(key)) return false;
    this.#flags.set(key, canonicalFlag(flag));
    return true;
  }

  removeFlag(flag: string): boolean {
    return this.#flags.delete(flag.toLowerCase());
  }

  /** Replace all flags; true if anything changed. */
  replaceFlags(flags: Iterable<string>): boolean {
    const before = this.flags.join(' ');
    this.#flags.clear();
    for (const f of flags) this.addFlag(f);
    return before !== this.flags.join(' ');
  }

  get header(): HeaderBlock {
    this.#header ??= parseHeader(this.bytes);
    return this.#header;
  }

  get mime(): MimePart {
    this.#mime ??= parseMime(this.bytes);
    return this.#mime;
  }

  /**
   * The message as POP3 sends it (RFC 1939 §3: CRLF line ends): bare LFs become CRLF. Equal to
   * `bytes` (same Buffer) for normal mail, so RETR is byte-exact.
   */
  get pop3Bytes(): Buffer {
    if (this.#pop3 === undefined) {
      let bare = false;
      for (let i = this.bytes.indexOf(0x0a); i !== -1; i = this.bytes.indexOf(0x0a, i + 1)) {
        if (i === 0 || this.bytes[i - 1] !== 0x0d) {
          bare = true;
          break;
        }
      }
      this.#pop3 = bare ? Buffer.from(this.bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : this.bytes;
    }
    return this.#pop3;
  }
}
