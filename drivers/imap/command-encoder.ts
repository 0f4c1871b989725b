/**
 * Build the wire bytes of one tagged command, split where a synchronising literal makes the
 * client wait for `+` (RFC 9051 §4.3, §7.5), with the redacted text the transcript shows.
 *
 * Arguments are written as given: a plain string goes on the wire verbatim (atoms, sequence
 * sets, parenthesised item lists, even bytes a probe wants to be wrong). `astring()` chooses
 * a quoted string or a literal; `literal()` always sends a literal. A `Secret` anywhere is sent
 * and shown as `***` (drivers/redact.ts); its literal size is hidden too.
 */
import { Secret, REDACTED } from '../redact.js';
import { renderWireText } from '../transcript.js';
import { BACKSLASH, CR, DQUOTE, LF, NUL } from './bytes.js';

/** `sync` waits for `+` (`{n}`); `nonsync` does not (`{n+}`, RFC 7888); `auto` decides from capabilities. */
export type LiteralMode = 'sync' | 'nonsync' | 'auto';

/** A string argument: quoted when it can be, a literal otherwise. */
export interface AstringArg {
  readonly kind: 'astring';
  readonly value: string | Secret;
}

export interface LiteralArg {
  readonly kind: 'literal';
  readonly value: Uint8Array | string | Secret;
  /** `~{n}` (RFC 3516 literal8, for APPEND of binary content). */
  readonly binary: boolean;
  readonly mode: LiteralMode;
}

export type CommandArg = string | Secret | AstringArg | LiteralArg;

/** A string argument (mailbox name, user name, password), quoted or as a literal. */
export function astring(value: string | Secret): AstringArg {
  return { kind: 'astring', value };
}

/** Always a literal, e.g. an APPEND message. */
export function literal(value: Uint8Array | string | Secret, options: { binary?: boolean; mode?: LiteralMode } = {}): LiteralArg {
  return { kind: 'literal', value, binary: options.binary ?? false, mode: options.mode ?? 'auto' };
}

/** What the server advertised, for `auto` literals. */
export interface LiteralSupport {
  /** RFC 7888 LITERAL+: any non-synchronising literal. */
  literalPlus: boolean;
  /** RFC 7888 LITERAL-: non-synchronising literals up to 4096 bytes. */
  literalMinus: boolean;
}

/** One write: after it, wait for a continuation when `awaitContinuation`. */
export interface EncodedSegment {
  readonly wire: Buffer;
  /** Transcript lines for this write (redacted). */
  readonly display: string[];
  readonly awaitContinuation: boolean;
}

export interface EncodedCommand {
  readonly tag: string;
  /** The verb(s), upper-cased: `LOGIN`, `UID FETCH`. */
  readonly name: string;
  /** The whole command on one line, redacted, without the tag. */
  readonly display: string;
  readonly segments: EncodedSegment[];
  readonly bytes: number;
}

/** RFC 7888 §5: LITERAL- allows non-synchronising literals of at most 4096 bytes. */
export const LITERAL_MINUS_MAX = 4096;
const SHOW_LITERAL_MAX = 200;

/**
 * Encode `tag name args...CRLF`. `forceMode` overrides every literal's mode (pipelining
 * writes everything at once and cannot wait).
 */
