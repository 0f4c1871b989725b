/**
 * RFC 5322 §2.2 header sections at the byte level: where the header ends, its fields with their
 * raw extent (for BODY[HEADER.FIELDS]) and unfolded values (§2.2.3). Bare LF line ends are
 * tolerated, as mail stored by other programs has them. Bounded by MAX_FIELDS.
 */

export interface HeaderField {
  /** The name as written. */
  readonly name: string;
  /** Lower-case name, for lookups. */
  readonly key: string;
  /** Raw bytes of the field, continuation lines and final line end included. */
  readonly start: number;
  readonly end: number;
  /** The value unfolded (CRLF before WSP removed), decoded as UTF-8, trimmed. */
  readonly value: string;
}

export interface HeaderBlock {
  readonly fields: readonly HeaderField[];
  /** Where the body starts: after the empty line that ends the header (or `end` if none). */
  readonly bodyStart: number;
}

const MAX_FIELDS = 2000;
const LF = 0x0a;
const CR = 0x0d;

/** The end (exclusive) of the line starting at `from`, its LF included; `end` if none. */
export function lineEnd(bytes: Uint8Array, from: number, end: number): number {
  const lf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(LF, from);
  return lf === -1 || lf >= end ? end : lf + 1;
}

function isBlankLine(bytes: Uint8Array, start: number, stop: number): boolean {
  const length = stop - start;
  return (length === 1 && bytes[start] === LF) || (length === 2 && bytes[start] === CR && bytes[start + 1] === LF);
}

/** Parse the header section of the entity in bytes[start, end). */
export function parseHeader(bytes: Buffer, start = 0, end = bytes.length): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  let current: { name: string; start: number } | undefined;
  const close = (at: number): void => {
    if (!current) return;
    if (fields.length < MAX_FIELDS) {
      const raw = bytes.toString('utf8', current.start, at);
      const colon = raw.indexOf(':');
      const value = raw.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').trim();
      fields.push({ name: current.name, key: current.name.toLowerCase(), start: current.start, end: at, value });
    }
    current = undefined;
  };
  while (pos < end) {
    const stop = lineEnd(bytes, pos, end);
    if (isBlankLine(bytes, pos, stop)) {
      close(pos);
      return { fields, bodyStart: stop };
    }
    const first = bytes[pos];
    if ((first === 0x20 || first === 0x09) && current) {
      pos = stop; // folded continuation of the current field
      continue;
    }
    close(pos);
    const line = bytes.toString('latin1', pos, Math.min(stop, pos + 200));
    const colon = line.indexOf(':');
    // A line without a colon is not a field (RFC 5322 §3.6.8 field-name is 1*ftext ":").
    if (colon > 0 && /^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon))) current = { name: line.slice(0, colon), start: pos };
    pos = stop;
  }
  close(end);
  return { fields, bodyStart: end };
}

/** The first field with this name (case-insensitive), or undefined. */
export function fieldValue(block: HeaderBlock, name: string): string | undefined {
  const key = name.toLowerCase();
  return block.fields.find((f) => f.key === key)?.value;
}

export interface ContentType {
  readonly type: string;
  readonly subtype: string;
  /** Parameter names lower-cased, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

/** RFC 2045 §5.1 Content-Type; RFC 2045 §5.2 default text/plain; charset=us-ascii. */
export function parseContentType(value: string | undefined, fallback: ContentType = TEXT_PLAIN): ContentType {
  if (value === undefined) return fallback;
  const m = /^\s*([!#$%&'*+.^`{|}~\w-]+)\s*\/\s*([!#$%&'*+.^`{|}~\w-]+)\s*(.*)$/s.exec(value);
  if (!m) return fallback;
  return { type: m[1]!.toLowerCase(), subtype: m[2]!.toLowerCase(), params: parseParams(m[3]!) };
}

export const TEXT_PLAIN: ContentType = { type: 'text', subtype: 'plain', params: new Map([['charset', 'us-ascii']]) };
/** RFC 2046 §5.1.5: in multipart/digest the default is message/rfc822. */
export const MESSAGE_RFC822: ContentType = { type: 'message', subtype: 'rfc822', params: new Map() };

/** `; name=value; name="quoted \" value"` → Map (first occurrence wins; at most 64). */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([!#$%&'*+.^`{|}~\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/gs;
  for (let m = re.exec(text); m && params.size < 64; m = re.exec(text)) {
    const name = m[1]!.toLowerCase();
    let value = m[2]!;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** The disposition type and its parameters (RFC 2183), if the field is there. */
export function parseDisposition(value: string | undefined): { type: string; params: Map<string, string> } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([!#$%&'*+.^`{|}~\w-]+)\s*(.*)$/s.exec(value);
  return m ? { type: m[1]!.toLowerCase(), params: parseParams(m[2]!) } : undefined;
}
