import { MailprobeError, type ErrorContext } from './errors.js';

/**
 * Every size cap a parser or reader enforces, in one place, so the streaming reader and the
 * protocol parsers cannot drift apart. All sizes are in bytes.
 */
export interface Limits {
  /** One line, terminator included. RFC 5321 §4.5.3.1.5 allows 512 for replies; servers send
   * longer (EHLO, IMAP CAPABILITY, FETCH envelopes), so the cap is generous but finite. */
  maxLineBytes: number;
  /** One IMAP literal (`{n}`), e.g. a whole message in FETCH BODY[]. */
  maxLiteralBytes: number;
  /** One whole reply: an SMTP multi-line reply, an IMAP response with its literals, a POP3
   * multi-line body. */
  maxReplyBytes: number;
  /** Lines in one SMTP multi-line reply. */
  maxReplyLines: number;
  /** Untagged responses collected for one IMAP command. */
  maxUntagged: number;
  /** Nesting depth of IMAP lists. */
  maxNesting: number;
  /** Unread bytes buffered before the socket is paused (backpressure, not an error). */
  maxBufferedBytes: number;
  /** Transcript entries kept per connection (a ring: the newest are kept). */
  maxTranscriptEntries: number;
  /** Bytes of text kept per transcript entry. */
  maxTranscriptTextBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxLineBytes: 1024 * 1024,
  maxLiteralBytes: 64 * 1024 * 1024,
  maxReplyBytes: 96 * 1024 * 1024,
  maxReplyLines: 10_000,
  maxUntagged: 200_000,
  maxNesting: 64,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxTranscriptEntries: 500,
  maxTranscriptTextBytes: 4096,
});

export function resolveLimits(overrides?: Partial<Limits>): Limits {
  if (!overrides) return { ...DEFAULT_LIMITS };
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = overrides[key];
    if (v !== undefined) {
      if (!Number.isInteger(v) || v <= 0) {
        throw new MailprobeError('ECONFIG', `limit ${key} must be a positive integer, got ${String(v)}`);
      }
      out[key] = v;
    }
  }
  return out;
}

/** The one factory for limit errors: names the limit, its value and what was seen. */
export function limitError(
  limit: keyof Limits,
  max: number,
  seen: number,
  context: ErrorContext = {},
): MailprobeError {
  return new MailprobeError('ELIMIT', `${describeLimit(limit)} exceeded: ${seen} > ${max}`, {
    ...context,
    detail: { limit, max, seen, ...(context.detail ?? {}) },
  });
}

function describeLimit(limit: keyof Limits): string {
  switch (limit) {
    case 'maxLineBytes':
      return 'line length';
    case 'maxLiteralBytes':
      return 'literal size';
    case 'maxReplyBytes':
      return 'reply size';
    case 'maxReplyLines':
      return 'reply line count';
    case 'maxUntagged':
      return 'untagged response count';
    case 'maxNesting':
      return 'list nesting depth';
    case 'maxBufferedBytes':
      return 'buffered bytes';
    case 'maxTranscriptEntries':
      return 'transcript entries';
    case 'maxTranscriptTextBytes':
      return 'transcript entry size';
  }
}
