/**
 * The MIME tree of a message (RFC 2045, RFC 2046 §5.1 multipart, §5.2.1 message/rfc822) as byte
 * offsets into the stored message, and IMAP part numbering over it (RFC 9051 §6.4.5). Depth and
 * part count are bounded; anything malformed degrades to a single part, never an error.
 */
import { fieldValue, lineEnd, MESSAGE_RFC822, parseContentType, parseHeader, TEXT_PLAIN, type ContentType, type HeaderBlock } from './headers.js';

export interface MimePart {
  /** The whole entity: header, empty line and body. */
  readonly start: number;
  readonly end: number;
  readonly header: HeaderBlock;
  readonly bodyStart: number;
  readonly contentType: ContentType;
  /** Parts of a multipart entity (at least one when the type is multipart). */
  readonly children: readonly MimePart[];
  /** The encapsulated message of a message/rfc822 entity. */
  readonly message: MimePart | undefined;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 512;

export function parseMime(bytes: Buffer): MimePart {
  const budget = { parts: 0 };
  return parseEntity(bytes, 0, bytes.length, TEXT_PLAIN, 0, budget);
}

function parseEntity(bytes: Buffer, start: number, end: number, fallback: ContentType, depth: number, budget: { parts: number }): MimePart {
  budget.parts++;
  const header = parseHeader(bytes, start, end);
  let contentType = parseContentType(fieldValue(header, 'content-type'), fallback);
  const deeper = depth < MAX_DEPTH && budget.parts < MAX_PARTS;
  let children: MimePart[] = [];
  let message: MimePart | undefined;
  if (contentType.type === 'multipart') {
    const boundary = contentType.params.get('boundary');
    const ranges = boundary !== undefined && deeper ? splitMultipart(bytes, header.bodyStart, end, boundary) : [];
    const childDefault = contentType.subtype === 'digest' ? MESSAGE_RFC822 : TEXT_PLAIN;
    children = ranges.slice(0, MAX_PARTS - budget.parts).map(([s, e]) => parseEntity(bytes, s, e, childDefault, depth + 1, budget));
    // A multipart without parts cannot be described in BODYSTRUCTURE: treat it as text.
    if (children.length === 0) contentType = TEXT_PLAIN;
  } else if (contentType.type === 'message' && contentType.subtype === 'rfc822' && deeper) {
    message = parseEntity(bytes, header.bodyStart, end, TEXT_PLAIN, depth + 1, budget);
  }
  return { start, end, header, bodyStart: header.bodyStart, contentType, children, message };
}

/**
 * RFC 2046 §5.1.1: parts lie between delimiter lines `--boundary`; the line end before a
 * delimiter belongs to the delimiter; `--boundary--` closes. Returns [start, end) of each part.
 */
function splitMultipart(bytes: Buffer, start: number, end: number, boundary: string): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const stop = lineEnd(bytes, pos, end);
    if (bytes.subarray(pos, Math.min(pos + delimiter.length, end)).equals(delimiter)) {
      const rest = bytes.toString('latin1', pos + delimiter.length, stop);
      const closing = rest.startsWith('--');
      if (closing || /^[ \t]*\r?\n?$/.test(rest)) {
        if (partStart !== -1) parts.push([partStart, precedingLineBreak(bytes, partStart, pos)]);
        if (closing || parts.length >= MAX_PARTS) return parts;
        partStart = stop;
      }
    }
    pos = stop;
  }
  if (partStart !== -1 && partStart < end) parts.push([partStart, end]);
  return parts;
}

function precedingLineBreak(bytes: Buffer, partStart: number, delimiterAt: number): number {
  let at = delimiterAt;
  if (at > partStart && bytes[at - 1] === 0x0a) at--;
  if (at > partStart && bytes[at - 1] === 0x0d) at--;
  return at;
}

/**
 * The part a section path names (RFC 9051 §6.4.5): numbers walk the children of multiparts;
 * under a message/rfc822 part they walk the encapsulated message; a non-multipart entity only has
 * part 1 (itself). Undefined if the path does not exist.
 */
export function resolvePart(root: MimePart, path: readonly number[]): MimePart | undefined {
  let current = root;
  for (const n of path) {
    let container = current;
    if (container.children.length === 0 && container.message && current !== root) container = container.message;
    if (container.children.length > 0) {
      const next = container.children[n - 1];
      if (!next) return undefined;
      current = next;
    } else if (n === 1) {
      current = container;
    } else {
      return undefined;
    }
  }
  return current;
}

/** Lines of a body for BODYSTRUCTURE `body-fld-lines`: line ends counted, plus an unterminated last line. */
export function countLines(bytes: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(0x0a, start); i !== -1 && i < end; i = bytes.indexOf(0x0a, i + 1)) lines++;
  if (end > start && bytes[end - 1] !== 0x0a) lines++;
  return lines;
}
