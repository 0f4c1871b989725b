/**
 * Classify a tokenized response into the ImapResponse union (RFC 9051 §7). Known untagged
 * responses are typed; anything else stays tokens (`kind: 'other'`). A tagged response whose
 * status is not OK/NO/BAD, or a known response with the wrong shape, is EPROTOCOL: the server
 * broke the grammar, which is not the same thing as saying no.
 */
import { MailprobeError } from '../errors.js';
import { renderWireText } from '../transcript.js';
import { fetchAttributes } from './fetch.js';
import type {
  ConditionStatus,
  EsearchResponse,
  ImapResponse,
  ListResponse,
  MailboxStatus,
  NamespaceDescriptor,
  NamespaceResponse,
  StatusResponse,
  TaggedStatus,
  UntaggedResponse,
} from './response-types.js';
import { tokenizeResponse, type TokenizerOptions } from './tokenizer.js';
import { tokenBigInt, tokenString, tokenText, type ImapToken, type TokenizedResponse } from './tokens.js';

/** Tokenize and classify one complete response (bytes as the framer returns them). */
export function parseResponse(raw: Buffer, options?: TokenizerOptions): ImapResponse {
  return classifyResponse(tokenizeResponse(raw, options), raw);
}

/** Classify an already tokenized response; `raw` is kept on the result. */
export function classifyResponse(t: TokenizedResponse, raw: Buffer): ImapResponse {
  try {
    return classify(t, raw);
  } catch (err) {
    if (err instanceof MailprobeError && err.context.response === undefined) {
      throw err.withContext({ response: renderWireText(raw.subarray(0, 300)) });
    }
    throw err;
  }
}

function classify(t: TokenizedResponse, raw: Buffer): ImapResponse {
  if (t.tag === '+') return { kind: 'continuation', code: t.code, text: t.text ?? '', raw };
  const tokens = t.tokens;
  if (t.tag !== '*') {
    const word = tokens[0];
    const status = word?.kind === 'atom' ? word.value.toUpperCase() : undefined;
    if (status !== 'OK' && status !== 'NO' && status !== 'BAD') {
      fail(`tagged response "${t.tag}" has status ${word === undefined ? 'nothing' : tokenText(word)}, not OK, NO or BAD`);
    }
    return { kind: 'tagged', tag: t.tag, status: status as TaggedStatus, code: t.code, text: t.text ?? '', raw };
  }
  return untagged(t, raw);
}

function untagged(t: TokenizedResponse, raw: Buffer): UntaggedResponse {
  const tokens = t.tokens;
  const first = tokens[0]!;
  if (first.kind === 'number') {
    const nameToken = tokens[1];
    if (nameToken === undefined) fail(`untagged response "* ${first.value}" has no name`);
    const name = nameToken.kind === 'atom' ? nameToken.value.toUpperCase() : tokenText(nameToken);
    const n = first.value;
    switch (name) {
      case 'EXISTS':
        return { kind: 'exists', count: n, raw };
      case 'RECENT':
        return { kind: 'recent', count: n, raw };
      case 'EXPUNGE':
        return { kind: 'expunge', seq: n, raw };
      case 'FETCH': {
        const list = tokens[2];
        if (list?.kind !== 'list' || tokens.length !== 3) fail(`FETCH for message ${n} is not one parenthesised list`);
        return { kind: 'fetch', seq: n, attributes: fetchAttributes(list, n), raw };
      }
      default:
        return { kind: 'other', name, number: n, tokens: tokens.slice(2), raw };
    }
  }
  if (first.kind !== 'atom') fail(`untagged response starts with ${tokenText(first)}`);
  const name = first.value.toUpperCase();
  const args = tokens.slice(1);
  switch (name) {
    case 'OK':
    case 'NO':
    case 'BAD':
    case 'BYE':
    case 'PREAUTH':
      return { kind: 'condition', status: name as ConditionStatus, code: t.code, text: t.text ?? '', raw };
    case 'CAPABILITY':
      return { kind: 'capability', capabilities: atoms(args, name), raw };
    case 'ENABLED':
      return { kind: 'enabled', capabilities: atoms(args, name), raw };
    case 'FLAGS': {
      const list = args[0];
      if (list?.kind !== 'list') fail('FLAGS is not followed by a list');
      return { kind: 'flags', flags: atoms(list.items, name), raw };
    }
    case 'LIST':
    case 'LSUB':
      return list(name, args, raw);
    case 'STATUS':
      return status(args, raw);
    case 'SEARCH':
      return search(args, raw);
    case 'ESEARCH':
      return esearch(args, raw);
    case 'ID':
      return id(args, raw);
    case 'NAMESPACE':
      return namespace(args, raw);
    case 'VANISHED':
      return vanished(args, raw);
    default:
      return { kind: 'other', name, number: undefined, tokens: args, raw };
  }
}

