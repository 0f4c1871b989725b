/**
 * A small in-memory IMAP4rev1 server for the built-in suite's own tests, on
 * test/helpers/script-server.ts (127.0.0.1, port 0). Without faults it follows the RFCs closely
 * enough that every built-in IMAP check passes against it (a second implementation next to the
 * lab's Dovecot); each named fault breaks one behaviour the way real servers get it wrong, so
 * each check can be shown to fail (or warn). STARTTLS (with LOGINDISABLED before it) or
 * implicit TLS, LOGIN/AUTHENTICATE PLAIN, mailboxes, messages, flags, UIDs, IDLE, UIDPLUS,
 * MOVE, CONDSTORE, UNSELECT, SPECIAL-USE, ENABLE, ID, LITERAL+, several sessions at once.
 */
import type { LabPki } from './certs.js';
import { scriptServer, type ScriptServer } from './script-server.js';
import { commandHandlers, newMailbox, type Conn, type Handler, type ServerState } from './imap-broken-commands.js';
import { sync, type Mailbox, type StoreSession } from './imap-broken-store.js';
import { readCommand, ServerIo, tokenize, type Token } from './imap-broken-wire.js';

/** Every way this server can be broken; the name says what it does wrong. */
export const BROKEN_FAULTS = [
  // base
  'greeting-no',
  'capability-no-revision',
  'unknown-command-no',
  'noop-bad-before-login',
  'noop-bad-selected',
  'logout-no-bye',
  'select-before-login',
  'literal-no-continuation',
  'id-nil-bad',
  'id-params-bad',
  'id-empty-bad',
  // STARTTLS
  'starttls-authenticates',
  'starttls-readvertised',
  'logindisabled-after-tls',
  'starttls-injection',
  'starttls-ok-on-tls',
  // authentication
  'login-despite-logindisabled',
  'login-accepts-any-password',
  'login-fail-no-code',
  'authenticate-cancel-no',
  'authenticate-unknown-bad',
  'authenticate-plain-broken',
  // mailboxes
  'select-no-exists',
  'select-no-uidvalidity',
  'select-no-permanentflags',
  'select-no-read-write',
  'inbox-case-sensitive',
  'failed-select-keeps-mailbox',
  'examine-no-read-only',
  'examine-store-permanent',
  'examine-body-sets-seen',
  'create-inbox-ok',
  'create-existing-ok',
  'delete-inbox-ok',
  'delete-missing-ok',
  'delete-keeps-mailbox',
  'list-empty-no-delimiter',
  'list-no-inbox',
  'namespace-no-response',
  'status-no-unseen',
  'status-missing-ok',
  // messages
  'append-drops-message',
  'append-autocreates',
  'append-no-trycreate',
  'append-ignores-flags',
  'append-no-exists',
  'peek-sets-seen',
  'body-no-seen',
  'body-seen-unreported',
  'fetch-beyond-ok',
  'uid-fetch-missing-no',
  'uid-star-range-empty',
  'uid-fetch-no-uid',
  'store-not-applied',
  'store-no-fetch',
  'store-silent-fetch',
  'copy-drops',
  'copy-no-trycreate',
  'expunge-silent',
  'close-sends-expunge',
  'search-ignores-flagged',
  // extensions
  'literalplus-continuation',
  'enable-no-enabled-condstore',
  'enable-echoes-unknown',
  'enable-no-empty-enabled',
  'enable-before-login-ok',
  'idle-no-done-ok',
  'idle-no-push',
  'append-no-appenduid',
  'copy-no-copyuid',
  'uid-expunge-all',
  'move-copies-only',
  'move-no-copyuid',
  'move-no-trycreate',
  'select-no-highestmodseq',
  'store-keeps-modseq',
  'unchangedsince-ignored',
  'unselect-expunges',
  'specialuse-lists-all',
  // several sessions
  'no-exists-for-others',
  'no-expunge-for-others',
  'no-flags-for-others',
  'expunge-during-fetch',
] as const;

export type BrokenFault = (typeof BROKEN_FAULTS)[number];

export interface BrokenImapOptions {
  readonly pki: LabPki;
  readonly user: string;
  readonly password: string;
  readonly faults?: readonly BrokenFault[];
  /** TLS from the first byte (an imaps port) instead of STARTTLS. */
  readonly implicitTls?: boolean;
  /** Also advertise IMAP4rev2 (responses stay IMAP4rev1-style until ENABLE: RFC 9051 §7.2.2). */
  readonly rev2?: boolean;
}

export interface BrokenImap extends ScriptServer {
  /** `imap://127.0.0.1:port` or `imaps://…`. */
  readonly url: string;
}

