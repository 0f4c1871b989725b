/**
 * The body of a POP3 multi-line response (RFC 1939 §3) as a pure state machine fed one line
 * at a time, terminator included, the way `Transport.readLine` hands them out.
 *
 * RFC 1939 §3, client side: a line that begins with "." followed by CRLF ends the response; a
 * line that begins with "." followed by anything else loses that first octet (so `..x` → `.x`
 * and `...x` → `..x`). Everything else is kept byte for byte: 8-bit octets, NUL, a bare CR
 * inside a line, and each line's own terminator (CRLF or a bare LF, as the server sent it).
 */
import { MailprobeError } from '../errors.js';
import { DEFAULT_LIMITS, limitError } from '../limits.js';
import { renderWireText } from '../transcript.js';

const DOT = 0x2e;
const CR = 0x0d;
const LF = 0x0a;

/** What the body looked like on the wire; conformance checks read it, nothing here judges it. */
export interface MultilineStats {
  /** Bytes received for the body, stuffing and the terminating line included. */
  wireBytes: number;
  /** Bytes of the unstuffed content (what `Buffer.concat(lines)` holds). */
  contentBytes: number;
  /** Content lines (the terminating "." line not counted). */
  lines: number;
  /** Content lines ending in a bare LF (RFC 1939 §3 wants CRLF). */
  bareLfLines: number;
  /**
   * Lines that began with "." but not ".." (or ". CRLF"): the server did not byte-stuff them.
   * RFC 1939 §3 still has the client strip the dot, so the content differs from the message.
   */
  unstuffedDotLines: number;
  /** The end marker was "." LF instead of "." CRLF. */
  bareLfTerminator: boolean;
}

/** A complete multi-line body. */
export interface MultilineBody {
  /** Content lines, unstuffed, each with its terminator exactly as sent. */
  readonly lines: Buffer[];
  readonly stats: MultilineStats;
}

export class MultilineReader {
  readonly #maxBytes: number;
  readonly #lines: Buffer[] = [];
  readonly #stats: MultilineStats = {
    wireBytes: 0,
    contentBytes: 0,
    lines: 0,
    bareLfLines: 0,
    unstuffedDotLines: 0,
    bareLfTerminator: false,
  };
  #done = false;

  /** `maxBytes` bounds the body on the wire (limits.maxReplyBytes); past it, push throws ELIMIT. */
  constructor(maxBytes: number = DEFAULT_LIMITS.maxReplyBytes) {
    this.#maxBytes = maxBytes;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Bytes pushed so far, as received. */
  get wireBytes(): number {
    return this.#stats.wireBytes;
  }

  /**
   * Feed the next line (terminator included). Returns true when it was the end marker.
   * Throws ELIMIT past maxBytes and EPROTOCOL for a line without LF (a reader bug upstream).
   */
  push(line: Buffer): boolean {
    if (this.#done) throw new Error('MultilineReader.push() after the end marker');
    if (line.length === 0 || line[line.length - 1] !== LF) {
      throw new MailprobeError('EPROTOCOL', `multi-line response line without a line terminator: ${renderWireText(line.subarray(0, 200))}`);
    }
    const stats = this.#stats;
    stats.wireBytes += line.length;
    if (stats.wireBytes > this.#maxBytes) {
      throw limitError('maxReplyBytes', this.#maxBytes, stats.wireBytes);
    }
    let content = line;
    if (line[0] === DOT) {
      // "." CRLF ends the response; "." LF is accepted too (noted), since waiting for a CRLF
      // that never comes would turn a server's sloppiness into a timeout.
      if (line.length === 2 || (line.length === 3 && line[1] === CR)) {
        stats.bareLfTerminator = line.length === 2;
        this.#done = true;
        return true;
      }
      if (line[1] !== DOT) stats.unstuffedDotLines++;
      content = line.subarray(1);
    }
    if (content.length < 2 || content[content.length - 2] !== CR) stats.bareLfLines++;
    stats.contentBytes += content.length;
    stats.lines++;
    this.#lines.push(content);
    return false;
  }

  /** The body so far (complete once `done`). */
  result(): MultilineBody {
    return { lines: this.#lines, stats: { ...this.#stats } };
  }
}

/**
 * Byte-stuff content into a multi-line body with its end marker (RFC 1939 §3, server side):
 * every line starting with "." gets one more, and ". CRLF" closes it. Content that does not
 * end in LF gets a CRLF first, so the marker starts a line. For fake servers and round trips.
 */
export function dotStuff(content: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.length);
  let start = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(LF, start);
    const end = lf === -1 ? bytes.length : lf + 1;
    if (bytes[start] === DOT) parts.push(Buffer.from('.'));
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] !== LF) parts.push(Buffer.from('\r\n'));
  parts.push(Buffer.from('.\r\n'));
  return Buffer.concat(parts);
}

/** A content line without its terminator (CRLF or LF), decoded as UTF-8. */
export function lineText(line: Buffer): string {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === CR) end--;
  return line.toString('utf8', 0, end);
}
