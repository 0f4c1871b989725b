/**
 * A byte-stream harness for the pure POP3 parsers: lines are cut from chunks exactly as
 * Transport.readLine cuts them (each line up to and including its LF), then fed to the status
 * parser and the multi-line reader. Used by the split-at-every-byte tests and the properties.
 */
import { MailprobeError } from '../../../drivers/errors.js';
import { DEFAULT_LIMITS } from '../../../drivers/limits.js';
import { MultilineReader } from '../../../drivers/pop3/multiline.js';
import { parseStatus } from '../../../drivers/pop3/status.js';

/** Lines cut from a chunked stream the way the transport does; `rest` lacks an LF. */
export function assembleLines(chunks: readonly Uint8Array[]): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let pending = Buffer.alloc(0);
  for (const chunk of chunks) {
    pending = Buffer.concat([pending, chunk]);
    let lf: number;
    while ((lf = pending.indexOf(0x0a)) !== -1) {
      lines.push(Buffer.from(pending.subarray(0, lf + 1)));
      pending = pending.subarray(lf + 1);
    }
  }
  return { lines, rest: Buffer.from(pending) };
}

/** Cut `bytes` into chunks at the given offsets. */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** What one response in the stream came to, in a comparable form. */
export type Outcome =
  | { kind: 'reply'; status: string; text: string; code: string | undefined; body: string | undefined }
  | { kind: 'error'; code: string }
  | { kind: 'incomplete' };

/**
 * Read responses off the lines: a status line, then (for every +OK, as after RETR) a body up to
 * its end marker. A status line that does not parse is recorded and skipped. Throws whatever
 * is not a MailprobeError, which is what the properties look for.
 */
export function readResponses(lines: readonly Buffer[], maxReplyBytes = DEFAULT_LIMITS.maxReplyBytes): Outcome[] {
  const out: Outcome[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i++]!;
    try {
      const status = parseStatus(line);
      let body: string | undefined;
      if (status.status === 'ok') {
        const reader = new MultilineReader(maxReplyBytes);
        while (i < lines.length && !reader.push(lines[i++]!));
        if (!reader.done) {
          out.push({ kind: 'incomplete' });
          break;
        }
        body = Buffer.concat(reader.result().lines).toString('hex');
      }
      out.push({ kind: 'reply', status: status.status, text: status.text, code: status.code, body });
    } catch (err) {
      if (!(err instanceof MailprobeError)) throw err;
      out.push({ kind: 'error', code: err.code });
      if (err.code === 'ELIMIT') break;
    }
  }
  return out;
}
