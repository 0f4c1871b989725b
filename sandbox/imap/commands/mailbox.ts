/**
 * Authenticated-state commands on mailboxes (RFC 9051 §6.3): SELECT/EXAMINE, CREATE, DELETE,
 * RENAME, SUBSCRIBE/UNSUBSCRIBE, LIST/LSUB (with RFC 6154 special-use and RFC 3348 child
 * attributes), NAMESPACE (RFC 2342), STATUS, APPEND (with RFC 4315 APPENDUID).
 */
import { SYSTEM_FLAGS } from '../../store/message.js';
import { DELIMITER, normalizeName, type StoreRefusal } from '../../store/account.js';
import { Mailbox } from '../../store/mailbox.js';
import { mailboxName, type Chunk } from '../encode.js';
import { BadCommand, parseDateTime, type ArgParser } from '../parser.js';
import type { CommandSpec, Completion, ImapSession } from '../session.js';
import { SelectedView } from '../view.js';
import { AUTHENTICATED } from './any.js';

export function refusal(r: StoreRefusal): Completion {
  return { status: 'NO', code: r.code, text: r.text };
}

/** The mailbox a command names, or the NO to answer (TRYCREATE where creating would help, RFC 9051 §7.1). */
export function target(s: ImapSession, name: string, tryCreate: boolean): Mailbox | Completion {
  const box = s.account!.mailbox(name);
  if (!box || box.noselect) return { status: 'NO', code: tryCreate ? 'TRYCREATE' : 'NONEXISTENT', text: 'Mailbox does not exist' };
  return box;
}

function open(s: ImapSession, p: ArgParser, readWrite: boolean): Completion {
  p.sp();
  const name = p.mailbox();
  p.end();
  // §6.3.2: a SELECT ends the current selection, even when it fails.
  if (s.view) s.untagged('OK [CLOSED] Previous mailbox closed');
  s.deselect();
  const box = target(s, name, false);
  if (!(box instanceof Mailbox)) return box;
  const view = new SelectedView(box, s.conn.id, readWrite);
  s.select(view);
  const flags = [...SYSTEM_FLAGS, ...box.keywords];
  s.untagged(`FLAGS (${flags.join(' ')})`);
  s.untagged(`${view.messages.length} EXISTS`);
  s.untagged(`${view.recentCount} RECENT`);
  const firstUnseen = view.messages.findIndex((m) => !m.hasFlag('\\Seen'));
  if (firstUnseen !== -1) s.untagged(`OK [UNSEEN ${firstUnseen + 1}] First unseen`);
  s.untagged(`OK [UIDVALIDITY ${box.uidValidity}] UIDs valid`);
  s.untagged(`OK [UIDNEXT ${box.uidNext}] Predicted next UID`);
  s.untagged(`OK [PERMANENTFLAGS (${readWrite ? [...flags, '\\*'].join(' ') : ''})] Flags permitted`);
  return { status: 'OK', code: readWrite ? 'READ-WRITE' : 'READ-ONLY', text: `${readWrite ? 'SELECT' : 'EXAMINE'} completed` };
}

