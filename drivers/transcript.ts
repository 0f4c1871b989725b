/**
 * A bounded record of one connection's conversation. Client lines (`C`), server lines (`S`)
 * and harness notes (`I`) with a timestamp in milliseconds since the connection began.
 *
 * Secrets never get here: drivers pass a redacted display text for sensitive commands
 * (see redact.ts), so no reporter can leak what the transcript does not hold.
 */
export type Direction = 'C' | 'S' | 'I';

export interface TranscriptEntry {
  /** Milliseconds since the connection started, 0.001 ms resolution. */
  readonly t: number;
  readonly dir: Direction;
  readonly text: string;
}

export interface TranscriptOptions {
  maxEntries: number;
  maxTextBytes: number;
  now: () => number;
}

export class Transcript {
  readonly #ring: (TranscriptEntry | undefined)[];
  readonly #maxTextBytes: number;
  readonly #now: () => number;
  readonly #t0: number;
  #next = 0;
  #size = 0;
  #dropped = 0;

  constructor(options: TranscriptOptions) {
    this.#ring = new Array<TranscriptEntry | undefined>(Math.max(1, options.maxEntries));
    this.#maxTextBytes = options.maxTextBytes;
    this.#now = options.now;
    this.#t0 = options.now();
  }

  /** Entries evicted because the ring was full. */
  get dropped(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#size;
  }

  add(dir: Direction, text: string): void {
    const t = Math.round((this.#now() - this.#t0) * 1000) / 1000;
    const entry: TranscriptEntry = { t, dir, text: truncate(text, this.#maxTextBytes) };
    if (this.#size === this.#ring.length) this.#dropped++;
    else this.#size++;
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#ring.length;
  }

  client(text: string): void {
    this.add('C', text);
  }

  server(text: string): void {
    this.add('S', text);
  }

  info(text: string): void {
    this.add('I', text);
  }

  /** Record raw bytes as one entry per line, rendered printable (see renderWireText). */
  addBytes(dir: 'C' | 'S', bytes: Uint8Array): void {
    for (const line of splitWireLines(bytes)) this.add(dir, renderWireText(line));
  }

  /** The entries in order, oldest first; a copy that later writes do not change. */
  snapshot(last?: number): TranscriptEntry[] {
    const out: TranscriptEntry[] = [];
    const len = this.#ring.length;
    const start = this.#size === len ? this.#next : 0;
    for (let i = 0; i < this.#size; i++) {
      const e = this.#ring[(start + i) % len];
      if (e) out.push(e);
    }
    if (this.#dropped > 0 && (last === undefined || last >= out.length)) {
      out.unshift({ t: 0, dir: 'I', text: `(${this.#dropped} earlier entries dropped)` });
    }
    return last === undefined ? out : out.slice(Math.max(0, out.length - last));
  }
}

/** A transcript that records nothing (bench mode: no per-line cost). */
export const NO_TRANSCRIPT: Pick<Transcript, 'add' | 'client' | 'server' | 'info' | 'addBytes' | 'snapshot'> = {
  add() {},
  client() {},
  server() {},
  info() {},
  addBytes() {},
  snapshot() {
    return [];
  },
};

export type TranscriptSink = typeof NO_TRANSCRIPT;

function truncate(text: string, maxBytes: number): string {
  if (text.length <= maxBytes) return text;
  return `${text.slice(0, maxBytes)}… (${text.length - maxBytes} more chars)`;
}

/** Split bytes into lines ending in LF (the LF stays with its line); a tail without LF is a line too. */
export function splitWireLines(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Render one wire line for humans: a final CRLF is dropped (it is the normal terminator);
 * anything else that is not printable is escaped, so a bare LF shows as `\n`, a bare CR as
 * `\r`, NUL as `\x00`. Valid UTF-8 stays readable; invalid bytes become `\xNN`.
 */
export function renderWireText(line: Uint8Array): string {
  let end = line.length;
  if (end >= 2 && line[end - 2] === 0x0d && line[end - 1] === 0x0a) end -= 2;
  const body = line.subarray(0, end);
  let plain = true;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b < 0x20 || b >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1');
  let decoded: string | undefined;
  try {
    decoded = utf8.decode(body);
  } catch {
    decoded = undefined;
  }
  if (decoded !== undefined) return escapeControls(decoded);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : escapeByte(b);
  }
  return out;
}

function escapeControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || c === 0x7f ? escapeByte(c) : ch;
  }
  return out;
}

function escapeByte(b: number): string {
  if (b === 0x0d) return '\\r';
  if (b === 0x0a) return '\\n';
  if (b === 0x09) return '\\t';
  return `\\x${b.toString(16).padStart(2, '0')}`;
}
