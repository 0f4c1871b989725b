/** The POP3 driver: public API (RFC 1939, RFC 2449, RFC 2595, RFC 5034). */
export { Pop3Client } from './client.js';
export { apopDigest, sasl } from './auth.js';
export { COMMANDS, carriesMessageData, commandKeyword, expectsMultiline, metricName } from './commands.js';
export { parseCapabilities, parseDropListing, parseListings, parseScanListing, parseUniqueIdListing } from './maildrop.js';
export { dotStuff, lineText, MultilineReader } from './multiline.js';
export { apopTimestamp, looksLikeStatus, parseRespCode, parseStatus, respCodeLevels } from './status.js';

export type {
  CapaReply,
  ListReply,
  MessageReply,
  PipelineItem,
  Pop3Command,
  Pop3ConnectOptions,
  StatReply,
  StlsOptions,
  StlsReply,
  UidlReply,
} from './client.js';
export type { AuthOptions, AuthReply } from './auth.js';
export type { CommandSpec } from './commands.js';
export type { DropListing, Listings, ScanListing, UniqueIdListing } from './maildrop.js';
export type { MultilineBody, MultilineStats } from './multiline.js';
export type { Pop3Status, Pop3StatusKind } from './status.js';
export type { CommandOptions, Pop3Greeting, Pop3Reply, Pop3State, Pop3Timing } from './types.js';
