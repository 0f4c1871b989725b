import { describe, expect, it } from 'vitest';
import { assembleLines, readResponses, splitAt } from './stream-harness.js';

// A RETR reply and a pipelined NOOP: stuffed dots, 8-bit bytes, a bare CR inside a line, a
// line ending in a bare LF, and an empty line.
const WIRE = Buffer.concat([
  Buffer.from('+OK 120 octets\r\nSubject: caf', 'latin1'),
  Buffer.from([0xc3, 0xa9, 0xff, 0x00]),
  Buffer.from('\r\n\r\n..leading dot\r\n...two dots\r\nbare\rCR\r\nbare LF\n.\r\n-ERR [SYS/TEMP] later\r\n', 'latin1'),
]);

describe('multi-line responses split at every byte', () => {
  const reference = readResponses(assembleLines([WIRE]).lines);

  it('reads the reference stream as intended', () => {
    expect(reference).toHaveLength(2);
    const first = reference[0]!;
    expect(first.kind === 'reply' && Buffer.from(first.body ?? '', 'hex')).toEqual(
      Buffer.concat([
        Buffer.from('Subject: caf', 'latin1'),
        Buffer.from([0xc3, 0xa9, 0xff, 0x00]),
        Buffer.from('\r\n\r\n.leading dot\r\n..two dots\r\nbare\rCR\r\nbare LF\n', 'latin1'),
      ]),
    );
    expect(reference[1]).toMatchObject({ kind: 'reply', status: 'err', code: 'SYS/TEMP' });
  });

  it('gives the same responses for every single cut', () => {
    for (let cut = 1; cut < WIRE.length; cut++) {
      expect(readResponses(assembleLines(splitAt(WIRE, [cut])).lines), `cut at ${cut}`).toEqual(reference);
    }
  });

  it('gives the same responses fed one byte at a time', () => {
    const offsets = Array.from({ length: WIRE.length }, (_, i) => i);
    expect(readResponses(assembleLines(splitAt(WIRE, offsets)).lines)).toEqual(reference);
  });
});
