export { SmtpClient } from './client.js';
export { SmtpReplyParser, describeReply, isPositive, parseEnhancedCode, replyClass, replyText } from './reply.js';
export { parseEhlo, hasCapability, authMechanisms, sizeLimit } from './capabilities.js';
export { encodeDataBody, dotUnstuff } from './dot-stuff.js';
export { formatMailParams, sendEncodedBody } from './transaction.js';
export { cancelAuth } from './auth.js';

export type { SmtpConnectOptions, CommandOptions, StartTlsOutcome, SmtpState } from './client.js';
export type { SmtpReply, ReplyAnomaly } from './reply.js';
export type { SmtpCapabilities } from './capabilities.js';
export type { EncodeOptions } from './dot-stuff.js';
export type { MailParams, DataResult } from './transaction.js';