/** Atoms (capabilities, flags) as text; anything else in the list is a grammar error. */
function atoms(tokens: readonly ImapToken[], what: string): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'atom' && t.kind !== 'number') fail(`${what} holds ${tokenText(t)}, not an atom`);
    out.push(tokenText(t));
  }
  return out;
}

function list(name: 'LIST' | 'LSUB', args: ImapToken[], raw: Buffer): ListResponse {
  const [flags, delim, mailbox, extended] = args;
  if (flags?.kind !== 'list') fail(`${name} does not start with a flag list`);
  const delimiter = tokenString(delim);
  if (delimiter === undefined) fail(`${name} has no hierarchy delimiter`);
  const box = tokenString(mailbox);
  if (typeof box !== 'string') fail(`${name} has no mailbox name`);
  if (args.length > 4 || (extended !== undefined && extended.kind !== 'list')) fail(`${name} has unexpected data after the mailbox name`);
  return {
    kind: name === 'LIST' ? 'list' : 'lsub',
    flags: atoms(flags.items, `${name} flags`),
    delimiter,
    mailbox: box,
    extended: extended?.kind === 'list' ? extended.items : [],
    raw,
  };
}

function status(args: ImapToken[], raw: Buffer): StatusResponse {
  const [mailbox, items] = args;
  const box = tokenString(mailbox);
  if (typeof box !== 'string') fail('STATUS has no mailbox name');
  if (items?.kind !== 'list' || items.items.length % 2 !== 0) fail('STATUS items are not a list of name-value pairs');
  const attributes: MailboxStatus = { items: new Map() };
  const values = items.items;
  for (let i = 0; i < values.length; i += 2) {
    const key = values[i]!;
    const value = values[i + 1]!;
    if (key.kind !== 'atom') fail(`STATUS item name expected, found ${tokenText(key)}`);
    const k = key.value.toUpperCase();
    attributes.items.set(k, value);
    if (k === 'HIGHESTMODSEQ') {
      attributes.highestModseq = tokenBigInt(value);
      continue;
    }
    const n = value.kind === 'number' ? value.value : undefined;
    switch (k) {
      case 'MESSAGES':
        attributes.messages = n;
        break;
      case 'RECENT':
        attributes.recent = n;
        break;
      case 'UIDNEXT':
        attributes.uidNext = n;
        break;
      case 'UIDVALIDITY':
        attributes.uidValidity = n;
        break;
      case 'UNSEEN':
        attributes.unseen = n;
        break;
      case 'DELETED':
        attributes.deleted = n;
        break;
      case 'SIZE':
        attributes.size = n;
        break;
    }
  }
  return { kind: 'status', mailbox: box, attributes, raw };
}

/** `* SEARCH 2 3 6` and RFC 7162 §3.1.5 `* SEARCH 2 3 (MODSEQ 917162500)`. */
function search(args: ImapToken[], raw: Buffer): UntaggedResponse {
  const ids: number[] = [];
  let modseq: bigint | undefined;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (t.kind === 'number') ids.push(t.value);
    else if (t.kind === 'list' && i === args.length - 1 && t.items.length === 2 && tokenString(t.items[0])?.toUpperCase() === 'MODSEQ') {
      modseq = tokenBigInt(t.items[1]);
      if (modseq === undefined) fail('SEARCH (MODSEQ n) without a number');
    } else fail(`SEARCH holds ${tokenText(t)}, not a number`);
  }
  return { kind: 'search', ids, modseq, raw };
}

