/**
 * Selected-state commands (RFC 9051 §6.4): CHECK, CLOSE, UNSELECT (RFC 3691), EXPUNGE, SEARCH,
 * FETCH, STORE, COPY, MOVE (RFC 6851) and their UID forms (§6.4.9, UID EXPUNGE from RFC 4315),
 * with COPYUID (RFC 4315 §3). No EXPUNGE response goes out with FETCH, STORE or SEARCH (§7.5.1):
 * their specs say `expunges: false` and the session holds expunges back.
 */
import { Mailbox } from '../../store/mailbox.js';
import type { Message } from '../../store/message.js';
import { formatSet } from '../encode.js';
import { parseFetchItems, renderFetch, type FetchItem } from '../fetch.js';
import { BadCommand, type ArgParser } from '../parser.js';
import { parseSearch } from '../search.js';
import { byUid, bySequence, readSequenceSet } from '../sequence.js';
import type { CommandSpec, Completion, ImapSession } from '../session.js';
import { refusal, target } from './mailbox.js';

const SELECTED = ['selected'] as const;
const READ_ONLY: Completion = { status: 'NO', code: 'READ-ONLY', text: 'Mailbox is open read-only (EXAMINE)' };

function messages(s: ImapSession, p: ArgParser, uid: boolean): Message[] {
  const set = readSequenceSet(p);
  const all = s.view!.messages;
  return uid ? byUid(set, all) : bySequence(set, all);
}

async function fetch(s: ImapSession, p: ArgParser, uid: boolean): Promise<Completion> {
  p.sp();
  const picked = messages(s, p, uid);
  p.sp();
  const items = parseFetchItems(p);
  p.end();
  const view = s.view!;
  // §6.4.9: UID FETCH returns UID whether asked or not.
  const base: FetchItem[] = uid && !items.some((i) => i.kind === 'UID') ? [{ kind: 'UID' }, ...items] : items;
  const seen = view.readWrite && items.some((i) => i.kind === 'section' && i.setsSeen);
  const hasFlags = base.some((i) => i.kind === 'FLAGS');
  for (const m of picked) {
    let list = base;
    // §6.4.5: reading a body sets \Seen; the changed FLAGS are sent with the data.
    if (seen && !m.hasFlag('\\Seen') && view.isLive(m)) {
      m.addFlag('\\Seen');
      view.mailbox.flagsChanged(m, s.conn.id);
      if (!hasFlags) list = [...base, { kind: 'FLAGS' }];
    }
    s.untagged([`${view.seqOf(m)} FETCH `, ...renderFetch(m, list, view.flagsOf(m))]);
    // One message at a time into the socket: a client that does not read stalls only itself.
    await s.conn.drained();
    if (s.conn.closed) break;
  }
  return { status: 'OK', text: `${uid ? 'UID ' : ''}FETCH completed` };
}

function store(s: ImapSession, p: ArgParser, uid: boolean): Completion {
  p.sp();
  const picked = messages(s, p, uid);
  p.sp();
  const action = p.atom().toUpperCase();
  const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(action);
  if (!m) throw new BadCommand(`Invalid STORE action ${action.slice(0, 30)}`);
  p.sp();
  let flags: string[];
  if (p.peek() === 0x28) flags = p.flagList();
  else {
    flags = [p.flag()];
    while (p.maybeSp()) flags.push(p.flag());
  }
  p.end();
  const view = s.view!;
  if (!view.readWrite) return READ_ONLY;
  // \Recent is the server's to set (§2.3.2).
  flags = flags.filter((f) => f.toLowerCase() !== '\\recent');
  for (const msg of picked) {
    if (!view.isLive(msg)) continue;
    let changed = false;
    if (m[1] === '+') for (const f of flags) changed = msg.addFlag(f) || changed;
    else if (m[1] === '-') for (const f of flags) changed = msg.removeFlag(f) || changed;
    else changed = msg.replaceFlags(flags);
    if (changed) view.mailbox.flagsChanged(msg, s.conn.id);
    if (!m[2]) s.untagged(`${view.seqOf(msg)} FETCH (${uid ? `UID ${msg.uid} ` : ''}FLAGS (${view.flagsOf(msg).join(' ')}))`);
  }
  return { status: 'OK', text: `${uid ? 'UID ' : ''}STORE completed` };
}

