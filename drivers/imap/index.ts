/**
 * The IMAP driver's public API: the client, the pure parsers (tokenizer, framer, response
 * classifier) and the command builders. Values first, types apart.
 */
export { ImapClient } from './client.js';
export { ImapConnection, InFlightCommand } from './connection.js';
export { astring, encodeCommand, literal, LITERAL_MINUS_MAX } from './command-encoder.js';
export { isTextResponseLine, literalAnnouncement, ResponseFramer, ResponseSplitter } from './framer.js';
export { classifyResponse, parseResponse } from './response.js';
export { tokenizeResponse } from './tokenizer.js';
export { NIL_TOKEN, STATUS_WORDS, tokenBigInt, tokenBytes, tokenNumber, tokenString, tokenText } from './tokens.js';
export { fetchAttributes } from './fetch.js';
export { SessionObserver } from './state.js';
export { metricName as imapMetricName } from './metrics.js';
export * as imapAuth from './commands/auth.js';
export * as imapIdle from './commands/idle.js';
export * as imapMailbox from './commands/mailbox.js';
export * as imapMessage from './commands/message.js';
export * as imapSession from './commands/session.js';

export type {
  CommandOptions,
  CommandResult,
  CommandTiming,
  ContinuationHandler,
  ContinuationReply,
  ImapConnectOptions,
  PipelinedCommand,
  ReadResponseOptions,
} from './connection.js';
export type {
  AstringArg,
  CommandArg,
  EncodedCommand,
  EncodedSegment,
  LiteralArg,
  LiteralMode,
  LiteralSupport,
} from './command-encoder.js';
export type { FramerLimits, FramerStep, LiteralAnnouncement } from './framer.js';
export type {
  Address,
  CapabilityResponse,
  ConditionResponse,
  ConditionStatus,
  ContinuationResponse,
  EnabledResponse,
  Envelope,
  EsearchResponse,
  ExistsResponse,
  ExpungeResponse,
  FetchAttributes,
  FetchBody,
  FetchResponse,
  FlagsResponse,
  IdResponse,
  ImapResponse,
  ListResponse,
  MailboxStatus,
  NamespaceDescriptor,
  NamespaceResponse,
  OtherResponse,
  RecentResponse,
  SearchResponse,
  StatusResponse,
  TaggedResponse,
  TaggedStatus,
  UntaggedResponse,
  VanishedResponse,
} from './response-types.js';
export type { TokenizerOptions } from './tokenizer.js';
export type {
  AtomToken,
  ImapToken,
  ListToken,
  LiteralToken,
  NilToken,
  NumberToken,
  PartialRange,
  ResponseCode,
  StringToken,
  TokenizedResponse,
} from './tokens.js';
export type { ImapState } from './state.js';
export type { AuthenticateOptions, AuthenticateResult, SaslExchange } from './commands/auth.js';
export type { IdleEvent, IdleOptions, IdleSession, IdleStart } from './commands/idle.js';
export type {
  ListOptions,
  ListResult,
  SelectedMailbox,
  SelectOptions,
  SelectResult,
  StatusResult,
} from './commands/mailbox.js';
export type {
  AppendOptions,
  AppendResult,
  CopyResult,
  CopyUid,
  ExpungeResult,
  FetchOptions,
  FetchResult,
  RawArgs,
  SearchOptions,
  SearchResult,
  StoreOptions,
  StoreResult,
  UidOption,
} from './commands/message.js';
export type { CapabilityResult, EnableResult, LogoutResult, StartTlsOptions, StartTlsResult } from './commands/session.js';
