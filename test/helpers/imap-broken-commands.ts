/**
 * Command handlers of the broken IMAP server: any-state, authentication and mailbox commands
 * here, message commands in imap-broken-messages.ts. Each handler returns the untagged lines
 * and the tagged completion; the dispatcher adds what other sessions changed (sync).
 */
import type { BrokenFault, BrokenImapOptions } from './imap-broken-server.js';
import { flagList, Mailbox, sync, type Selection, type StoreSession } from './imap-broken-store.js';
import { messageHandlers } from './imap-broken-messages.js';
import { quote, textOf, type Segment, type ServerIo, type Token } from './imap-broken-wire.js';

export interface ServerState {
  readonly options: BrokenImapOptions;
  fault(name: BrokenFault): boolean;
  readonly boxes: Map<string, Mailbox>;
  readonly sessions: Set<Conn>;
  nextValidity: number;
}

export interface Conn extends StoreSession {
  readonly io: ServerIo;
  state: 'notauth' | 'auth' | 'selected' | 'logout';
  tls: boolean;
  /** Tag of an AUTHENTICATE waiting for the client's response line. */
  authTag: string | undefined;
}

export interface Invocation {
  readonly tag: string;
  readonly args: Token[];
  /** The command came as UID FETCH / UID STORE / … */
  readonly uid: boolean;
}

export interface Outcome {
  /** Untagged lines (CRLF added) or raw bytes (FETCH with literals). */
  lines?: (string | Buffer)[];
  /** The tagged completion without the tag: `OK [READ-WRITE] SELECT completed`. */
  tagged: string;
  /** false: do not add other sessions' changes before the completion. */
  sync?: boolean;
  /** A mailbox this command changed (idling sessions on it are told). */
  changed?: Mailbox;
}

/** undefined: the handler answered (or will answer) by itself. */
export type Handler = (state: ServerState, conn: Conn, call: Invocation) => Outcome | undefined;

export const SYSTEM_FLAGS = '(\\Answered \\Flagged \\Deleted \\Seen \\Draft)';

export function newMailbox(state: ServerState, name: string, specialUse?: string): Mailbox {
  return new Mailbox(name, state.nextValidity++, specialUse);
}

/** The store key of a mailbox name: INBOX is case-insensitive (RFC 9051 §5.1). */
export function canonical(state: ServerState, name: string): string {
  if (name.toUpperCase() !== 'INBOX') return name;
  return state.fault('inbox-case-sensitive') ? name : 'INBOX';
}

export function findBox(state: ServerState, name: string | undefined): Mailbox | undefined {
  return name === undefined ? undefined : state.boxes.get(canonical(state, name));
}

function capabilities(state: ServerState, conn: Conn): string {
  const f = state.fault;
  const caps: string[] = f('capability-no-revision') ? [] : ['IMAP4rev1'];
  if (state.options.rev2) caps.push('IMAP4rev2');
  if (conn.state === 'notauth') {
    if (!conn.tls || f('starttls-readvertised')) caps.push('STARTTLS');
    if (!conn.tls || f('logindisabled-after-tls')) caps.push('LOGINDISABLED');
    if (conn.tls) caps.push('AUTH=PLAIN');
  }
  caps.push('ID', 'ENABLE', 'IDLE', 'LITERAL+');
  if (conn.state !== 'notauth') caps.push('UIDPLUS', 'MOVE', 'CONDSTORE', 'UNSELECT', 'NAMESPACE', 'SPECIAL-USE', 'LIST-EXTENDED');
  return caps.join(' ');
}

const needsAuth = (conn: Conn): Outcome | undefined => (conn.state === 'notauth' ? { tagged: 'BAD Log in first', sync: false } : undefined);

function verifyPlain(state: ServerState, response: string): boolean {
  const parts = Buffer.from(response, 'base64').toString('utf8').split('\0');
  return parts.length === 3 && parts[1] === state.options.user && parts[2] === state.options.password && !state.fault('authenticate-plain-broken');
}

