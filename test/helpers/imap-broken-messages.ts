/**
 * Message commands of the broken IMAP server: APPEND, FETCH, STORE, SEARCH, COPY, MOVE,
 * EXPUNGE (and UID forms), CLOSE, UNSELECT. See imap-broken-commands.ts for the contract.
 */
import type { Conn, Handler, Invocation, Outcome, ServerState } from './imap-broken-commands.js';
import { canonical, findBox, newMailbox } from './imap-broken-commands.js';
import { flagList, parseSeqSet, parseUidSet, sync, type Mailbox, type Message } from './imap-broken-store.js';
import { textOf, type Token } from './imap-broken-wire.js';

const notSelected: Outcome = { tagged: 'BAD No mailbox selected', sync: false };

function flagsOf(token: Token | undefined): string[] {
  if (!token) return [];
  if (token.t === 'list') return token.v.map((t) => textOf(t) ?? '').filter((t) => t !== '');
  return [token.v];
}

/** The messages a set names, with their sequence numbers in this session's view. */
function resolve(state: ServerState, conn: Conn, set: string, uid: boolean): { seq: number; msg: Message | undefined }[] | undefined {
  const sel = conn.selection!;
  let seqs: number[] | undefined;
  if (uid) {
    const uids = parseUidSet(set, sel.view);
    if (state.fault('uid-star-range-empty') && /^(\d+):\*$/.test(set) && Number(set.split(':')[0]) > (sel.view.at(-1) ?? 0)) uids.length = 0;
    seqs = uids.map((u) => sel.view.indexOf(u) + 1);
  } else {
    seqs = parseSeqSet(set, sel.view.length);
    if (seqs === undefined) return state.fault('fetch-beyond-ok') ? [] : undefined;
  }
  return seqs.map((seq) => ({ seq, msg: sel.box.byUid(sel.view[seq - 1]!) }));
}

/** Remove \Deleted messages (optionally only these UIDs) from a mailbox. */
function expungeBox(box: Mailbox, only?: ReadonlySet<number>): void {
  box.messages = box.messages.filter((m) => !m.flags.has('\\Deleted') || (only !== undefined && !only.has(m.uid)));
}

const APPEND: Handler = (state, conn, { args }) => {
  if (conn.state === 'notauth') return { tagged: 'BAD Log in first', sync: false };
  const name = textOf(args[0]) ?? '';
  let box = findBox(state, name);
  if (!box) {
    if (!state.fault('append-autocreates')) return { tagged: state.fault('append-no-trycreate') ? 'NO Mailbox does not exist' : 'NO [TRYCREATE] Mailbox does not exist' };
    box = newMailbox(state, canonical(state, name));
    state.boxes.set(box.name, box);
  }
  const literal = args[args.length - 1];
  if (!literal || literal.t !== 'string') return { tagged: 'BAD Missing message literal', sync: false };
  const flags = args[1]?.t === 'list' && !state.fault('append-ignores-flags') ? flagsOf(args[1]) : [];
  let appended: Message | undefined;
  if (!state.fault('append-drops-message')) appended = box.add(literal.bytes, flags);
  const lines: string[] = [];
  if (conn.selection?.box === box && !state.fault('append-no-exists')) lines.push(...sync(conn, { expunge: true, exists: true, flags: true }));
  const code = appended && !state.fault('append-no-appenduid') ? `[APPENDUID ${box.uidValidity} ${appended.uid}] ` : '';
  // The fault: the new message is only announced by a later command.
  return { lines, tagged: `OK ${code}APPEND completed`, changed: box, sync: !state.fault('append-no-exists') };
};