/** LIST wildcards (§6.3.9): `*` matches anything, `%` anything but the delimiter. */
function patternRegex(pattern: string): RegExp {
  const body = normalizeName(pattern)
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '%' ? `[^${DELIMITER}]*` : c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function listLine(s: ImapSession, verb: 'LIST' | 'LSUB', box: Mailbox): Chunk[] {
  const attrs: string[] = [];
  if (box.noselect) attrs.push('\\Noselect');
  attrs.push(s.account!.hasChildren(box.name) ? '\\HasChildren' : '\\HasNoChildren');
  if (box.specialUse) attrs.push(box.specialUse);
  return [`${verb} (${attrs.join(' ')}) "${DELIMITER}" `, ...mailboxName(box.name)];
}

function list(s: ImapSession, p: ArgParser, verb: 'LIST' | 'LSUB'): Completion {
  p.sp();
  let subscribedOnly = verb === 'LSUB';
  // RFC 5258 selection options are tolerated for SUBSCRIBED; RETURN options are ignored.
  if (verb === 'LIST' && p.accept('(')) {
    while (!p.accept(')')) {
      p.maybeSp();
      if (p.atom().toUpperCase() === 'SUBSCRIBED') subscribedOnly = true;
    }
    p.sp();
  }
  const reference = p.mailbox();
  p.sp();
  const pattern = p.listMailbox();
  if (p.maybeSp()) p.rest();
  if (verb === 'LIST' && pattern === '') {
    s.untagged(`LIST (\\Noselect) "${DELIMITER}" ""`);
    return { status: 'OK', text: 'LIST completed' };
  }
  const re = patternRegex(reference + pattern);
  for (const box of s.account!.mailboxes()) {
    if (!re.test(box.name)) continue;
    if (subscribedOnly && !s.account!.subscriptions.has(box.name)) continue;
    s.untagged(listLine(s, verb, box));
  }
  return { status: 'OK', text: `${verb} completed` };
}

const STATUS_ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE'] as const;

function status(s: ImapSession, p: ArgParser): Completion {
  p.sp();
  const name = p.mailbox();
  p.sp();
  p.expect('(');
  const items: string[] = [];
  while (!p.accept(')')) {
    if (items.length > 0) p.sp();
    const item = p.atom().toUpperCase();
    if (!(STATUS_ITEMS as readonly string[]).includes(item)) throw new BadCommand(`Unknown STATUS item ${item.slice(0, 30)}`);
    items.push(item);
  }
  p.end();
  if (items.length === 0) throw new BadCommand('STATUS needs at least one item');
  const box = target(s, name, false);
  if (!(box instanceof Mailbox)) return box;
  const value = (item: string): number => {
    const msgs = box.messages;
    switch (item) {
      case 'MESSAGES':
        return msgs.length;
      case 'RECENT':
        return msgs.filter((m) => m.recent !== 'gone').length;
      case 'UIDNEXT':
        return box.uidNext;
      case 'UIDVALIDITY':
        return box.uidValidity;
      case 'UNSEEN':
        return msgs.filter((m) => !m.hasFlag('\\Seen')).length;
      case 'DELETED':
        return msgs.filter((m) => m.hasFlag('\\Deleted')).length;
      default:
        return box.bytes;
    }
  };
  s.untagged(['STATUS ', ...mailboxName(box.name), ` (${items.map((i) => `${i} ${value(i)}`).join(' ')})`]);
  return { status: 'OK', text: 'STATUS completed' };
}

function append(s: ImapSession, p: ArgParser): Completion {
  p.sp();
  const name = p.mailbox();
  p.sp();
  let flags: string[] = [];
  if (p.peek() === 0x28) {
    flags = p.flagList();
    p.sp();
  }
  let date = new Date();
  if (p.peek() === 0x22) {
    date = parseDateTime(p.string().toString('latin1'));
    p.sp();
  }
  const content = p.string();
  p.end();
  if (flags.some((f) => f.toLowerCase() === '\\recent')) throw new BadCommand('\\Recent cannot be set');
  const box = target(s, name, true);
  if (!(box instanceof Mailbox)) return box;
  const stored = s.account!.append(box, Buffer.from(content), flags, date);
  if (!stored.ok) return refusal(stored);
  return { status: 'OK', code: `APPENDUID ${box.uidValidity} ${stored.value.uid}`, text: 'APPEND completed' };
}

function oneName(p: ArgParser): string {
  p.sp();
  const name = p.mailbox();
  p.end();
  return name;
}

export const MAILBOX_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  SELECT: { states: AUTHENTICATED, expunges: true, run: (s, _t, p) => open(s, p, true) },
  EXAMINE: { states: AUTHENTICATED, expunges: true, run: (s, _t, p) => open(s, p, false) },
  CREATE: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, _t, p) => {
      const r = s.account!.create(oneName(p));
      return r.ok ? { status: 'OK', text: 'CREATE completed' } : refusal(r);
    },
  },
  DELETE: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, _t, p) => {
      const r = s.account!.delete(oneName(p));
      return r.ok ? { status: 'OK', text: 'DELETE completed' } : refusal(r);
    },
  },
  RENAME: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, _t, p) => {
      p.sp();
      const from = p.mailbox();
      p.sp();
      const to = p.mailbox();
      p.end();
      const r = s.account!.rename(from, to);
      return r.ok ? { status: 'OK', text: 'RENAME completed' } : refusal(r);
    },
  },
  SUBSCRIBE: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, _t, p) => {
      const name = normalizeName(oneName(p));
      if (!s.account!.mailbox(name)) return { status: 'NO', code: 'NONEXISTENT', text: 'Mailbox does not exist' };
      s.account!.subscriptions.add(name);
      return { status: 'OK', text: 'SUBSCRIBE completed' };
    },
  },
  UNSUBSCRIBE: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, _t, p) => {
      s.account!.subscriptions.delete(normalizeName(oneName(p)));
      return { status: 'OK', text: 'UNSUBSCRIBE completed' };
    },
  },
  LIST: { states: AUTHENTICATED, expunges: true, run: (s, _t, p) => list(s, p, 'LIST') },
  LSUB: { states: AUTHENTICATED, expunges: true, run: (s, _t, p) => list(s, p, 'LSUB') },
  NAMESPACE: {
    states: AUTHENTICATED,
    expunges: true,
    run: (s, _t, p) => {
      p.end();
      s.untagged(`NAMESPACE (("" "${DELIMITER}")) NIL NIL`);
      return { status: 'OK', text: 'NAMESPACE completed' };
    },
  },
  STATUS: { states: AUTHENTICATED, expunges: true, run: (s, _t, p) => status(s, p) },
  APPEND: { states: AUTHENTICATED, expunges: true, run: (s, _t, p) => append(s, p) },
};

