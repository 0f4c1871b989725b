/**
 * Why an operation failed, in the classes a load report counts (`bench.errors`): the driver's
 * error codes for transport and framing failures, the reply class for refusals.
 */
import { isMailprobeError, nodeErrorCode } from '../../drivers/errors.js';

export type ErrorClass =
  /** TCP connect refused (nothing listening, or the server's backlog is full). */
  | 'refused'
  /** Other connect failures: unreachable, reset during connect. */
  | 'connect'
  | 'dns'
  | 'timeout'
  /** TLS handshake or certificate failure, STARTTLS refused or missing when required. */
  | 'tls'
  /** The server closed or reset the connection mid-session. */
  | 'closed'
  /** SMTP transient (4yz) and permanent (5yz) replies. */
  | '4xx'
  | '5xx'
  /** IMAP NO / BAD, POP3 -ERR. */
  | 'no'
  | 'bad'
  | 'err'
  /** Malformed replies, limits broken, bytes after the STARTTLS go-ahead. */
  | 'protocol'
  | 'other';

export const ERROR_CLASSES: readonly ErrorClass[] = ['refused', 'connect', 'dns', 'timeout', 'tls', 'closed', '4xx', '5xx', 'no', 'bad', 'err', 'protocol', 'other'];

/**
 * A negative reply that fails an operation of the load (the driver returns it as data; the
 * scenario turns it into this to end the iteration). Not a MailprobeError: the harness did
 * nothing wrong, the server said no.
 */
export class RejectedReply extends Error {
  override readonly name = 'RejectedReply';
  readonly errorClass: ErrorClass;
  /** The metric of the refused command (`smtp.rcpt`). */
  readonly metric: string;
  constructor(metric: string, errorClass: ErrorClass, reply: string) {
    super(`${metric}: ${reply}`);
    this.metric = metric;
    this.errorClass = errorClass;
  }
}

/** The class of an SMTP reply code (only called for failures). */
export function smtpReplyClass(code: number): ErrorClass {
  return code >= 400 && code < 500 ? '4xx' : code >= 500 && code < 600 ? '5xx' : 'protocol';
}

export function classifyError(err: unknown): ErrorClass {
  if (err instanceof RejectedReply) return err.errorClass;
  if (!isMailprobeError(err)) return 'other';
  switch (err.code) {
    case 'ECONNECT':
      return nodeErrorCode(err.cause) === 'ECONNREFUSED' ? 'refused' : 'connect';
    case 'EDNS':
      return 'dns';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ETLS_HANDSHAKE':
    case 'ETLS_VERIFY':
    case 'ESTARTTLS':
      return 'tls';
    case 'ECLOSED':
      return 'closed';
    case 'EPROTOCOL':
    case 'ELIMIT':
    case 'ESTARTTLS_TRAILING':
      return 'protocol';
    default:
      return 'other';
  }
}

/** Classes that mean the target could not be reached at all. */
export function isUnreachable(c: ErrorClass): boolean {
  return c === 'refused' || c === 'connect' || c === 'dns';
}