const FETCH: Handler = (state, conn, { args, uid }) => {
  const sel = conn.selection;
  if (!sel) return notSelected;
  const targets = resolve(state, conn, textOf(args[0]) ?? '', uid);
  if (targets === undefined) return { tagged: 'BAD Invalid messageset', sync: false };
  if (uid && targets.length === 0 && state.fault('uid-fetch-missing-no')) return { tagged: 'NO No such message' };
  const items = (args[1]?.t === 'list' ? args[1].v : args.slice(1)).map((t) => (textOf(t) ?? '').toUpperCase());
  if (items.includes('MODSEQ')) conn.condstore = true;
  const lines: Buffer[] = [];
  for (const { seq, msg } of targets) {
    if (!msg) continue;
    const parts: (string | Buffer)[] = [];
    let flagsChanged = false;
    for (const item of items) {
      if (item === 'BODY[]') {
        const setsSeen = (!sel.readOnly || state.fault('examine-body-sets-seen')) && !state.fault('body-no-seen');
        if (setsSeen && !msg.flags.has('\\Seen')) {
          msg.flags.add('\\Seen');
          sel.box.touch(msg);
          flagsChanged = !state.fault('body-seen-unreported');
          // The fault reports the change nowhere, not even in a later unsolicited FETCH.
          if (!flagsChanged) sel.known.set(msg.uid, flagList(msg.flags));
        }
        parts.push(Buffer.concat([Buffer.from(`BODY[] {${msg.body.length}}\r\n`), msg.body]));
      } else if (item === 'BODY.PEEK[]') {
        if (state.fault('peek-sets-seen')) msg.flags.add('\\Seen');
        parts.push(Buffer.concat([Buffer.from(`BODY[] {${msg.body.length}}\r\n`), msg.body]));
      } else if (item === 'RFC822.SIZE') parts.push(`RFC822.SIZE ${msg.body.length}`);
    }
    const head: string[] = [];
    if (items.includes('UID') || (uid && !state.fault('uid-fetch-no-uid'))) head.push(`UID ${msg.uid}`);
    if (items.includes('FLAGS') || flagsChanged) {
      head.push(`FLAGS ${flagList(msg.flags)}`);
      sel.known.set(msg.uid, flagList(msg.flags));
    }
    if (items.includes('MODSEQ') || (flagsChanged && conn.condstore)) head.push(`MODSEQ (${msg.modseq})`);
    const all = [...head, ...parts];
    const pieces: Buffer[] = [Buffer.from(`* ${seq} FETCH (`)];
    all.forEach((p, i) => pieces.push(Buffer.from(i > 0 ? ' ' : ''), typeof p === 'string' ? Buffer.from(p) : p));
    pieces.push(Buffer.from(')\r\n'));
    lines.push(Buffer.concat(pieces));
  }
  return { lines, tagged: 'OK FETCH completed' };
};

const STORE: Handler = (state, conn, { args, uid }) => {
  const sel = conn.selection;
  if (!sel) return notSelected;
  if (sel.readOnly && !state.fault('examine-store-permanent')) return { tagged: 'NO [READ-ONLY] Mailbox is read-only' };
  let rest = args.slice(1);
  let unchangedSince: number | undefined;
  if (rest[0]?.t === 'list') {
    const mod = rest[0].v.map((t) => textOf(t) ?? '');
    if (mod[0]?.toUpperCase() === 'UNCHANGEDSINCE') unchangedSince = Number(mod[1]);
    rest = rest.slice(1);
    conn.condstore = true;
  }
  const op = (textOf(rest[0]) ?? '').toUpperCase();
  const silent = op.endsWith('.SILENT');
  const flags = flagsOf(rest[1]);
  const targets = resolve(state, conn, textOf(args[0]) ?? '', uid);
  if (targets === undefined) return { tagged: 'BAD Invalid messageset', sync: false };
  const lines: string[] = [];
  const modified: number[] = [];
  for (const { seq, msg } of targets) {
    if (!msg) continue;
    if (unchangedSince !== undefined && msg.modseq > unchangedSince && !state.fault('unchangedsince-ignored')) {
      modified.push(uid ? msg.uid : seq);
      continue;
    }
    if (!state.fault('store-not-applied')) {
      const before = flagList(msg.flags);
      if (op.startsWith('+')) for (const f of flags) msg.flags.add(f);
      else if (op.startsWith('-')) for (const f of flags) msg.flags.delete(f);
      else msg.flags = new Set(flags);
      if (flagList(msg.flags) !== before && !state.fault('store-keeps-modseq')) sel.box.touch(msg);
    }
    const report = (!silent && !state.fault('store-no-fetch')) || (silent && state.fault('store-silent-fetch')) || (unchangedSince !== undefined && conn.condstore);
    sel.known.set(msg.uid, flagList(msg.flags));
    if (report) lines.push(`* ${seq} FETCH (${uid ? `UID ${msg.uid} ` : ''}FLAGS ${flagList(msg.flags)}${conn.condstore ? ` MODSEQ (${msg.modseq})` : ''})`);
  }
  const tagged = modified.length > 0 ? `OK [MODIFIED ${modified.join(',')}] Conditional STORE failed` : 'OK STORE completed';
  return { lines, tagged, changed: sel.box };
};