export async function brokenImap(options: BrokenImapOptions): Promise<BrokenImap> {
  const faults = new Set<BrokenFault>(options.faults ?? []);
  const state: ServerState = {
    options,
    fault: (name) => faults.has(name),
    boxes: new Map(),
    sessions: new Set(),
    nextValidity: 1000,
  };
  state.boxes.set('INBOX', newMailbox(state, 'INBOX'));
  state.boxes.set('Sent', newMailbox(state, 'Sent', '\\Sent'));
  const tlsKeys = { key: options.pki.leaf.keyPem, cert: options.pki.chainPem };
  const server = await scriptServer(async (socket, ctx) => {
    const io = new ServerIo(socket, ctx);
    if (options.implicitTls) io.startTls(tlsKeys);
    const conn: Conn = {
      io,
      state: 'notauth',
      tls: options.implicitTls === true,
      selection: undefined,
      condstore: false,
      idleTag: undefined,
      authTag: undefined,
      write: (text: string) => io.write(`${text}\r\n`),
    };
    state.sessions.add(conn);
    io.write(state.fault('greeting-no') ? '* NO broken-imap is not ready\r\n' : '* OK broken-imap ready\r\n');
    try {
      while (!io.closed) {
        const segments = await readCommand(io, { continueSync: !state.fault('literal-no-continuation'), plusAsSync: state.fault('literalplus-continuation') });
        if (conn.idleTag !== undefined) {
          finishIdle(state, conn, segments);
          continue;
        }
        if (conn.authTag !== undefined) {
          commandHandlers.authContinue(state, conn, segments);
          continue;
        }
        dispatch(state, conn, tokenize(segments));
        if (conn.state === 'logout') {
          io.end();
          return;
        }
      }
    } catch {
      // The client went away.
    } finally {
      state.sessions.delete(conn);
    }
  });
  return Object.assign(server, { url: `${options.implicitTls ? 'imaps' : 'imap'}://${server.host}:${server.port}` });
}

/** Commands after which an EXPUNGE must not be sent (RFC 9051 §7.5.1). */
const NO_EXPUNGE = new Set(['FETCH', 'STORE', 'SEARCH']);

function dispatch(state: ServerState, conn: Conn, tokens: Token[]): void {
  const tag = tokens[0]?.t === 'atom' ? tokens[0].v : '*';
  let name = (tokens[1]?.t === 'atom' ? tokens[1].v : '').toUpperCase();
  let args = tokens.slice(2);
  let uid = false;
  if (name === 'UID') {
    uid = true;
    name = (args[0]?.t === 'atom' ? args[0].v : '').toUpperCase();
    args = args.slice(1);
  }
  const handler: Handler | undefined = commandHandlers.byName[name];
  if (!handler) {
    conn.write(`${tag} ${state.fault('unknown-command-no') ? 'NO' : 'BAD'} Unknown command`);
    return;
  }
  const out = handler(state, conn, { tag, args, uid });
  if (out === undefined) return;
  for (const line of out.lines ?? []) conn.io.write(typeof line === 'string' ? `${line}\r\n` : line);
  if (conn.selection && out.sync !== false) {
    const during = NO_EXPUNGE.has(name) && !uid;
    const lines = sync(conn, {
      expunge: (!during || state.fault('expunge-during-fetch')) && !state.fault('no-expunge-for-others'),
      exists: !state.fault('no-exists-for-others'),
      flags: !state.fault('no-flags-for-others'),
    });
    for (const line of lines) conn.write(line);
  }
  conn.write(`${tag} ${out.tagged}`);
  if (out.changed) pushToIdlers(state, conn, out.changed);
}

function finishIdle(state: ServerState, conn: Conn, segments: readonly (string | Buffer)[]): void {
  const tag = conn.idleTag!;
  conn.idleTag = undefined;
  const done = segments.length === 1 && typeof segments[0] === 'string' && segments[0].toUpperCase() === 'DONE';
  if (!done) conn.write(`${tag} BAD Expected DONE`);
  else conn.write(`${tag} ${state.fault('idle-no-done-ok') ? 'BAD IDLE not terminated' : 'OK IDLE terminated'}`);
}

/** Tell idling sessions on a changed mailbox what happened (RFC 2177). */
function pushToIdlers(state: ServerState, actor: StoreSession, box: Mailbox): void {
  if (state.fault('idle-no-push')) return;
  for (const s of state.sessions) {
    if (s === actor || s.idleTag === undefined || s.selection?.box !== box) continue;
    for (const line of sync(s, { expunge: true, exists: true, flags: true })) s.write(line);
  }
}
