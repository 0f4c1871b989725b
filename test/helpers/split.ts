/**
 * Helpers for "the same input split at every byte" tests: parsers must not care where TCP
 * cut the stream.
 */
import { ByteQueue } from '../../drivers/byte-queue.js';

/** Every way to cut `input` in two: [input] first, then [a, b] for each boundary. */
export function* twoWaySplits(input: Buffer): Generator<Buffer[]> {
  yield [input];
  for (let i = 1; i < input.length; i++) yield [input.subarray(0, i), input.subarray(i)];
}

/** One byte per chunk. */
export function byteChunks(input: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i++) out.push(input.subarray(i, i + 1));
  return out;
}

/** Reassemble LF-terminated lines from chunks exactly as Transport.readLine does. */
export function linesFromChunks(chunks: readonly Buffer[]): Buffer[] {
  const q = new ByteQueue();
  const lines: Buffer[] = [];
  for (const c of chunks) {
    q.push(c);
    for (let idx = q.indexOf(0x0a); idx !== -1; idx = q.indexOf(0x0a)) lines.push(Buffer.from(q.take(idx + 1)));
  }
  return lines;
}
