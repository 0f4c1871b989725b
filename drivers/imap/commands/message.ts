/**
 * Message commands (RFC 9051 §6.3.12 APPEND, §6.4.3-9 EXPUNGE SEARCH FETCH STORE COPY MOVE UID),
 * with the UIDPLUS codes (RFC 4315: APPENDUID, COPYUID) and CONDSTORE modifiers (RFC 7162).
 * Sets, item lists and search criteria are written as given: the caller builds the IMAP text.
 */
import { astring, literal, type CommandArg, type LiteralMode } from '../command-encoder.js';
import type { CommandResult, ImapConnection } from '../connection.js';
import type { EsearchResponse, FetchResponse } from '../response-types.js';
import { tokenText, type ResponseCode } from '../tokens.js';

export interface UidOption {
  /** The UID form of the command (RFC 9051 §6.4.9). */
  uid?: boolean;
}

/** A string for the wire, or args when some parts need quoting/literals. */
export type RawArgs = string | readonly CommandArg[];

export type AppendResult = CommandResult & {
  /** RFC 4315 `[APPENDUID uidvalidity uid]` on the OK, when sent. */
  readonly appendUid: { readonly uidValidity: number; readonly uid: number } | undefined;
};

export interface AppendOptions {
  flags?: readonly string[];
  /** date-time as IMAP text, e.g. `"17-Jul-1996 02:44:25 -0700"` (quotes included). */
  internalDate?: string;
  /** How to send the message literal (default: auto, from LITERAL+/LITERAL-). */
  literalMode?: LiteralMode;
  /** `~{n}` (RFC 3516) for content with NUL bytes. */
  binary?: boolean;
}

/** APPEND: the message goes as a literal, its bytes exactly as given. */
export async function append(conn: ImapConnection, mailbox: string, message: Uint8Array | string, options: AppendOptions = {}): Promise<AppendResult> {
  const args: CommandArg[] = [astring(mailbox)];
  if (options.flags) args.push(`(${options.flags.join(' ')})`);
  if (options.internalDate !== undefined) args.push(options.internalDate);
  args.push(literal(message, { mode: options.literalMode ?? 'auto', binary: options.binary ?? false }));
  const result = await conn.command('APPEND', args, { timeoutMs: conn.transport.timeouts.dataMs, phase: 'data' });
  let appendUid: AppendResult['appendUid'];
  const code = result.code;
  if (code?.name === 'APPENDUID' && code.args !== undefined) {
    const [validity, uid] = code.args;
    if (validity?.kind === 'number' && uid?.kind === 'number') appendUid = { uidValidity: validity.value, uid: uid.value };
  }
  return { ...result, appendUid };
}

export type FetchResult = CommandResult & { readonly messages: FetchResponse[] };

export interface FetchOptions extends UidOption {
  /** RFC 7162 §3.1.4 `(CHANGEDSINCE n)`. */
  changedSince?: bigint;
  /** RFC 7162 §3.2.6 `VANISHED` modifier (UID FETCH with CHANGEDSINCE under QRESYNC). */
  vanished?: boolean;
}

/** FETCH set items, e.g. `fetch(c, '1:*', '(UID FLAGS BODY.PEEK[])')`. */
export async function fetch(conn: ImapConnection, set: string, items: RawArgs, options: FetchOptions = {}): Promise<FetchResult> {
  const args: CommandArg[] = [set, ...asArgs(items)];
  const modifiers: string[] = [];
  if (options.changedSince !== undefined) modifiers.push(`CHANGEDSINCE ${options.changedSince}`);
  if (options.vanished) modifiers.push('VANISHED');
  if (modifiers.length > 0) args.push(`(${modifiers.join(' ')})`);
  const result = await conn.command(options.uid ? 'UID FETCH' : 'FETCH', args);
  return { ...result, messages: fetched(result) };
}

export type StoreResult = CommandResult & {
  readonly messages: FetchResponse[];
  /** RFC 7162 §3.1.3 `[MODIFIED set]`: messages not stored because of UNCHANGEDSINCE. */
  readonly modified: string | undefined;
};

export interface StoreOptions extends UidOption {
  unchangedSince?: bigint;
}

/** STORE set action flags, e.g. `store(c, '1:3', '+FLAGS.SILENT', '(\\Seen)')`. */
export async function store(conn: ImapConnection, set: string, action: string, flags: string, options: StoreOptions = {}): Promise<StoreResult> {
  const args: CommandArg[] = [set];
  if (options.unchangedSince !== undefined) args.push(`(UNCHANGEDSINCE ${options.unchangedSince})`);
  args.push(action, flags);
  const result = await conn.command(options.uid ? 'UID STORE' : 'STORE', args);
  const modified = result.code?.name === 'MODIFIED' ? result.code.text : undefined;
  return { ...result, messages: fetched(result), modified };
}