function search(s: ImapSession, p: ArgParser, uid: boolean): Completion {
  const predicate = parseSearch(p);
  if (predicate === 'badcharset') return { status: 'NO', code: 'BADCHARSET (US-ASCII UTF-8)', text: 'Unsupported charset' };
  const view = s.view!;
  const all = view.messages;
  const ctx = { view, maxSeq: all.length, maxUid: all.length === 0 ? 0 : all[all.length - 1]!.uid };
  const ids: number[] = [];
  all.forEach((m, i) => {
    if (predicate(m, i + 1, ctx)) ids.push(uid ? m.uid : i + 1);
  });
  s.untagged(`SEARCH${ids.map((n) => ` ${n}`).join('')}`);
  return { status: 'OK', text: `${uid ? 'UID ' : ''}SEARCH completed` };
}

function transfer(s: ImapSession, p: ArgParser, uid: boolean, move: boolean): Completion {
  p.sp();
  const picked = messages(s, p, uid).filter((m) => s.view!.isLive(m));
  p.sp();
  const name = p.mailbox();
  p.end();
  const view = s.view!;
  if (move && !view.readWrite) return READ_ONLY;
  const dest = target(s, name, true);
  if (!(dest instanceof Mailbox)) return dest;
  const verb = `${uid ? 'UID ' : ''}${move ? 'MOVE' : 'COPY'}`;
  if (picked.length === 0) return { status: 'OK', text: `${verb} completed (no messages)` };
  const account = s.account!;
  const bytes = picked.reduce((n, m) => n + m.size, 0);
  if (!account.fits(bytes, picked.length)) return { status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded' };
  const copied: number[] = [];
  for (const m of picked) {
    const stored = account.append(dest, m.bytes, m.flags, m.internalDate);
    if (!stored.ok) return refusal(stored);
    copied.push(stored.value.uid);
  }
  const code = `COPYUID ${dest.uidValidity} ${formatSet(picked.map((m) => m.uid))} ${formatSet(copied)}`;
  if (!move) return { status: 'OK', code, text: `${verb} completed` };
  // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
  s.untagged(`OK [${code}] Moved`);
  account.expunge(view.mailbox, picked);
  return { status: 'OK', text: `${verb} completed` };
}

function expunge(s: ImapSession, p: ArgParser, uid: boolean): Completion {
  let within: Message[] | undefined;
  if (uid) {
    p.sp();
    within = messages(s, p, true);
  }
  p.end();
  const view = s.view!;
  if (!view.readWrite) return READ_ONLY;
  const candidates = within ?? view.messages;
  const doomed = candidates.filter((m) => m.hasFlag('\\Deleted') && view.isLive(m));
  s.account!.expunge(view.mailbox, doomed);
  return { status: 'OK', text: `${uid ? 'UID ' : ''}EXPUNGE completed` };
}

export const SELECTED_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  CHECK: {
    states: SELECTED,
    expunges: true,
    run: (_s, _t, p) => {
      p.end();
      return { status: 'OK', text: 'CHECK completed' };
    },
  },
  // §6.4.1: expunge silently and leave the selected state.
  CLOSE: {
    states: SELECTED,
    expunges: false,
    run: (s, _t, p) => {
      p.end();
      const view = s.view!;
      if (view.readWrite) s.account!.expunge(view.mailbox, view.messages.filter((m) => m.hasFlag('\\Deleted') && view.isLive(m)));
      s.deselect();
      return { status: 'OK', text: 'CLOSE completed' };
    },
  },
  UNSELECT: {
    states: SELECTED,
    expunges: false,
    run: (s, _t, p) => {
      p.end();
      s.deselect();
      return { status: 'OK', text: 'UNSELECT completed' };
    },
  },
  EXPUNGE: { states: SELECTED, expunges: true, run: (s, _t, p) => expunge(s, p, false) },
  'UID EXPUNGE': { states: SELECTED, expunges: true, run: (s, _t, p) => expunge(s, p, true) },
  FETCH: { states: SELECTED, expunges: false, run: (s, _t, p) => fetch(s, p, false) },
  'UID FETCH': { states: SELECTED, expunges: false, run: (s, _t, p) => fetch(s, p, true) },
  STORE: { states: SELECTED, expunges: false, run: (s, _t, p) => store(s, p, false) },
  'UID STORE': { states: SELECTED, expunges: false, run: (s, _t, p) => store(s, p, true) },
  SEARCH: { states: SELECTED, expunges: false, run: (s, _t, p) => search(s, p, false) },
  'UID SEARCH': { states: SELECTED, expunges: false, run: (s, _t, p) => search(s, p, true) },
  COPY: { states: SELECTED, expunges: true, run: (s, _t, p) => transfer(s, p, false, false) },
  'UID COPY': { states: SELECTED, expunges: true, run: (s, _t, p) => transfer(s, p, true, false) },
  MOVE: { states: SELECTED, expunges: true, run: (s, _t, p) => transfer(s, p, false, true) },
  'UID MOVE': { states: SELECTED, expunges: true, run: (s, _t, p) => transfer(s, p, true, true) },
};