/** `* ESEARCH (TAG "A1") UID MIN 2 COUNT 3 ALL 2,10:11` (RFC 4731 §3.1). */
function esearch(args: ImapToken[], raw: Buffer): EsearchResponse {
  let i = 0;
  let correlator: string | undefined;
  const head = args[0];
  if (head?.kind === 'list') {
    const [k, v] = head.items;
    if (tokenString(k)?.toUpperCase() !== 'TAG' || typeof tokenString(v) !== 'string') fail('ESEARCH correlator is not (TAG "tag")');
    correlator = tokenString(v) as string;
    i = 1;
  }
  let uid = false;
  if (args[i]?.kind === 'atom' && tokenString(args[i])?.toUpperCase() === 'UID') {
    uid = true;
    i++;
  }
  const items = new Map<string, ImapToken>();
  if ((args.length - i) % 2 !== 0) fail('ESEARCH return data is not name-value pairs');
  for (; i < args.length; i += 2) {
    const k = args[i]!;
    if (k.kind !== 'atom') fail(`ESEARCH item name expected, found ${tokenText(k)}`);
    items.set(k.value.toUpperCase(), args[i + 1]!);
  }
  const num = (key: string): number | undefined => {
    const t = items.get(key);
    return t?.kind === 'number' ? t.value : undefined;
  };
  const all = items.get('ALL');
  return {
    kind: 'esearch',
    correlator,
    uid,
    min: num('MIN'),
    max: num('MAX'),
    count: num('COUNT'),
    all: all === undefined ? undefined : tokenText(all),
    modseq: tokenBigInt(items.get('MODSEQ')),
    items,
    raw,
  };
}

/** `* ID ("name" "Dovecot" "version" NIL)` or `* ID NIL` (RFC 2971 §3.2). */
function id(args: ImapToken[], raw: Buffer): UntaggedResponse {
  const list = args[0];
  if (list?.kind === 'nil') return { kind: 'id', params: null, raw };
  if (list?.kind !== 'list' || list.items.length % 2 !== 0) fail('ID is neither NIL nor a list of name-value pairs');
  const params = new Map<string, string | null>();
  for (let i = 0; i < list.items.length; i += 2) {
    const k = tokenString(list.items[i]);
    const v = tokenString(list.items[i + 1]);
    if (typeof k !== 'string' || v === undefined) fail('ID field is not a string pair');
    params.set(k, v);
  }
  return { kind: 'id', params, raw };
}

function namespace(args: ImapToken[], raw: Buffer): NamespaceResponse {
  if (args.length !== 3) fail(`NAMESPACE has ${args.length} parts, not 3`);
  const one = (t: ImapToken): NamespaceDescriptor[] | null => {
    if (t.kind === 'nil') return null;
    if (t.kind !== 'list') fail(`NAMESPACE part is ${tokenText(t)}, not a list or NIL`);
    return t.items.map((d) => {
      if (d.kind !== 'list' || d.items.length < 2) fail(`NAMESPACE descriptor is not (prefix delimiter): ${tokenText(d)}`);
      const prefix = tokenString(d.items[0]);
      const delimiter = tokenString(d.items[1]);
      if (typeof prefix !== 'string' || delimiter === undefined) fail('NAMESPACE prefix or delimiter is not a string');
      return { prefix, delimiter, extensions: d.items.slice(2) };
    });
  };
  return { kind: 'namespace', personal: one(args[0]!), other: one(args[1]!), shared: one(args[2]!), raw };
}

/** `* VANISHED (EARLIER) 300:310,405` (RFC 7162 §3.2.10). */
function vanished(args: ImapToken[], raw: Buffer): UntaggedResponse {
  let i = 0;
  let earlier = false;
  const head = args[0];
  if (head?.kind === 'list') {
    earlier = head.items.some((t) => tokenString(t)?.toUpperCase() === 'EARLIER');
    i = 1;
  }
  const set = args[i];
  if (set === undefined || (set.kind !== 'atom' && set.kind !== 'number') || args.length !== i + 1) fail('VANISHED has no UID set');
  return { kind: 'vanished', earlier, uids: tokenText(set), raw };
}

function fail(what: string): never {
  throw new MailprobeError('EPROTOCOL', `malformed IMAP response: ${what}`);
}
