// The public API of the wire drivers. Value exports first, then types.
export { Transport, formatAddress } from './transport.js';
export { MailprobeError, ERROR_CODES, isMailprobeError } from './errors.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export { DEFAULT_TIMEOUTS, resolveTimeouts, uniformTimeouts } from './timeouts.js';
export { Transcript, renderWireText } from './transcript.js';
export { Secret, secret, buildCommand, REDACTED } from './redact.js';
export { parseTarget, parsePort, SCHEMES } from './target.js';
export { connectSmtp, connectImap, connectPop3, resolveTarget } from './connect.js';
export { singleVersionOptions } from './tls/tls-options.js';
export { describeTlsFacts } from './tls/tls-facts.js';
export { describeCertificate } from './tls/certificate.js';
export { isWeakSignatureAlgorithm } from './tls/der.js';
export { SmtpClient, authMechanisms, hasCapability, isPositive, describeReply } from './smtp/index.js';
export { ImapClient } from './imap/index.js';
export { Pop3Client } from './pop3/index.js';
// Everything else of each protocol, namespaced so names like CommandOptions do not collide.
export * as smtp from './smtp/index.js';
export * as imap from './imap/index.js';
export * as pop3 from './pop3/index.js';

export type { TransportOptions, ConnectTiming, ReadOptions, WriteOptions, StartTlsResult, UpgradeOptions, Connector, Resolver } from './transport.js';
export type { ErrorCode, ErrorContext, Phase } from './errors.js';
export type { Limits } from './limits.js';
export type { Timeouts } from './timeouts.js';
export type { TranscriptEntry, Direction } from './transcript.js';
export type { CommandPart, BuiltCommand } from './redact.js';
export type { Target, Scheme, Protocol, PortRole } from './target.js';
export type { TargetOptions } from './connect.js';
export type { TlsClientOptions } from './tls/tls-options.js';
export type { TlsFacts } from './tls/tls-facts.js';
export type { CertificateDigests, CertificateFacts } from './tls/certificate.js';
export type { Exchange, ExchangeListener } from './exchange.js';
export type { Credentials, SaslMechanism } from './sasl.js';
export type { SmtpConnectOptions, SmtpReply, SmtpCapabilities } from './smtp/index.js';
export type { ImapConnectOptions, CommandResult as ImapCommandResult, ImapState } from './imap/index.js';
export type { Pop3ConnectOptions, Pop3Reply, Pop3State } from './pop3/index.js';
