/**
 * fast-check properties of the pure POP3 parsers. The suite runs them briefly; a fuzz script
 * can run them long: `fc.assert(pop3Properties.streamChunking(), { numRuns: 100_000 })`.
 */
import fc from 'fast-check';
import { MailprobeError } from '../../../drivers/errors.js';
import { dotStuff, MultilineReader } from '../../../drivers/pop3/multiline.js';
import { parseStatus } from '../../../drivers/pop3/status.js';
import { assembleLines, readResponses, splitAt } from './stream-harness.js';

/** Bytes that steer random input towards the interesting cases. */
const token = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 12 }) },
  {
    weight: 5,
    arbitrary: fc
      .constantFrom('+OK', '-ERR', '+OK ', '-ERR [SYS/TEMP] ', '+ ', '+', '.', '..', '...', '\r\n', '\n', '\r', ' ', '[', ']', '/', '\x00', '\xff', 'x')
      .map((s) => Buffer.from(s, 'latin1')),
  },
);
const stream = fc.array(token, { maxLength: 40 }).map((parts) => Buffer.concat(parts));

function onlyMailprobeErrors(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (err) {
    if (err instanceof MailprobeError) return true;
    throw err;
  }
}

export const pop3Properties = {
  /** Any line (terminated or not) parses or fails with EPROTOCOL; nothing else escapes. */
  statusParser: () =>
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), stream), (bytes) =>
      onlyMailprobeErrors(() => {
        try {
          parseStatus(Buffer.from(bytes));
        } catch (err) {
          if (err instanceof MailprobeError && err.code !== 'EPROTOCOL') throw new Error(`unexpected ${err.code}`);
          throw err;
        }
      }),
    ),

  /** Any line stream through the multi-line reader: a result or a MailprobeError (ELIMIT small cap). */
  multilineReader: () =>
    fc.property(stream, fc.integer({ min: 1, max: 64 }), (bytes, cap) =>
      onlyMailprobeErrors(() => {
        const reader = new MultilineReader(cap);
        for (const line of assembleLines([bytes]).lines) if (reader.push(line)) break;
        reader.result();
      }),
    ),

  /** How the bytes were chunked never changes what the responses are. */
  streamChunking: () =>
    fc.property(stream, fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 8 }), (bytes, cuts) => {
      const whole = readResponses(assembleLines([bytes]).lines, 128);
      const chunked = readResponses(assembleLines(splitAt(bytes, cuts)).lines, 128);
      return JSON.stringify(whole) === JSON.stringify(chunked);
    }),

  /** Stuffing then reading gives the content back byte for byte (plus a final CRLF if it lacked one). */
  stuffRoundTrip: () =>
    fc.property(stream, (content) => {
      const reader = new MultilineReader();
      for (const line of assembleLines([dotStuff(content)]).lines) reader.push(line);
      const back = Buffer.concat(reader.result().lines);
      const expected = content.length === 0 || content[content.length - 1] === 0x0a ? content : Buffer.concat([content, Buffer.from('\r\n')]);
      return reader.done && back.equals(expected);
    }),
};