function authenticated(conn: Conn, tag: string): void {
  conn.state = 'auth';
  conn.write(`${tag} OK Logged in`);
}

const base: Record<string, Handler> = {
  CAPABILITY: (state, conn) => ({ lines: [`* CAPABILITY ${capabilities(state, conn)}`], tagged: 'OK CAPABILITY completed' }),

  NOOP: (state, conn) => {
    if (conn.state === 'notauth' && state.fault('noop-bad-before-login')) return { tagged: 'BAD NOOP refused', sync: false };
    if (conn.state === 'selected' && state.fault('noop-bad-selected')) return { tagged: 'BAD NOOP refused', sync: false };
    return { tagged: 'OK NOOP completed' };
  },

  LOGOUT: (state, conn, { tag }) => {
    if (!state.fault('logout-no-bye')) conn.write('* BYE broken-imap logging out');
    conn.write(`${tag} OK LOGOUT completed`);
    conn.state = 'logout';
    return undefined;
  },

  STARTTLS: (state, conn, { tag }) => {
    if (conn.tls) return { tagged: state.fault('starttls-ok-on-tls') ? 'OK Begin TLS negotiation now' : 'BAD TLS is already active', sync: false };
    if (conn.state !== 'notauth') return { tagged: 'BAD Already authenticated', sync: false };
    conn.write(`${tag} OK Begin TLS negotiation now`);
    conn.io.startTls({ key: state.options.pki.leaf.keyPem, cert: state.options.pki.chainPem }, state.fault('starttls-injection'));
    conn.tls = true;
    if (state.fault('starttls-authenticates')) conn.state = 'auth';
    return undefined;
  },

  LOGIN: (state, conn, { tag, args }) => {
    if (conn.state !== 'notauth') return { tagged: 'BAD Already authenticated', sync: false };
    if (!conn.tls && !state.fault('login-despite-logindisabled')) return { tagged: 'NO [PRIVACYREQUIRED] LOGIN is disabled without TLS', sync: false };
    const ok = (textOf(args[0]) === state.options.user && textOf(args[1]) === state.options.password) || state.fault('login-accepts-any-password');
    if (ok) {
      authenticated(conn, tag);
      return undefined;
    }
    return { tagged: state.fault('login-fail-no-code') ? 'NO Authentication failed' : 'NO [AUTHENTICATIONFAILED] Authentication failed', sync: false };
  },

  AUTHENTICATE: (state, conn, { tag, args }) => {
    if (conn.state !== 'notauth') return { tagged: 'BAD Already authenticated', sync: false };
    const mechanism = (textOf(args[0]) ?? '').toUpperCase();
    if (mechanism !== 'PLAIN') return { tagged: state.fault('authenticate-unknown-bad') ? 'BAD Unknown mechanism' : 'NO Unsupported mechanism', sync: false };
    if (!conn.tls) return { tagged: 'NO [PRIVACYREQUIRED] PLAIN needs TLS', sync: false };
    const initial = textOf(args[1]);
    if (initial !== undefined) {
      if (verifyPlain(state, initial)) authenticated(conn, tag);
      else conn.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed`);
      return undefined;
    }
    conn.write('+ ');
    conn.authTag = tag;
    return undefined;
  },

  ID: (state, _conn, { args }) => {
    const arg = args[0];
    const nil = arg?.t === 'atom' && arg.v.toUpperCase() === 'NIL';
    const empty = arg?.t === 'list' && arg.v.length === 0;
    if ((nil && state.fault('id-nil-bad')) || (empty && state.fault('id-empty-bad')) || (!nil && !empty && state.fault('id-params-bad'))) {
      return { tagged: 'BAD ID refused', sync: false };
    }
    return { lines: ['* ID ("name" "broken-imap")'], tagged: 'OK ID completed' };
  },

  ENABLE: (state, conn, { args }) => {
    if (conn.state === 'notauth') return { tagged: state.fault('enable-before-login-ok') ? 'OK ENABLE ignored' : 'BAD Log in first', sync: false };
    const asked = args.map((a) => (textOf(a) ?? '').toUpperCase());
    const enabled = state.fault('enable-echoes-unknown') ? asked : asked.filter((a) => a === 'CONDSTORE');
    if (asked.includes('CONDSTORE')) conn.condstore = true;
    const shown = state.fault('enable-no-enabled-condstore') ? enabled.filter((a) => a !== 'CONDSTORE') : enabled;
    const lines = shown.length > 0 || !state.fault('enable-no-empty-enabled') ? [`* ENABLED${shown.map((e) => ` ${e}`).join('')}`] : [];
    return { lines, tagged: 'OK ENABLE completed' };
  },

  SELECT: (state, conn, call) => select(state, conn, call, false),
  EXAMINE: (state, conn, call) => select(state, conn, call, true),

  CREATE: (state, conn, { args }) => {
    const denied = needsAuth(conn);
    if (denied) return denied;
    const name = textOf(args[0]) ?? '';
    if (canonical(state, name) === 'INBOX') return { tagged: state.fault('create-inbox-ok') ? 'OK CREATE completed' : 'NO [ALREADYEXISTS] INBOX exists' };
    if (state.boxes.has(name)) return { tagged: state.fault('create-existing-ok') ? 'OK CREATE completed' : 'NO [ALREADYEXISTS] Mailbox exists' };
    state.boxes.set(name, newMailbox(state, name));
    return { tagged: 'OK CREATE completed' };
  },

  DELETE: (state, conn, { args }) => {
    const denied = needsAuth(conn);
    if (denied) return denied;
    const name = textOf(args[0]) ?? '';
    if (canonical(state, name) === 'INBOX') return { tagged: state.fault('delete-inbox-ok') ? 'OK DELETE completed' : 'NO INBOX cannot be deleted' };
    if (!state.boxes.has(name)) return { tagged: state.fault('delete-missing-ok') ? 'OK DELETE completed' : 'NO [NONEXISTENT] No such mailbox' };
    if (!state.fault('delete-keeps-mailbox')) state.boxes.delete(name);
    return { tagged: 'OK DELETE completed' };
  },

  LIST: (state, conn, { args }) => {
    const denied = needsAuth(conn);
    if (denied) return denied;
    let rest = args;
    let specialOnly = false;
    if (rest[0]?.t === 'list') {
      specialOnly = rest[0].v.some((t) => (textOf(t) ?? '').toUpperCase() === 'SPECIAL-USE');
      rest = rest.slice(1);
    }
    const pattern = textOf(rest[1]) ?? '';
    if (pattern === '') return { lines: state.fault('list-empty-no-delimiter') ? [] : ['* LIST (\\Noselect) "/" ""'], tagged: 'OK LIST completed' };
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '[^/]*')}$`);
    const lines: string[] = [];
    for (const box of state.boxes.values()) {
      const isInbox = box.name === 'INBOX';
      if (isInbox ? !new RegExp(re.source, 'i').test('INBOX') || state.fault('list-no-inbox') : !re.test(box.name)) continue;
      if (specialOnly && !box.specialUse && !state.fault('specialuse-lists-all')) continue;
      lines.push(`* LIST (\\HasNoChildren${box.specialUse ? ` ${box.specialUse}` : ''}) "/" ${quote(box.name)}`);
    }
    return { lines, tagged: 'OK LIST completed' };
  },

  NAMESPACE: (state, conn) => needsAuth(conn) ?? { lines: state.fault('namespace-no-response') ? [] : ['* NAMESPACE (("" "/")) NIL NIL'], tagged: 'OK NAMESPACE completed' },

  STATUS: (state, conn, { args }) => {
    const denied = needsAuth(conn);
    if (denied) return denied;
    const name = textOf(args[0]) ?? '';
    const box = findBox(state, name);
    if (!box) return { tagged: state.fault('status-missing-ok') ? 'OK STATUS completed' : 'NO Mailbox does not exist' };
    const items = args[1]?.t === 'list' ? args[1].v.map((t) => (textOf(t) ?? '').toUpperCase()) : [];
    const values: string[] = [];
    for (const item of items) {
      if (item === 'MESSAGES') values.push(`MESSAGES ${box.messages.length}`);
      else if (item === 'UIDNEXT') values.push(`UIDNEXT ${box.uidNext}`);
      else if (item === 'UIDVALIDITY') values.push(`UIDVALIDITY ${box.uidValidity}`);
      else if (item === 'UNSEEN' && !state.fault('status-no-unseen')) values.push(`UNSEEN ${box.messages.filter((m) => !m.flags.has('\\Seen')).length}`);
      else if (item === 'RECENT') values.push('RECENT 0');
      else if (item === 'HIGHESTMODSEQ') values.push(`HIGHESTMODSEQ ${box.highestModseq}`);
    }
    return { lines: [`* STATUS ${quote(box.name)} (${values.join(' ')})`], tagged: 'OK STATUS completed' };
  },

  IDLE: (_state, conn, { tag }) => {
    const denied = needsAuth(conn);
    if (denied) return denied;
    conn.write('+ idling');
    conn.idleTag = tag;
    for (const line of sync(conn, { expunge: true, exists: true, flags: true })) conn.write(line);
    return undefined;
  },
};

