/**
 * ENVELOPE and BODY/BODYSTRUCTURE (RFC 9051 §7.5.2, RFC 3501 §7.4.2) from the parsed message.
 * Strings keep their header text (RFC 2047 words undecoded, as servers send them).
 */
import { parseAddressList } from '../mime/address.js';
import { fieldValue, parseDisposition, type HeaderBlock } from '../mime/headers.js';
import { countLines, type MimePart } from '../mime/structure.js';
import { list, nstr, str, type Chunk } from './encode.js';

function addresses(header: HeaderBlock, name: string, fallback?: string): Chunk[] {
  let value = fieldValue(header, name);
  // §7.5.2: absent or empty Sender / Reply-To take the From value.
  if ((value === undefined || value.trim() === '') && fallback !== undefined) value = fieldValue(header, fallback);
  if (value === undefined || value.trim() === '') return ['NIL'];
  const parsed = parseAddressList(value);
  if (parsed.length === 0) return ['NIL'];
  return list(parsed.map((a) => list([nstr(a.name), ['NIL'], nstr(a.mailbox), nstr(a.host)])));
}

export function envelope(header: HeaderBlock): Chunk[] {
  return list([
    nstr(fieldValue(header, 'date')),
    nstr(fieldValue(header, 'subject')),
    addresses(header, 'from'),
    addresses(header, 'sender', 'from'),
    addresses(header, 'reply-to', 'from'),
    addresses(header, 'to'),
    addresses(header, 'cc'),
    addresses(header, 'bcc'),
    nstr(fieldValue(header, 'in-reply-to')),
    nstr(fieldValue(header, 'message-id')),
  ]);
}

function params(map: ReadonlyMap<string, string>): Chunk[] {
  if (map.size === 0) return ['NIL'];
  return list([...map].map(([k, v]) => [...str(k.toUpperCase()), ' ', ...str(v)]));
}

/**
 * `body` (§9): a multipart lists its parts then its subtype; a single part gives type, subtype,
 * parameters, id, description, encoding and size, plus lines for text and the encapsulated
 * message for message/rfc822. `extended` adds the BODYSTRUCTURE extension data.
 */
export function bodyStructure(bytes: Buffer, part: MimePart, extended: boolean): Chunk[] {
  const h = part.header;
  const ct = part.contentType;
  const disposition = parseDisposition(fieldValue(h, 'content-disposition'));
  const ext = (): Chunk[][] => [
    disposition ? list([str(disposition.type.toUpperCase()), params(disposition.params)]) : ['NIL'],
    nstr(fieldValue(h, 'content-language')),
    nstr(fieldValue(h, 'content-location')),
  ];
  if (part.children.length > 0) {
    const out: Chunk[] = ['('];
    for (const child of part.children) out.push(...bodyStructure(bytes, child, extended));
    out.push(' ', ...str(ct.subtype.toUpperCase()));
    if (extended) for (const item of [params(ct.params), ...ext()]) out.push(' ', ...item);
    out.push(')');
    return out;
  }
  const size = part.end - part.bodyStart;
  const fields: Chunk[][] = [
    str(ct.type.toUpperCase()),
    str(ct.subtype.toUpperCase()),
    params(ct.params),
    nstr(fieldValue(h, 'content-id')),
    nstr(fieldValue(h, 'content-description')),
    str((fieldValue(h, 'content-transfer-encoding') ?? '7BIT').toUpperCase()),
    [String(size)],
  ];
  if (ct.type === 'message' && ct.subtype === 'rfc822' && part.message) {
    fields.push(envelope(part.message.header), bodyStructure(bytes, part.message, extended), [String(countLines(bytes, part.bodyStart, part.end))]);
  } else if (ct.type === 'text') {
    fields.push([String(countLines(bytes, part.bodyStart, part.end))]);
  }
  if (extended) fields.push(nstr(fieldValue(h, 'content-md5')), ...ext());
  return list(fields);
}
