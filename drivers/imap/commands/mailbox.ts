/**
 * Mailbox commands (RFC 9051 §6.3, §6.4.1-2): SELECT/EXAMINE, LIST, STATUS, CREATE, DELETE,
 * RENAME, SUBSCRIBE, UNSUBSCRIBE, CLOSE, UNSELECT. Mailbox names go as astrings, unchanged
 * (no modified UTF-7 conversion: the caller sends what it wants to test).
 */
import { astring, type CommandArg } from '../command-encoder.js';
import type { CommandResult, ImapConnection } from '../connection.js';
import type { ListResponse, MailboxStatus } from '../response-types.js';
import { tokenBigInt, tokenText, type ResponseCode } from '../tokens.js';

/** What SELECT/EXAMINE reported (RFC 9051 §6.3.2, RFC 7162 §3.1.2); absent items are undefined. */
export interface SelectedMailbox {
  exists?: number;
  /** IMAP4rev1 only (RFC 3501 §7.3.2). */
  recent?: number;
  flags?: string[];
  permanentFlags?: string[];
  uidValidity?: number;
  uidNext?: number;
  /** IMAP4rev1 `[UNSEEN n]`: the first unseen message. */
  firstUnseen?: number;
  highestModseq?: bigint;
  /** RFC 7162 `[NOMODSEQ]`. */
  noModseq: boolean;
  /** From the tagged `[READ-WRITE]` / `[READ-ONLY]`. */
  readWrite?: boolean;
}

export type SelectResult = CommandResult & { readonly mailbox: SelectedMailbox };

export interface SelectOptions {
  /** EXAMINE instead of SELECT. */
  readOnly?: boolean;
  /** `(CONDSTORE)` select parameter (RFC 7162 §3.1.8). */
  condstore?: boolean;
  /** Raw `QRESYNC (...)` parameter (RFC 7162 §3.2.5), e.g. `(67890007 20050715194045000 41,43:211)`. */
  qresync?: string;
}

export async function select(conn: ImapConnection, mailbox: string, options: SelectOptions = {}): Promise<SelectResult> {
  const params: string[] = [];
  if (options.condstore) params.push('CONDSTORE');
  if (options.qresync !== undefined) params.push(`QRESYNC ${options.qresync}`);
  const args: CommandArg[] = [astring(mailbox)];
  if (params.length > 0) args.push(`(${params.join(' ')})`);
  const result = await conn.command(options.readOnly ? 'EXAMINE' : 'SELECT', args);
  const box: SelectedMailbox = { noModseq: false };
  for (const r of result.untagged) {
    switch (r.kind) {
      case 'exists':
        box.exists = r.count;
        break;
      case 'recent':
        box.recent = r.count;
        break;
      case 'flags':
        box.flags = r.flags;
        break;
      case 'condition':
        applyCode(box, r.code);
        break;
      default:
    }
  }
  applyCode(box, result.code);
  return { ...result, mailbox: box };
}

function applyCode(box: SelectedMailbox, code: ResponseCode | undefined): void {
  if (code === undefined) return;
  const arg = code.args?.[0];
  const n = arg?.kind === 'number' ? arg.value : undefined;
  switch (code.name) {
    case 'UIDVALIDITY':
      box.uidValidity = n;
      break;
    case 'UIDNEXT':
      box.uidNext = n;
      break;
    case 'UNSEEN':
      box.firstUnseen = n;
      break;
    case 'HIGHESTMODSEQ':
      box.highestModseq = tokenBigInt(arg);
      break;
    case 'NOMODSEQ':
      box.noModseq = true;
      break;
    case 'PERMANENTFLAGS':
      if (arg?.kind === 'list') box.permanentFlags = arg.items.map(tokenText);
      break;
    case 'READ-WRITE':
      box.readWrite = true;
      break;
    case 'READ-ONLY':
      box.readWrite = false;
      break;
    default:
  }
}

export type ListResult = CommandResult & { readonly mailboxes: ListResponse[] };

export interface ListOptions {
  /** RFC 5258 selection options, e.g. `['SUBSCRIBED']`. */
  selection?: readonly string[];
  /** RFC 5258 return options, e.g. `['CHILDREN', 'SPECIAL-USE']`. */
  returnOptions?: readonly string[];
  /** LSUB instead of LIST (IMAP4rev1). */
  lsub?: boolean;
}

export async function list(conn: ImapConnection, reference: string, pattern: string, options: ListOptions = {}): Promise<ListResult> {
  const args: CommandArg[] = [];
  if (options.selection?.length) args.push(`(${options.selection.join(' ')})`);
  args.push(astring(reference), astring(pattern));
  if (options.returnOptions?.length) args.push(`RETURN (${options.returnOptions.join(' ')})`);
  const result = await conn.command(options.lsub ? 'LSUB' : 'LIST', args);
  const mailboxes = result.untagged.filter((r): r is ListResponse => r.kind === 'list' || r.kind === 'lsub');
  return { ...result, mailboxes };
}

export type StatusResult = CommandResult & { readonly mailboxStatus: MailboxStatus | undefined };

/** STATUS mailbox (items), e.g. `['MESSAGES', 'UIDNEXT', 'UNSEEN']`. */
export async function status(conn: ImapConnection, mailbox: string, items: readonly string[]): Promise<StatusResult> {
  const result = await conn.command('STATUS', [astring(mailbox), `(${items.join(' ')})`]);
  let found: MailboxStatus | undefined;
  for (const r of result.untagged) if (r.kind === 'status') found = r.attributes;
  return { ...result, mailboxStatus: found };
}

export function create(conn: ImapConnection, mailbox: string): Promise<CommandResult> {
  return conn.command('CREATE', [astring(mailbox)]);
}

export function deleteMailbox(conn: ImapConnection, mailbox: string): Promise<CommandResult> {
  return conn.command('DELETE', [astring(mailbox)]);
}

export function rename(conn: ImapConnection, from: string, to: string): Promise<CommandResult> {
  return conn.command('RENAME', [astring(from), astring(to)]);
}

export function subscribe(conn: ImapConnection, mailbox: string): Promise<CommandResult> {
  return conn.command('SUBSCRIBE', [astring(mailbox)]);
}

export function unsubscribe(conn: ImapConnection, mailbox: string): Promise<CommandResult> {
  return conn.command('UNSUBSCRIBE', [astring(mailbox)]);
}

/** CLOSE: expunges silently and deselects (RFC 9051 §6.4.1). */
export function close(conn: ImapConnection): Promise<CommandResult> {
  return conn.command('CLOSE');
}

/** UNSELECT: deselects without expunging (RFC 3691, RFC 9051 §6.4.2). */
export function unselect(conn: ImapConnection): Promise<CommandResult> {
  return conn.command('UNSELECT');
}
