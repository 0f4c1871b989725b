/**
 * Message bodies for DATA (RFC 5321 §4.5.2 transparency, §4.1.1.4 end of data).
 * Pure functions over bytes; the body is built once per message, not per send.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const TERMINATOR = Buffer.from('.\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

export interface EncodeOptions {
  /**
   * Turn bare LF and bare CR into CRLF first (default true: RFC 5321 §2.3.8 allows CR and LF
   * only as a pair). Probes that want to send bare line ends on purpose set false.
   */
  normalizeLineEndings?: boolean;
}

/**
 * Dot-stuff a message and append the end-of-data sequence: every line that starts with "."
 * gets one more "." (§4.5.2), the body ends with CRLF, then ".CRLF".
 */
export function encodeDataBody(message: Uint8Array, options: EncodeOptions = {}): Buffer {
  const normalize = options.normalizeLineEndings ?? true;
  const src = message;
  // Pass 1: size of the output.
  let size = 0;
  let lineStart = true;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (lineStart && b === DOT) size++;
    if (normalize && b === LF && (i === 0 || src[i - 1] !== CR)) {
      size += 2;
      lineStart = true;
      continue;
    }
    if (normalize && b === CR && src[i + 1] !== LF) {
      size += 2;
      lineStart = true;
      continue;
    }
    size++;
    lineStart = b === LF && i > 0 && src[i - 1] === CR;
  }
  const endsWithCrlf = src.length > 0 && endsCrlfAfterNormalize(src, normalize);
  const out = Buffer.allocUnsafe(size + (src.length === 0 || endsWithCrlf ? 0 : 2) + TERMINATOR.length);
  // Pass 2: fill.
  let o = 0;
  lineStart = true;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (lineStart && b === DOT) out[o++] = DOT;
    if (normalize && b === LF && (i === 0 || src[i - 1] !== CR)) {
      out[o++] = CR;
      out[o++] = LF;
      lineStart = true;
      continue;
    }
    if (normalize && b === CR && src[i + 1] !== LF) {
      out[o++] = CR;
      out[o++] = LF;
      lineStart = true;
      continue;
    }
    out[o++] = b;
    lineStart = b === LF && i > 0 && src[i - 1] === CR;
  }
  if (src.length > 0 && !endsWithCrlf) {
    CRLF.copy(out, o);
    o += 2;
  }
  TERMINATOR.copy(out, o);
  o += TERMINATOR.length;
  return o === out.length ? out : out.subarray(0, o);
}

function endsCrlfAfterNormalize(src: Uint8Array, normalize: boolean): boolean {
  const last = src[src.length - 1];
  if (!normalize) return last === LF && src[src.length - 2] === CR;
  // With normalisation any trailing LF or CR becomes CRLF.
  return last === LF || last === CR;
}

/**
 * Reverse of the transparency procedure for a body received up to (not including) the final
 * ".CRLF": a leading "." of each line is removed (RFC 5321 §4.5.2, receiver side).
 */
export function dotUnstuff(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let o = 0;
  let lineStart = true;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (lineStart && b === DOT) {
      lineStart = false;
      continue;
    }
    out[o++] = b;
    lineStart = b === LF && i > 0 && body[i - 1] === CR;
  }
  return out.subarray(0, o);
}
