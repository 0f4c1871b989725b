/**
 * Server response values (RFC 9051 §4, §9): quoted strings when the text allows (7-bit, no CR,
 * LF or NUL, not too long), literals otherwise, NIL for absent values. A response is a list of
 * chunks (text and literal bytes) joined once when written.
 */

export type Chunk = string | Buffer;

const MAX_QUOTED = 1024;

/** A string value: quoted when safe (§4.3 quoted is 7-bit TEXT-CHARs), else a literal. */
export function str(value: string | Buffer): Chunk[] {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length <= MAX_QUOTED && quotable(bytes)) {
    return [`"${bytes.toString('latin1').replace(/[\\"]/g, (c) => `\\${c}`)}"`];
  }
  return [`{${bytes.length}}\r\n`, bytes];
}

export function nstr(value: string | Buffer | null | undefined): Chunk[] {
  return value === null || value === undefined ? ['NIL'] : str(value);
}

/** A mailbox name: quoted when 7-bit, a literal otherwise. */
export function mailboxName(name: string): Chunk[] {
  return str(name);
}

function quotable(bytes: Buffer): boolean {
  for (const b of bytes) if (b === 0 || b === 0x0a || b === 0x0d || b > 0x7e) return false;
  return true;
}

/** Join chunks: a string when all are text, else one Buffer. */
export function join(chunks: readonly Chunk[]): string | Buffer {
  if (chunks.every((c) => typeof c === 'string')) return (chunks as string[]).join('');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

/** `(a b c)` of already encoded items. */
export function list(items: readonly Chunk[][]): Chunk[] {
  const out: Chunk[] = ['('];
  items.forEach((item, i) => {
    if (i > 0) out.push(' ');
    out.push(...item);
  });
  out.push(')');
  return out;
}

/** Compress ascending numbers into an IMAP set: `1:3,7,9:10` (UIDPLUS responses). */
export function formatSet(numbers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
