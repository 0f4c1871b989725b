/**
 * The suite file format (docs/suites.md): YAML checked by this schema. A suite is a header and
 * a list of checks; a check is a precondition (`start`) and steps; a step sends and expects.
 * Field meanings per protocol are checked after parsing (validate.ts).
 */
import { z } from 'zod';

/** `250`, `"5xx"`, `"25x"`: a reply code or a class pattern. */
const codePattern = z.union([z.number().int().min(100).max(599), z.string().regex(/^[2-5][0-9x][0-9x]$/, 'a code pattern like 250, 5xx or 25x')]);

/** Longest timer Node can set (about 24.8 days); longer durations would fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const DURATION_TEXT = /^\d+(\.\d+)?(ms|s|m)$/;

const duration = z
  .union([z.number().positive(), z.string().regex(DURATION_TEXT, 'a duration like 500ms, 5s or 1m (a bare number is seconds)')])
  // zod runs refinements even when the union already failed: judge only well-formed durations
  // (`sleep: abc` used to reach durationMs and throw a TypeError instead of ESUITE).
  .refine((v) => !(typeof v === 'number' || (typeof v === 'string' && DURATION_TEXT.test(v))) || durationMs(v) <= MAX_DURATION_MS, 'a duration of at most 24 days');

export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
export const ELSE_STATUSES = ['fail', 'warn', 'skip', 'inconclusive'] as const;
export const START_STATES = ['connected', 'greeted', 'ehlo', 'tls', 'authenticated', 'selected'] as const;
export const NEEDS = ['login', 'rcpt'] as const;
export const ROLES = ['mx', 'submission', 'mailbox'] as const;

/** A line of text (CRLF appended), or exact bytes with escapes (\r \n \0 \xNN), nothing appended. */
const send = z.union([z.string(), z.object({ raw: z.string() }).strict()]);

const stringList = z.union([z.string(), z.array(z.string())]);

export const expectSchema = z
  .object({
    // SMTP: reply code or class; IMAP: response code of the tagged reply (TRYCREATE, …).
    code: z.union([codePattern, z.array(codePattern), z.string(), z.array(z.string())]).optional(),
    /** SMTP: enhanced status code pattern (`5.5.x`), or true: any enhanced code present. */
    enhanced: z.union([z.string().regex(/^[245x]\.[0-9x]{1,3}\.[0-9x]{1,3}$/), z.boolean()]).optional(),
    /** Regex tested against the reply text (any line). */
    text: z.string().optional(),
    /** SMTP EHLO keywords (or POP3 CAPA lines) that must / must not be present. */
    includes: stringList.optional(),
    excludes: stringList.optional(),
    /** IMAP: tagged status. */
    tagged: z.union([z.enum(['OK', 'NO', 'BAD']), z.array(z.enum(['OK', 'NO', 'BAD']))]).optional(),
    /** IMAP: a `+` continuation request is expected instead of a tagged reply. */
    continuation: z.boolean().optional(),
    /** IMAP: untagged responses that must appear (patterns with $captures). */
    untagged: stringList.optional(),
    /** IMAP: untagged patterns that must not appear. */
    absent: stringList.optional(),
    /** IMAP: no untagged responses beyond those matched by `untagged`. */
    only: z.boolean().optional(),
    /** POP3: +OK or -ERR. */
    status: z.enum(['+OK', '-ERR']).optional(),
    /** POP3 multi-line body: line count bounds and a regex every line must match. */
    count: z.union([z.number().int().min(0), z.object({ min: z.number().int().optional(), max: z.number().int().optional() }).strict()]).optional(),
    each: z.string().optional(),
    /** Capture variables: name → regex with one group, applied to the reply text. */
    capture: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/i), z.string()).optional(),
    /** No reply at all within the step timeout. */
    none: z.boolean().optional(),
    /** The server closes the connection (after its reply, if any). */
    closed: z.boolean().optional(),
  })
  .strict();

const exchange = z.object({ send, expect: expectSchema.optional() }).strict();

export const stepSchema = z
  .object({
    send: send.optional(),
    /** IMAP: a message (or any string) sent as a synchronising literal after `send`. */
    literal: z.string().optional(),
    expect: expectSchema.optional(),
    /** Several commands in one write, then one expectation per reply, in order (RFC 2920). */
    pipeline: z.array(exchange).min(1).optional(),
    /** Upgrade to TLS now (after a STARTTLS/STLS go-ahead). */
    tls: z.literal('upgrade').optional(),
    /** Close the client side of this connection. */
    close: z.literal(true).optional(),
    /** Wait (e.g. for another session's change to propagate). */
    sleep: duration.optional(),
    /** Which connection: 1 (default) or a second/third session for multi-session checks. */
    conn: z.number().int().min(1).max(4).optional(),
    timeout: duration.optional(),
    /** Verdict when this step's expectation is not met (default: fail for MUST, warn otherwise). */
    else: z.enum(ELSE_STATUSES).optional(),
    /**
     * What no reply within the timeout means: `inconclusive` (default: servers may be slow,
     * RFC 5321 §4.5.3.2) or `unmet` (the reply is due at once, e.g. the "+" for a literal:
     * silence is the misbehaviour under test).
     */
    silence: z.enum(['inconclusive', 'unmet']).optional(),
    /** Message when the expectation is not met. */
    because: z.string().optional(),
  })
  .strict();

export const checkSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/, 'a dotted lower-case id like smtp.ehlo.multiline-format'),
    title: z.string().min(1),
    ref: z.string().min(1),
    level: z.enum(LEVELS),
    /** Capabilities the server must announce, else the check is skipped. */
    requires: z.array(z.string()).optional(),
    /** Fixtures from the command line (--user/--password, --rcpt), else inconclusive. */
    needs: z.array(z.enum(NEEDS)).optional(),
    /** Port roles the check applies to (from the URL scheme), else skipped. */
    roles: z.array(z.enum(ROLES)).optional(),
    /** Precondition the runner establishes before the steps. */
    start: z.enum(START_STATES).optional(),
    steps: z.array(stepSchema).min(1),
    /** Steps run after the check whatever happened (delete what the check created). */
    cleanup: z.array(stepSchema).optional(),
    /** Budget for the whole check. */
    timeout: duration.optional(),
  })
  .strict();

export const suiteSchema = z
  .object({
    suite: z.string().regex(/^[a-z0-9]+\/[a-z0-9-]+$/, 'a suite id like smtp/base'),
    protocol: z.enum(['smtp', 'imap', 'pop3']),
    title: z.string().optional(),
    checks: z.array(checkSchema).min(1),
  })
  .strict();

export type SuiteFile = z.infer<typeof suiteSchema>;
export type CheckSpec = z.infer<typeof checkSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
export type ExpectSpec = z.infer<typeof expectSchema>;
export type SendSpec = z.infer<typeof send>;
export type StartState = (typeof START_STATES)[number];
export type ElseStatus = (typeof ELSE_STATUSES)[number];

/** `5s` → 5000; a bare number is seconds, as on the command line. */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value)!;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}