export type SearchResult = CommandResult & {
  /** Numbers from `* SEARCH` (sequence numbers, or UIDs for UID SEARCH). */
  readonly ids: number[];
  /** RFC 7162 `(MODSEQ n)` at the end of `* SEARCH`. */
  readonly modseq: bigint | undefined;
  /** The `* ESEARCH` answer when RETURN options were given (RFC 4731). */
  readonly esearch: EsearchResponse | undefined;
};

export interface SearchOptions extends UidOption {
  charset?: string;
  /** RFC 4731 `RETURN (MIN MAX COUNT ALL)`. */
  returnOptions?: readonly string[];
}

/** SEARCH criteria, e.g. `search(c, 'UNSEEN SINCE 1-Jan-2024', { uid: true })`. */
export async function search(conn: ImapConnection, criteria: RawArgs, options: SearchOptions = {}): Promise<SearchResult> {
  const args: CommandArg[] = [];
  if (options.returnOptions) args.push(`RETURN (${options.returnOptions.join(' ')})`);
  if (options.charset !== undefined) args.push(`CHARSET ${options.charset}`);
  args.push(...asArgs(criteria));
  const result = await conn.command(options.uid ? 'UID SEARCH' : 'SEARCH', args);
  const ids: number[] = [];
  let modseq: bigint | undefined;
  let esearch: EsearchResponse | undefined;
  for (const r of result.untagged) {
    if (r.kind === 'search') {
      for (const id of r.ids) ids.push(id);
      modseq = r.modseq ?? modseq;
    } else if (r.kind === 'esearch' && (r.correlator === undefined || r.correlator === result.tag)) esearch = r;
  }
  return { ...result, ids, modseq, esearch };
}

/** RFC 4315 §3 `[COPYUID uidvalidity source-uids dest-uids]`, sets as sent. */
export interface CopyUid {
  readonly uidValidity: number;
  readonly sourceUids: string;
  readonly destinationUids: string;
}

export type CopyResult = CommandResult & { readonly copyUid: CopyUid | undefined };

export function copy(conn: ImapConnection, set: string, mailbox: string, options: UidOption = {}): Promise<CopyResult> {
  return transfer(conn, options.uid ? 'UID COPY' : 'COPY', set, mailbox);
}

/** MOVE (RFC 6851): COPYUID comes in an untagged OK before the EXPUNGEs (§4.3). */
export function move(conn: ImapConnection, set: string, mailbox: string, options: UidOption = {}): Promise<CopyResult> {
  return transfer(conn, options.uid ? 'UID MOVE' : 'MOVE', set, mailbox);
}

async function transfer(conn: ImapConnection, name: string, set: string, mailbox: string): Promise<CopyResult> {
  const result = await conn.command(name, [set, astring(mailbox)]);
  let copyUid = copyUidOf(result.code);
  for (const r of result.untagged) if (r.kind === 'condition') copyUid = copyUidOf(r.code) ?? copyUid;
  return { ...result, copyUid };
}

function copyUidOf(code: ResponseCode | undefined): CopyUid | undefined {
  if (code?.name !== 'COPYUID' || code.args === undefined) return undefined;
  const [validity, source, dest] = code.args;
  if (validity?.kind !== 'number' || source === undefined || dest === undefined) return undefined;
  return { uidValidity: validity.value, sourceUids: tokenText(source), destinationUids: tokenText(dest) };
}

export type ExpungeResult = CommandResult & {
  /** Sequence numbers from `* n EXPUNGE`, in order (each renumbers the rest). */
  readonly expunged: number[];
  /** UID sets from `* VANISHED` (QRESYNC, RFC 7162 §3.2.10). */
  readonly vanished: string[];
};

/** EXPUNGE, or UID EXPUNGE set (RFC 4315 §2.1, RFC 9051 §6.4.9) when `uidSet` is given. */
export async function expunge(conn: ImapConnection, options: { uidSet?: string } = {}): Promise<ExpungeResult> {
  const result = options.uidSet === undefined ? await conn.command('EXPUNGE') : await conn.command('UID EXPUNGE', [options.uidSet]);
  const expunged: number[] = [];
  const vanished: string[] = [];
  for (const r of result.untagged) {
    if (r.kind === 'expunge') expunged.push(r.seq);
    else if (r.kind === 'vanished') vanished.push(r.uids);
  }
  return { ...result, expunged, vanished };
}

function fetched(result: CommandResult): FetchResponse[] {
  return result.untagged.filter((r): r is FetchResponse => r.kind === 'fetch');
}

function asArgs(raw: RawArgs): readonly CommandArg[] {
  return typeof raw === 'string' ? [raw] : raw;
}