export function encodeCommand(
  tag: string,
  name: string,
  args: readonly CommandArg[],
  support: LiteralSupport,
  forceMode?: 'sync' | 'nonsync',
): EncodedCommand {
  if (args.every(isPlain)) return encodePlain(tag, name, args as readonly string[]);
  const segments: EncodedSegment[] = [];
  const head = Buffer.from(`${tag} ${name}`, 'utf8');
  let parts: Buffer[] = [head];
  let lines: string[] = [];
  let line = `${tag} ${name}`;
  let summary = name;
  let bytes = head.length;
  const text = (wire: string | Buffer, shown: string): void => {
    const b = typeof wire === 'string' ? Buffer.from(wire, 'utf8') : wire;
    parts.push(b);
    bytes += b.length;
    line += shown;
    summary += shown;
  };
  for (const arg of args) {
    if (typeof arg === 'string') text(` ${arg}`, ` ${arg}`);
    else if (arg instanceof Secret) text(` ${arg.reveal()}`, ` ${REDACTED}`);
    else {
      const sensitive = arg.value instanceof Secret;
      const raw = arg.value instanceof Secret ? arg.value.reveal() : arg.value;
      const value = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (arg.kind === 'astring' && quotable(value)) {
        const wire = quote(value);
        text(Buffer.concat([Buffer.from(' '), wire]), sensitive ? ` ${REDACTED}` : ` ${wire.toString('utf8')}`);
        continue;
      }
      const binary = arg.kind === 'literal' && arg.binary;
      const mode = forceMode ?? resolveMode(arg.kind === 'literal' ? arg.mode : 'auto', value.length, support);
      const marker = `${binary ? '~' : ''}{${value.length}${mode === 'nonsync' ? '+' : ''}}`;
      text(` ${marker}\r\n`, sensitive ? ` ${REDACTED}` : ` ${marker}`);
      if (mode === 'sync') {
        lines.push(line);
        segments.push({ wire: Buffer.concat(parts), display: lines, awaitContinuation: true });
        parts = [];
        lines = [];
      } else lines.push(line);
      parts.push(value);
      bytes += value.length;
      line = sensitive ? '' : literalDisplay(value);
    }
  }
  parts.push(Buffer.from('\r\n'));
  bytes += 2;
  if (line !== '') lines.push(line);
  segments.push({ wire: Buffer.concat(parts), display: lines, awaitContinuation: false });
  return { tag, name: name.toUpperCase(), display: summary, segments, bytes };
}

function isPlain(arg: CommandArg): boolean {
  return typeof arg === 'string';
}

/**
 * The common case, every argument a plain string: one line, one buffer. The same bytes, display
 * and summary as the general path, without its per-argument buffers.
 */
function encodePlain(tag: string, name: string, args: readonly string[]): EncodedCommand {
  let summary = name;
  for (const arg of args) summary += ` ${arg}`;
  const line = `${tag} ${summary}`;
  const wire = Buffer.from(`${line}\r\n`, 'utf8');
  return { tag, name: name.toUpperCase(), display: summary, segments: [{ wire, display: [line], awaitContinuation: false }], bytes: wire.length };
}

function resolveMode(mode: LiteralMode, size: number, support: LiteralSupport): 'sync' | 'nonsync' {
  if (mode !== 'auto') return mode;
  if (support.literalPlus) return 'nonsync';
  return support.literalMinus && size <= LITERAL_MINUS_MAX ? 'nonsync' : 'sync';
}

/**
 * A quoted string may hold any 7-bit CHAR but CR, LF and NUL (RFC 9051 §9 QUOTED-CHAR); 8-bit
 * text goes as a literal, which both IMAP4rev1 and IMAP4rev2 servers accept.
 */
function quotable(value: Buffer): boolean {
  if (value.length > 1024) return false;
  for (const b of value) if (b === CR || b === LF || b === NUL || b >= 0x80) return false;
  return true;
}

function quote(value: Buffer): Buffer {
  let escapes = 0;
  for (const b of value) if (b === DQUOTE || b === BACKSLASH) escapes++;
  const out = Buffer.allocUnsafe(value.length + escapes + 2);
  let o = 0;
  out[o++] = DQUOTE;
  for (const b of value) {
    if (b === DQUOTE || b === BACKSLASH) out[o++] = BACKSLASH;
    out[o++] = b;
  }
  out[o++] = DQUOTE;
  return out;
}

/** What the transcript shows for literal data: short text as is, anything else by size. */
function literalDisplay(value: Buffer): string {
  if (value.length <= SHOW_LITERAL_MAX && !value.includes(LF)) return renderWireText(value);
  return `(${value.length} bytes of literal data)`;
}
