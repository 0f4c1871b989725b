/**
 * FETCH data items (RFC 9051 §6.4.5, RFC 3501 §6.4.5): the macros, FLAGS, UID, INTERNALDATE,
 * RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE, BODY[section]<partial> and BODY.PEEK, and the
 * RFC822 forms. Parsing yields a list of items; rendering builds one message's FETCH response.
 */
import { resolvePart, type MimePart } from '../mime/structure.js';
import type { Message } from '../store/message.js';
import { nstr, type Chunk } from './encode.js';
import { BadCommand, formatDateTime, type ArgParser } from './parser.js';
import { bodyStructure, envelope } from './structure.js';

type Simple = 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE';

export interface SectionItem {
  /** The name in the response: `BODY[HEADER.FIELDS (SUBJECT)]`, `RFC822`, … */
  readonly name: string;
  /** Reading it sets \Seen (BODY[...], RFC822, RFC822.TEXT; not PEEK or RFC822.HEADER). */
  readonly setsSeen: boolean;
  readonly path: readonly number[];
  readonly text: 'ALL' | 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';
  readonly fields: readonly string[];
  readonly partial: { readonly origin: number; readonly count: number } | undefined;
}

export type FetchItem = { readonly kind: Simple } | ({ readonly kind: 'section' } & SectionItem);

const SIMPLE = new Set<string>(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE']);
const MACROS: Readonly<Record<string, readonly Simple[]>> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};
const MAX_ITEMS = 64;

/** `fetch-att` or a parenthesized list of them, or a macro. */
export function parseFetchItems(p: ArgParser): FetchItem[] {
  if (!p.accept('(')) {
    const name = itemName(p);
    const macro = MACROS[name];
    return macro ? macro.map((kind) => ({ kind })) : [parseItem(p, name)];
  }
  const items: FetchItem[] = [];
  while (!p.accept(')')) {
    if (items.length > 0) p.sp();
    items.push(parseItem(p, itemName(p)));
    if (items.length > MAX_ITEMS) throw new BadCommand('Too many FETCH items');
  }
  if (items.length === 0) throw new BadCommand('Empty FETCH item list');
  return items;
}

/** An item name, up to a space, a parenthesis or a section bracket; upper-cased. */
function itemName(p: ArgParser): string {
  return p.take((c) => c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x5b, 'a FETCH item').toUpperCase();
}

function parseItem(p: ArgParser, name: string): FetchItem {
  if (name === 'RFC822') return section(name, true, [], 'ALL', []);
  if (name === 'RFC822.HEADER') return section(name, false, [], 'HEADER', []);
  if (name === 'RFC822.TEXT') return section(name, true, [], 'TEXT', []);
  if ((name === 'BODY' || name === 'BODY.PEEK') && p.peek() === 0x5b) return parseSection(p, name === 'BODY');
  if (SIMPLE.has(name)) return { kind: name as Simple };
  throw new BadCommand(`Unknown FETCH item ${name.slice(0, 30)}`);
}

function section(name: string, setsSeen: boolean, path: number[], text: SectionItem['text'], fields: string[], partial?: SectionItem['partial']): FetchItem {
  return { kind: 'section', name, setsSeen, path, text, fields, partial };
}

