/**
 * Server responses as a discriminated union on `kind` (RFC 9051 §7): one tagged completion,
 * continuation requests, and the untagged data a command collects. Every response keeps `raw`,
 * its bytes exactly as received (terminator included), for transcripts and matchers.
 */
import type { ImapToken, ListToken, ResponseCode } from './tokens.js';

export type TaggedStatus = 'OK' | 'NO' | 'BAD';
export type ConditionStatus = TaggedStatus | 'BYE' | 'PREAUTH';

interface Raw {
  /** The response as received: line(s) and literals, terminator included. */
  readonly raw: Buffer;
}

/** `A1 OK [code] text`: a command's completion (RFC 9051 §7.1). */
export interface TaggedResponse extends Raw {
  readonly kind: 'tagged';
  readonly tag: string;
  readonly status: TaggedStatus;
  readonly code: ResponseCode | undefined;
  readonly text: string;
}

/** `+ text` or `+ base64`: the server waits for more of the command (RFC 9051 §7.5). */
export interface ContinuationResponse extends Raw {
  readonly kind: 'continuation';
  readonly code: ResponseCode | undefined;
  readonly text: string;
}

/** `* OK|NO|BAD|BYE|PREAUTH [code] text` (RFC 9051 §7.1). */
export interface ConditionResponse extends Raw {
  readonly kind: 'condition';
  readonly status: ConditionStatus;
  readonly code: ResponseCode | undefined;
  readonly text: string;
}

/** `* CAPABILITY ...` (RFC 9051 §7.2.2), names as sent. */
export interface CapabilityResponse extends Raw {
  readonly kind: 'capability';
  readonly capabilities: string[];
}

/** `* ENABLED ...` (RFC 5161 §3.2). */
export interface EnabledResponse extends Raw {
  readonly kind: 'enabled';
  readonly capabilities: string[];
}

/** `* n EXISTS` (RFC 9051 §7.4.1). */
export interface ExistsResponse extends Raw {
  readonly kind: 'exists';
  readonly count: number;
}

/** `* n RECENT` (RFC 3501 §7.3.2; gone from IMAP4rev2). */
export interface RecentResponse extends Raw {
  readonly kind: 'recent';
  readonly count: number;
}

/** `* n EXPUNGE` (RFC 9051 §7.5.1). */
export interface ExpungeResponse extends Raw {
  readonly kind: 'expunge';
  readonly seq: number;
}

/** `* VANISHED [(EARLIER)] uid-set` (RFC 7162 §3.2.10). */
export interface VanishedResponse extends Raw {
  readonly kind: 'vanished';
  readonly earlier: boolean;
  /** The UID set as sent (`41,43:116`). */
  readonly uids: string;
}

/** `* n FETCH (...)` (RFC 9051 §7.5.2) with its items typed. */
export interface FetchResponse extends Raw {
  readonly kind: 'fetch';
  readonly seq: number;
  readonly attributes: FetchAttributes;
}

/** `* LIST|LSUB (flags) "delim" name [extended]` (RFC 9051 §7.3.1, RFC 5258). */
export interface ListResponse extends Raw {
  readonly kind: 'list' | 'lsub';
  readonly flags: string[];
  /** NIL (a flat namespace) is null. */
  readonly delimiter: string | null;
  /** The mailbox name as sent (modified UTF-7 or UTF-8; not decoded here). */
  readonly mailbox: string;
  /** RFC 5258 extended data items (CHILDINFO, OLDNAME), as tokens. */
  readonly extended: ImapToken[];
}

/** `* STATUS mailbox (MESSAGES n ...)` (RFC 9051 §7.3.4). */
export interface StatusResponse extends Raw {
  readonly kind: 'status';
  readonly mailbox: string;
  readonly attributes: MailboxStatus;
}

export interface MailboxStatus {
  messages?: number;
  recent?: number;
  uidNext?: number;
  uidValidity?: number;
  unseen?: number;
  deleted?: number;
  size?: number;
  highestModseq?: bigint;
  /** Every item as sent, upper-cased names (includes the typed ones). */
  readonly items: Map<string, ImapToken>;
}

/** `* SEARCH n...` (RFC 3501 §7.2.5), with RFC 7162 `(MODSEQ n)`. */
export interface SearchResponse extends Raw {
  readonly kind: 'search';
  readonly ids: number[];
  readonly modseq: bigint | undefined;
}

