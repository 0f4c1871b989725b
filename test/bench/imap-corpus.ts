/**
 * A realistic FETCH corpus for the parser benchmark, deterministic (seeded): summary fetches
 * as a mail client lists a folder (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)
 * and full-message fetches with `BODY[] {n}` literals of a few KB.
 *
 * Each entry has the wire form (what mailprobe's tokenizer takes: literals inline) and the form
 * imapflow's parser takes after its ImapStream (lines joined, literal bytes moved to
 * `literals[]`, final CRLF removed).
 */
export interface CorpusEntry {
  readonly wire: Buffer;
  readonly payload: Buffer;
  readonly literals: Buffer[];
}

export interface CorpusOptions {
  summaries?: number;
  bodies?: number;
  seed?: number;
}

const NAMES = ['Alice Example', 'Bob Builder', 'Carol Danvers', 'Dave Null', 'Émilie Dubois', 'Zoë Müller'];
const WORDS = ['quarterly', 'report', 'meeting', 'invoice', 'lunch', 'update', 'résumé', 're:', 'fwd:', 'status', 'budget', 'draft'];
const FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '$Forwarded', '$Junk', '\\Draft'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function fetchCorpus(options: CorpusOptions = {}): CorpusEntry[] {
  let state = options.seed ?? 42;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  const address = (): string => {
    const name = pick(NAMES);
    const user = name.split(' ')[0]!.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');
    return `(${quote(name)} NIL ${quote(user)} "example.org")`;
  };
  const out: CorpusEntry[] = [];
  const summaries = options.summaries ?? 240;
  const bodies = options.bodies ?? 60;
  for (let i = 1; i <= summaries; i++) {
    const uid = 1000 + i;
    const flags = Array.from({ length: rand(3) }, () => pick(FLAGS));
    const subject = Array.from({ length: 3 + rand(6) }, () => pick(WORDS)).join(' ');
    const day = String(1 + rand(28)).padStart(2, '0');
    const date = `${day}-${pick(MONTHS)}-2024 ${String(rand(24)).padStart(2, '0')}:${String(rand(60)).padStart(2, '0')}:00 +0000`;
    const to = Array.from({ length: 1 + rand(3) }, address).join('');
    const envelope =
      `(${quote(`Mon, ${day} Jan 2024 10:00:00 +0000`)} ${quote(subject)} (${address()}) (${address()}) (${address()}) (${to}) ` +
      `${rand(2) === 0 ? 'NIL' : `(${address()})`} NIL ${rand(2) === 0 ? 'NIL' : quote(`<prev${i}@example.org>`)} ${quote(`<msg${i}.${uid}@example.org>`)})`;
    const bodystructure =
      `(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" ${200 + rand(5000)} ${10 + rand(100)} NIL NIL NIL NIL)` +
      `("text" "html" ("charset" "utf-8") NIL NIL "base64" ${500 + rand(20000)} ${20 + rand(300)} NIL NIL NIL NIL)` +
      ` "alternative" ("boundary" "=_boundary_${i}") NIL NIL NIL)`;
    const line =
      `* ${i} FETCH (UID ${uid} FLAGS (${flags.join(' ')}) RFC822.SIZE ${1000 + rand(90000)} ` +
      `INTERNALDATE ${quote(date)} ENVELOPE ${envelope} BODYSTRUCTURE ${bodystructure})`;
    const bytes = Buffer.from(line, 'utf8');
    out.push({ wire: Buffer.concat([bytes, CRLF]), payload: bytes, literals: [] });
  }
  for (let i = 1; i <= bodies; i++) {
    const size = 2048 + rand(6144);
    const message = messageOf(size, i, pick);
    const head = Buffer.from(`* ${summaries + i} FETCH (UID ${5000 + i} FLAGS (\\Seen) BODY[] {${message.length}}\r\n`, 'latin1');
    const tail = Buffer.from(')', 'latin1');
    out.push({
      wire: Buffer.concat([head, message, tail, CRLF]),
      payload: Buffer.concat([head, tail]),
      literals: [message],
    });
  }
  return out;
}

const CRLF = Buffer.from('\r\n');

function messageOf(size: number, i: number, pick: <T>(xs: readonly T[]) => T): Buffer {
  const header =
    `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: message ${i} ${pick(WORDS)}\r\n` +
    `Message-ID: <m${i}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
  const lines: string[] = [];
  let length = Buffer.byteLength(header);
  while (length < size) {
    const line = Array.from({ length: 8 }, () => pick(WORDS)).join(' ');
    // A line starting with "." and 8-bit text, as real bodies have.
    const text = lines.length % 7 === 3 ? `.${line}` : line;
    lines.push(text);
    length += Buffer.byteLength(text) + 2;
  }
  return Buffer.from(header + lines.join('\r\n') + '\r\n', 'utf8');
}
