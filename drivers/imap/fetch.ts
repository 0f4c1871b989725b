/**
 * FETCH data items (RFC 9051 §7.5.2, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474 OBJECTID)
 * from tokens to a typed map. Body bytes stay views of the response buffer, exactly as sent.
 */
import { MailprobeError } from '../errors.js';
import type { Address, Envelope, FetchAttributes, FetchBody } from './response-types.js';
import { tokenBigInt, tokenBytes, tokenString, tokenText, type AtomToken, type ImapToken, type ListToken } from './tokens.js';

/** Type the `(name value ...)` list of one FETCH response. */
export function fetchAttributes(list: ListToken, seq: number): FetchAttributes {
  const attrs: FetchAttributes = {
    uid: undefined,
    flags: undefined,
    rfc822Size: undefined,
    internalDate: undefined,
    modseq: undefined,
    envelope: undefined,
    bodyStructure: undefined,
    emailId: undefined,
    threadId: undefined,
    bodies: new Map(),
    binarySizes: new Map(),
    other: new Map(),
  };
  const items = list.items;
  if (items.length % 2 !== 0) fail(seq, `odd number of items (${items.length}): a name without its value`);
  for (let i = 0; i < items.length; i += 2) {
    const key = items[i]!;
    const value = items[i + 1]!;
    if (key.kind !== 'atom') fail(seq, `item name expected, found ${tokenText(key)}`);
    const name = key.value.toUpperCase();
    if (key.section !== undefined) {
      sectioned(attrs, name, key, value, seq);
      continue;
    }
    switch (name) {
      case 'UID':
        attrs.uid = number(value, seq, name);
        break;
      case 'FLAGS':
        attrs.flags = flagList(value, seq, name);
        break;
      case 'RFC822.SIZE':
        attrs.rfc822Size = number(value, seq, name);
        break;
      case 'INTERNALDATE':
        attrs.internalDate = str(value, seq, name);
        break;
      case 'MODSEQ': {
        // RFC 7162 §3.1.4.1: MODSEQ (n), a parenthesised mod-sequence.
        const m = value.kind === 'list' && value.items.length === 1 ? tokenBigInt(value.items[0]) : undefined;
        if (m === undefined) fail(seq, `MODSEQ is not "(number)": ${tokenText(value)}`);
        attrs.modseq = m;
        break;
      }
      case 'ENVELOPE':
        attrs.envelope = envelope(value, seq);
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        if (value.kind !== 'list') fail(seq, `${name} is not a list`);
        attrs.bodyStructure = value;
        break;
      case 'RFC822':
      case 'RFC822.HEADER':
      case 'RFC822.TEXT':
        attrs.bodies.set(name, body('', undefined, value, seq, name));
        break;
      case 'EMAILID':
        attrs.emailId = objectId(value, seq, name) ?? undefined;
        break;
      case 'THREADID':
        attrs.threadId = value.kind === 'nil' ? null : objectId(value, seq, name);
        break;
      default:
        attrs.other.set(name, value);
    }
  }
  return attrs;
}

function sectioned(attrs: FetchAttributes, name: string, key: AtomToken, value: ImapToken, seq: number): void {
  // Keys are upper-cased (item names and section specs are case-insensitive, RFC 9051 §6.4.5);
  // `section` keeps what the server sent.
  const section = key.section!.map(tokenText).join(' ');
  const upper = section.toUpperCase();
  if (name === 'BINARY.SIZE') {
    attrs.binarySizes.set(upper, number(value, seq, `${name}[${section}]`));
    return;
  }
  const item = `${name}[${upper}]`;
  if (name === 'BODY' || name === 'BINARY') {
    attrs.bodies.set(item, body(section, key.partial?.offset, value, seq, item));
    return;
  }
  attrs.other.set(item, value);
}

function body(section: string, origin: number | undefined, value: ImapToken, seq: number, item: string): FetchBody {
  const bytes = tokenBytes(value);
  if (bytes === undefined) fail(seq, `${item} is a list, not a string`);
  return { section, origin, bytes };
}

function number(token: ImapToken, seq: number, item: string): number {
  if (token.kind !== 'number') fail(seq, `${item} is not a number: ${tokenText(token)}`);
  return token.value;
}

function str(token: ImapToken, seq: number, item: string): string {
  const s = tokenString(token);
  if (typeof s !== 'string') fail(seq, `${item} is not a string: ${tokenText(token)}`);
  return s;
}

function flagList(token: ImapToken, seq: number, item: string): string[] {
  if (token.kind !== 'list') fail(seq, `${item} is not a list`);
  return token.items.map((t) => {
    if (t.kind !== 'atom') fail(seq, `${item} holds ${tokenText(t)}, not a flag`);
    return tokenText(t);
  });
}

/** RFC 8474 §7: EMAILID (id), THREADID (id) / NIL. */
function objectId(token: ImapToken, seq: number, item: string): string {
  const inner = token.kind === 'list' && token.items.length === 1 ? tokenString(token.items[0]) : undefined;
  if (typeof inner !== 'string') fail(seq, `${item} is not "(objectid)": ${tokenText(token)}`);
  return inner;
}

const ENVELOPE_FIELDS = 10;

/** ENVELOPE: date subject from sender reply-to to cc bcc in-reply-to message-id. */
function envelope(token: ImapToken, seq: number): Envelope {
  if (token.kind !== 'list' || token.items.length < ENVELOPE_FIELDS) {
    fail(seq, `ENVELOPE is not a list of ${ENVELOPE_FIELDS} fields: ${tokenText(token).slice(0, 120)}`);
  }
  const f = token.items;
  return {
    date: nstring(f[0]!, seq, 'date'),
    subject: nstring(f[1]!, seq, 'subject'),
    from: addresses(f[2]!, seq),
    sender: addresses(f[3]!, seq),
    replyTo: addresses(f[4]!, seq),
    to: addresses(f[5]!, seq),
    cc: addresses(f[6]!, seq),
    bcc: addresses(f[7]!, seq),
    inReplyTo: nstring(f[8]!, seq, 'in-reply-to'),
    messageId: nstring(f[9]!, seq, 'message-id'),
  };
}

function nstring(token: ImapToken, seq: number, field: string): string | null {
  const s = tokenString(token);
  if (s === undefined) fail(seq, `ENVELOPE ${field} is a list, not a string`);
  return s;
}

function addresses(token: ImapToken, seq: number): Address[] | null {
  if (token.kind === 'nil') return null;
  if (token.kind !== 'list') fail(seq, `ENVELOPE address list expected, found ${tokenText(token)}`);
  const out: Address[] = [];
  for (const a of token.items) {
    if (a.kind !== 'list' || a.items.length !== 4) fail(seq, `ENVELOPE address is not a list of 4: ${tokenText(a)}`);
    const [name, adl, mailbox, host] = a.items as [ImapToken, ImapToken, ImapToken, ImapToken];
    out.push({
      name: nstring(name, seq, 'addr-name'),
      adl: nstring(adl, seq, 'addr-adl'),
      mailbox: nstring(mailbox, seq, 'addr-mailbox'),
      host: nstring(host, seq, 'addr-host'),
    });
  }
  return out;
}

function fail(seq: number, what: string): never {
  throw new MailprobeError('EPROTOCOL', `malformed FETCH response for message ${seq}: ${what}`);
}