/** `* ESEARCH [(TAG "A1")] [UID] items` (RFC 4731 §3.1, RFC 9051 §7.3.4). */
export interface EsearchResponse extends Raw {
  readonly kind: 'esearch';
  /** The tag of the command it answers. */
  readonly correlator: string | undefined;
  readonly uid: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly count: number | undefined;
  /** The matching set as sent (`2,10:11`). */
  readonly all: string | undefined;
  readonly modseq: bigint | undefined;
  /** Every return item, upper-cased names. */
  readonly items: Map<string, ImapToken>;
}

/** `* FLAGS (...)` (RFC 9051 §7.3.5). */
export interface FlagsResponse extends Raw {
  readonly kind: 'flags';
  readonly flags: string[];
}

/** `* ID (...)` or `* ID NIL` (RFC 2971 §3.2). */
export interface IdResponse extends Raw {
  readonly kind: 'id';
  readonly params: Map<string, string | null> | null;
}

/** `* NAMESPACE personal other shared` (RFC 2342 §5, RFC 9051 §7.3.6). */
export interface NamespaceResponse extends Raw {
  readonly kind: 'namespace';
  readonly personal: NamespaceDescriptor[] | null;
  readonly other: NamespaceDescriptor[] | null;
  readonly shared: NamespaceDescriptor[] | null;
}

export interface NamespaceDescriptor {
  readonly prefix: string;
  readonly delimiter: string | null;
  /** Namespace response extensions, as tokens. */
  readonly extensions: ImapToken[];
}

/** Any other untagged response, kept as tokens (`* 5 XYZ`, `* QUOTA ...`, `* METADATA ...`). */
export interface OtherResponse extends Raw {
  readonly kind: 'other';
  /** The response name, upper-cased. */
  readonly name: string;
  /** The number before the name (`* 5 XYZ`), if any. */
  readonly number: number | undefined;
  /** The tokens after the name. */
  readonly tokens: ImapToken[];
}

export type UntaggedResponse =
  | ConditionResponse
  | CapabilityResponse
  | EnabledResponse
  | ExistsResponse
  | RecentResponse
  | ExpungeResponse
  | VanishedResponse
  | FetchResponse
  | ListResponse
  | StatusResponse
  | SearchResponse
  | EsearchResponse
  | FlagsResponse
  | IdResponse
  | NamespaceResponse
  | OtherResponse;

export type ImapResponse = TaggedResponse | ContinuationResponse | UntaggedResponse;

// ---- FETCH ----

/** The items of one FETCH response (RFC 9051 §7.5.2). Absent items are undefined. */
export interface FetchAttributes {
  uid?: number;
  flags?: string[];
  rfc822Size?: number;
  /** As sent (`17-Jul-1996 02:44:25 -0700`). */
  internalDate?: string;
  /** RFC 7162 MODSEQ. */
  modseq?: bigint;
  envelope?: Envelope;
  /** BODYSTRUCTURE (or the non-extensible BODY) as tokens. */
  bodyStructure?: ListToken;
  /** RFC 8474 EMAILID. */
  emailId?: string;
  /** RFC 8474 THREADID (NIL when the server has none). */
  threadId?: string | null;
  /**
   * Body parts by item name without the partial: `BODY[]`, `BODY[HEADER.FIELDS (SUBJECT)]`,
   * `BINARY[1]`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`.
   */
  readonly bodies: Map<string, FetchBody>;
  /** RFC 3516 `BINARY.SIZE[section]` by section. */
  readonly binarySizes: Map<string, number>;
  /** Items not typed above, by upper-cased name (`X-GM-LABELS`, `PREVIEW`). */
  readonly other: Map<string, ImapToken>;
}

export interface FetchBody {
  /** The section text between the brackets (`HEADER.FIELDS (SUBJECT)`), '' for the whole. */
  readonly section: string;
  /** `<origin>` of a partial fetch. */
  readonly origin: number | undefined;
  /**
   * The bytes exactly as sent for a literal; a quoted string's UTF-8 bytes; null for NIL.
   */
  readonly bytes: Buffer | null;
}

/** ENVELOPE (RFC 9051 §7.5.2): strings decoded as UTF-8 (RFC 2047 words left encoded). */
export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: Address[] | null;
  readonly sender: Address[] | null;
  readonly replyTo: Address[] | null;
  readonly to: Address[] | null;
  readonly cc: Address[] | null;
  readonly bcc: Address[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

/** One address; a group start has a null host, a group end null mailbox and host. */
export interface Address {
  readonly name: string | null;
  readonly adl: string | null;
  readonly mailbox: string | null;
  readonly host: string | null;
}