/** `[section-spec]<origin.count>` after BODY or BODY.PEEK. */
function parseSection(p: ArgParser, setsSeen: boolean): FetchItem {
  p.expect('[');
  const path: number[] = [];
  let text: SectionItem['text'] = 'ALL';
  let fields: string[] = [];
  while (p.peek() !== undefined && p.peek()! >= 0x31 && p.peek()! <= 0x39) {
    path.push(p.number());
    if (path.length > 32) throw new BadCommand('Section path too deep');
    if (!p.accept('.')) break;
  }
  if (p.peek() !== 0x5d) {
    const word = p.take((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e, 'a section').toUpperCase();
    if (word === 'HEADER' || word === 'TEXT' || (word === 'MIME' && path.length > 0)) text = word;
    else if (word === 'HEADER.FIELDS' || word === 'HEADER.FIELDS.NOT') {
      text = word;
      p.sp();
      p.expect('(');
      while (!p.accept(')')) {
        if (fields.length > 0) p.sp();
        fields.push(p.astring().toString('latin1').toUpperCase());
        if (fields.length > 256) throw new BadCommand('Too many header fields');
      }
      if (fields.length === 0) throw new BadCommand('Empty header field list');
    } else throw new BadCommand(`Invalid section ${word.slice(0, 30)}`);
  }
  p.expect(']');
  let partial: SectionItem['partial'];
  if (p.accept('<')) {
    const origin = p.number();
    p.expect('.');
    const count = p.number();
    p.expect('>');
    if (count === 0) throw new BadCommand('Partial count must be positive');
    partial = { origin, count };
  }
  const spec = [path.join('.'), text === 'ALL' ? '' : text].filter((x) => x !== '').join('.');
  const shownFields = fields.length > 0 ? ` (${fields.join(' ')})` : '';
  fields = fields.map((f) => f.toLowerCase());
  return section(`BODY[${spec}${shownFields}]`, setsSeen, path, text, fields, partial);
}

/** The bytes a section names, or null when that part does not exist. */
export function sectionBytes(m: Message, item: SectionItem): Buffer | null {
  const bytes = m.bytes;
  let entity: MimePart = m.mime;
  if (item.path.length > 0) {
    const part = resolvePart(m.mime, item.path);
    if (!part) return null;
    // A part's content is its body; for part 1 of a single-part message, the message body.
    if (item.text === 'ALL') return bytes.subarray(part.bodyStart, part.end);
    if (item.text === 'MIME') return bytes.subarray(part.start, part.bodyStart);
    // HEADER/TEXT of a part: of the message/rfc822 it encapsulates (§6.4.5).
    if (!part.message) return null;
    entity = part.message;
  }
  switch (item.text) {
    case 'ALL':
      return bytes.subarray(entity.start, entity.end);
    case 'HEADER':
      return bytes.subarray(entity.start, entity.bodyStart);
    case 'TEXT':
      return bytes.subarray(entity.bodyStart, entity.end);
    default: {
      // HEADER.FIELDS[.NOT]: matching fields as they are, then the empty line.
      const wanted = new Set(item.fields);
      const keep = item.text === 'HEADER.FIELDS';
      const parts = entity.header.fields.filter((f) => wanted.has(f.key) === keep).map((f) => bytes.subarray(f.start, f.end));
      return Buffer.concat([...parts, Buffer.from('\r\n')]);
    }
  }
}

/** One `* n FETCH (...)` response body (without `* n FETCH `). */
export function renderFetch(m: Message, items: readonly FetchItem[], flags: readonly string[]): Chunk[] {
  const out: Chunk[] = ['('];
  items.forEach((item, i) => {
    if (i > 0) out.push(' ');
    switch (item.kind) {
      case 'UID':
        out.push(`UID ${m.uid}`);
        break;
      case 'FLAGS':
        out.push(`FLAGS (${flags.join(' ')})`);
        break;
      case 'INTERNALDATE':
        out.push(`INTERNALDATE ${formatDateTime(m.internalDate)}`);
        break;
      case 'RFC822.SIZE':
        out.push(`RFC822.SIZE ${m.size}`);
        break;
      case 'ENVELOPE':
        out.push('ENVELOPE ', ...envelope(m.header));
        break;
      case 'BODY':
      case 'BODYSTRUCTURE':
        out.push(`${item.kind} `, ...bodyStructure(m.bytes, m.mime, item.kind === 'BODYSTRUCTURE'));
        break;
      case 'section': {
        let data = sectionBytes(m, item);
        let name = item.name;
        if (item.partial && data) {
          data = data.subarray(Math.min(item.partial.origin, data.length), Math.min(item.partial.origin + item.partial.count, data.length));
          name += `<${item.partial.origin}>`;
        }
        // Message data always goes as a literal (8-bit safe, exact byte count).
        out.push(`${name} `, ...(data === null ? nstr(null) : [`{${data.length}}\r\n`, data]));
        break;
      }
    }
  });
  out.push(')');
  return out;
}