function copyOrMove(state: ServerState, conn: Conn, { args, uid }: Invocation, move: boolean): Outcome {
  const sel = conn.selection;
  if (!sel) return notSelected;
  const dest = findBox(state, textOf(args[1]));
  if (!dest) {
    const noCode = state.fault(move ? 'move-no-trycreate' : 'copy-no-trycreate');
    return { tagged: noCode ? 'NO Mailbox does not exist' : 'NO [TRYCREATE] Mailbox does not exist' };
  }
  const targets = resolve(state, conn, textOf(args[0]) ?? '', uid);
  if (targets === undefined) return { tagged: 'BAD Invalid messageset', sync: false };
  const src: number[] = [];
  const dst: number[] = [];
  for (const { msg } of targets) {
    if (!msg) continue;
    if (!move && state.fault('copy-drops')) continue;
    src.push(msg.uid);
    dst.push(dest.add(msg.body, msg.flags).uid);
  }
  const copyuid = src.length > 0 ? `[COPYUID ${dest.uidValidity} ${src.join(',')} ${dst.join(',')}] ` : '';
  if (!move) return { tagged: `OK ${state.fault('copy-no-copyuid') ? '' : copyuid}COPY completed`, changed: dest };
  const lines: string[] = [];
  if (copyuid && !state.fault('move-no-copyuid')) lines.push(`* OK ${copyuid}Moved`);
  if (!state.fault('move-copies-only')) {
    const gone = new Set(src);
    sel.box.messages = sel.box.messages.filter((m) => !gone.has(m.uid));
    lines.push(...sync(conn, { expunge: true, exists: false, flags: false }));
  }
  return { lines, tagged: 'OK MOVE completed', changed: sel.box };
}

/** SEARCH keys this server knows: ALL, FLAGGED, SEEN, DELETED (and UN…), NOT key, UID set. */
function matches(state: ServerState, conn: Conn, keys: Token[], msg: Message): boolean {
  for (let i = 0; i < keys.length; i++) {
    const k = (textOf(keys[i]) ?? '').toUpperCase();
    const flag = (name: string): boolean => msg.flags.has(name);
    if (k === 'ALL') continue;
    if (k === 'NOT') {
      if (matches(state, conn, [keys[++i]!], msg)) return false;
    } else if (k === 'FLAGGED') {
      if (!flag('\\Flagged') && !state.fault('search-ignores-flagged')) return false;
    } else if (k === 'UNFLAGGED' || k === 'SEEN' || k === 'UNSEEN' || k === 'DELETED' || k === 'UNDELETED') {
      const name = k.replace(/^UN/, '');
      const want = `\\${name[0]}${name.slice(1).toLowerCase()}`;
      if (flag(want) === k.startsWith('UN')) return false;
    } else if (k === 'UID') {
      if (!parseUidSet(textOf(keys[++i]) ?? '', conn.selection!.view).includes(msg.uid)) return false;
    }
  }
  return true;
}

const SEARCH: Handler = (state, conn, { args, uid }) => {
  const sel = conn.selection;
  if (!sel) return notSelected;
  const found: number[] = [];
  sel.view.forEach((u, i) => {
    const msg = sel.box.byUid(u);
    if (msg && matches(state, conn, args, msg)) found.push(uid ? u : i + 1);
  });
  return { lines: [`* SEARCH${found.map((n) => ` ${n}`).join('')}`], tagged: 'OK SEARCH completed' };
};

const EXPUNGE: Handler = (state, conn, { args, uid }) => {
  const sel = conn.selection;
  if (!sel) return notSelected;
  if (sel.readOnly) return { tagged: 'NO [READ-ONLY] Mailbox is read-only' };
  const only = uid && !state.fault('uid-expunge-all') ? new Set(parseUidSet(textOf(args[0]) ?? '', sel.view)) : undefined;
  expungeBox(sel.box, only);
  const lines = sync(conn, { expunge: true, exists: false, flags: false });
  return { lines: state.fault('expunge-silent') ? [] : lines, tagged: 'OK EXPUNGE completed', changed: sel.box };
};

function deselect(state: ServerState, conn: Conn, expunge: boolean, report: boolean): Outcome {
  const sel = conn.selection;
  if (!sel) return notSelected;
  const lines: string[] = [];
  if (expunge && !sel.readOnly) {
    expungeBox(sel.box);
    const gone = sync(conn, { expunge: true, exists: false, flags: false });
    if (report) lines.push(...gone);
  }
  conn.selection = undefined;
  conn.state = 'auth';
  return { lines, tagged: 'OK completed', sync: false, changed: sel.box };
}

export const messageHandlers: Record<string, Handler> = {
  APPEND,
  FETCH,
  STORE,
  SEARCH,
  EXPUNGE,
  COPY: (state, conn, call) => copyOrMove(state, conn, call, false),
  MOVE: (state, conn, call) => copyOrMove(state, conn, call, true),
  CLOSE: (state, conn) => deselect(state, conn, true, state.fault('close-sends-expunge')),
  UNSELECT: (state, conn) => deselect(state, conn, state.fault('unselect-expunges'), false),
};