function select(state: ServerState, conn: Conn, { args }: Invocation, readOnly: boolean): Outcome {
  if (conn.state === 'notauth' && !state.fault('select-before-login')) return { tagged: 'BAD Log in first', sync: false };
  const f = state.fault;
  const previous = conn.selection;
  conn.selection = undefined;
  conn.state = 'auth';
  const box = findBox(state, textOf(args[0]));
  if (!box) {
    if (previous && f('failed-select-keeps-mailbox')) {
      conn.selection = previous;
      conn.state = 'selected';
    }
    return { tagged: 'NO Mailbox does not exist', sync: false };
  }
  if (args[1]?.t === 'list' && args[1].v.some((t) => (textOf(t) ?? '').toUpperCase() === 'CONDSTORE')) conn.condstore = true;
  const selection: Selection = { box, readOnly, view: box.messages.map((m) => m.uid), known: new Map(box.messages.map((m) => [m.uid, flagList(m.flags)])) };
  conn.selection = selection;
  conn.state = 'selected';
  const lines: string[] = [`* FLAGS ${SYSTEM_FLAGS}`];
  if (!f('select-no-permanentflags')) lines.push(`* OK [PERMANENTFLAGS (${readOnly ? '' : '\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*'})] Flags permitted`);
  if (!f('select-no-exists')) lines.push(`* ${selection.view.length} EXISTS`);
  lines.push('* 0 RECENT');
  if (!f('select-no-uidvalidity')) lines.push(`* OK [UIDVALIDITY ${box.uidValidity}] UIDs valid`);
  lines.push(`* OK [UIDNEXT ${box.uidNext}] Predicted next UID`);
  if (conn.condstore && !f('select-no-highestmodseq')) lines.push(`* OK [HIGHESTMODSEQ ${box.highestModseq}] Highest`);
  let code = readOnly ? '[READ-ONLY] ' : '[READ-WRITE] ';
  if ((readOnly && f('examine-no-read-only')) || (!readOnly && f('select-no-read-write'))) code = '';
  return { lines, tagged: `OK ${code}${readOnly ? 'EXAMINE' : 'SELECT'} completed`, sync: false };
}

/** The client's line after AUTHENTICATE's "+": base64 credentials, or "*" to cancel. */
function authContinue(state: ServerState, conn: Conn, segments: readonly Segment[]): void {
  const tag = conn.authTag!;
  conn.authTag = undefined;
  const line = segments.map((s) => (typeof s === 'string' ? s : s.toString('latin1'))).join('');
  if (line === '*') conn.write(`${tag} ${state.fault('authenticate-cancel-no') ? 'NO' : 'BAD'} AUTHENTICATE cancelled`);
  else if (verifyPlain(state, line)) authenticated(conn, tag);
  else conn.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed`);
}

export const commandHandlers = {
  byName: { ...base, ...messageHandlers } as Record<string, Handler>,
  authContinue,
};
