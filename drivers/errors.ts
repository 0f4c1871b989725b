import type { TlsFacts } from './tls/tls-facts.js';
import type { TranscriptEntry } from './transcript.js';

/**
 * Every failure a driver can raise. Negative protocol replies (5xx, NO/BAD, -ERR) are not
 * errors: drivers return them as data. Only transport and framing failures throw.
 */
export type ErrorCode =
  | 'ECONNECT'
  | 'EDNS'
  | 'ETIMEDOUT'
  | 'ETLS_HANDSHAKE'
  | 'ETLS_VERIFY'
  | 'ESTARTTLS'
  | 'ESTARTTLS_TRAILING'
  | 'EPROTOCOL'
  | 'ELIMIT'
  | 'ECLOSED'
  | 'EABORTED'
  | 'ECONFIG'
  | 'ESUITE';

/** One line per code: the docs and `--help` are generated from this table. */
export const ERROR_CODES: Readonly<Record<ErrorCode, string>> = {
  ECONNECT: 'TCP connect failed (refused, unreachable, reset during connect)',
  EDNS: 'host name resolution failed',
  ETIMEDOUT: 'a deadline expired; the phase says which',
  ETLS_HANDSHAKE: 'the TLS handshake failed (implicit TLS or after STARTTLS)',
  ETLS_VERIFY: 'the certificate did not verify (chain, validity or host name)',
  ESTARTTLS: 'STARTTLS/STLS was required but not offered or was refused',
  ESTARTTLS_TRAILING: 'the server sent bytes after the STARTTLS go-ahead (RFC 3207 §4.2, RFC 3501 §6.2.1)',
  EPROTOCOL: 'the server sent something that is not a well-formed reply',
  ELIMIT: 'a line, literal or reply exceeded its size limit',
  ECLOSED: 'the server closed or reset the connection mid-exchange',
  EABORTED: 'the run was cancelled',
  ECONFIG: 'invalid options or command-line arguments',
  ESUITE: 'invalid suite or scenario file',
};

/** Where in a connection's life the error happened. */
export type Phase = 'dns' | 'connect' | 'tls' | 'greeting' | 'command' | 'data' | 'load';

export interface ErrorContext {
  phase?: Phase;
  /** The command being executed, already redacted. */
  command?: string;
  /** The (partial) server response, if any. */
  response?: string;
  elapsedMs?: number;
  /** Snapshot of the last transcript entries when the error was built; secrets redacted. */
  transcript?: readonly TranscriptEntry[];
  /** Extra machine-readable facts (e.g. the limit that was exceeded, a TLS error code). */
  detail?: Readonly<Record<string, string | number | boolean | null>>;
  /** What the TLS handshake showed, when the error is about TLS. */
  tls?: TlsFacts;
}

/** The one error type of mailprobe: a code, a message, context and an optional hint. */
export class MailprobeError extends Error {
  override readonly name = 'MailprobeError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  /** A human suggestion printed under the message (k6 errext hint style). */
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    context: ErrorContext = {},
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = context;
    this.hint = options.hint;
  }

  /** The same error with more context (fields already set win). */
  withContext(extra: ErrorContext): MailprobeError {
    const merged: ErrorContext = { ...extra, ...stripUndefined(this.context) };
    const copy = new MailprobeError(this.code, this.message, merged, {
      cause: this.cause,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    });
    copy.stack = this.stack;
    return copy;
  }
}

function stripUndefined(ctx: ErrorContext): ErrorContext {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx)) if (v !== undefined) out[k] = v;
  return out as ErrorContext;
}

export function isMailprobeError(value: unknown, code?: ErrorCode): value is MailprobeError {
  return value instanceof MailprobeError && (code === undefined || value.code === code);
}

/** The Node error code (`ECONNREFUSED`, `ERR_SSL_…`) of a cause, if any. */
export function nodeErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
