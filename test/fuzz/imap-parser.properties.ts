/**
 * Properties of the IMAP parsers, for a short run in the unit suite (test/drivers/imap/fuzz.test.ts)
 * and a long run in `npm run fuzz`: whatever bytes arrive, the tokenizer, the response parser
 * and the splitter return a result or throw a MailprobeError EPROTOCOL/ELIMIT; nothing else
 * (no TypeError, RangeError, stack overflow, hang).
 */
import fc from 'fast-check';
import { isMailprobeError } from '../../drivers/errors.js';
import { ResponseSplitter } from '../../drivers/imap/framer.js';
import { parseResponse } from '../../drivers/imap/response.js';
import { tokenizeResponse } from '../../drivers/imap/tokenizer.js';

/** Valid responses to mutate: one of each shape the parsers know. */
export const SEEDS: readonly string[] = [
  '* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n',
  'A1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n',
  'A2 NO [TRYCREATE] Mailbox doesn\'t exist: Foo\r\n',
  '+ idling\r\n',
  '* 12 FETCH (UID 4827313 FLAGS (\\Seen) RFC822.SIZE 44827 INTERNALDATE "17-Jul-1996 02:44:25 -0700" MODSEQ (12121231000))\r\n',
  '* 1 FETCH (ENVELOPE ("Wed, 17 Jul 1996" "subj" (("Terry" NIL "gray" "cac.washington.edu")) NIL NIL ((NIL NIL "imap" "x.edu")) NIL NIL NIL "<id@x>") BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1)("text" "html" NIL NIL NIL "7bit" 2 1) "alternative"))\r\n',
  '* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<0> {12}\r\nSubject: hi\n BODY[] {7}\r\n.\r\n\xff\x00x\r\n)\r\n',
  '* 1 FETCH (BINARY[1] ~{3}\r\n\x00\x01\x02 BINARY.SIZE[1] 3)\r\n',
  '* LIST (\\HasNoChildren) "/" {5}\r\nINBOX\r\n',
  '* STATUS "x y" (MESSAGES 2 UIDNEXT 3 HIGHESTMODSEQ 99999999999999999999)\r\n',
  '* SEARCH 1 2 3 (MODSEQ 5)\r\n',
  '* ESEARCH (TAG "A1") UID MIN 1 MAX 5 ALL 1:5\r\n',
  '* NAMESPACE (("" "/")) NIL NIL\r\n',
  '* ID ("name" "Dovecot")\r\n',
  '* VANISHED (EARLIER) 1:5\r\n',
  '* OK [PERMANENTFLAGS (\\Seen [css3-page] \\*)] ok\r\n',
];

const seedBytes = SEEDS.map((s) => Buffer.from(s, 'latin1'));

/** True when `fn` returns, or throws a MailprobeError with one of the parser codes. */
export function onlyParserErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (isMailprobeError(err) && (err.code === 'EPROTOCOL' || err.code === 'ELIMIT')) return true;
    throw err;
  }
}

/** A seed with some bytes replaced, inserted or deleted, and maybe cut short. */
export const mutatedResponse: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(...seedBytes),
    fc.array(
      fc.record({
        op: fc.constantFrom('replace', 'insert', 'delete'),
        at: fc.nat(),
        byte: fc.oneof(fc.constantFrom(0x28, 0x29, 0x5b, 0x5d, 0x7b, 0x7d, 0x22, 0x5c, 0x20, 0x0d, 0x0a, 0x00, 0x7e, 0x2b, 0x3c, 0x3e), fc.integer({ min: 0, max: 255 })),
      }),
      { maxLength: 6 },
    ),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([seed, edits, cut]) => {
    const bytes = [...seed];
    for (const e of edits) {
      const at = bytes.length === 0 ? 0 : e.at % bytes.length;
      if (e.op === 'replace' && bytes.length > 0) bytes[at] = e.byte;
      else if (e.op === 'insert') bytes.splice(at, 0, e.byte);
      else bytes.splice(at, 1);
    }
    const out = Buffer.from(bytes);
    return cut === undefined || out.length === 0 ? out : out.subarray(0, cut % (out.length + 1));
  });

export const randomBytes: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));

/** The tokenizer on any bytes: a tree or EPROTOCOL/ELIMIT. */
export const tokenizerProperty = fc.property(fc.oneof(mutatedResponse, randomBytes), (input) =>
  onlyParserErrors(() => tokenizeResponse(input, { maxNesting: 8, maxLiteralBytes: 1 << 20 })),
);

/** Tokenizer plus classification (FETCH map, LIST, STATUS, …) on any bytes. */
export const parserProperty = fc.property(fc.oneof(mutatedResponse, randomBytes), (input) =>
  onlyParserErrors(() => parseResponse(input, { maxNesting: 8, maxLiteralBytes: 1 << 20 })),
);

/** The splitter on any chunking of any bytes: responses or EPROTOCOL/ELIMIT, and each split the same. */
export const splitterProperty = fc.property(
  fc.array(fc.oneof(mutatedResponse, randomBytes), { maxLength: 4 }),
  fc.array(fc.nat(), { maxLength: 5 }),
  (parts, cuts) => {
    const stream = Buffer.concat(parts);
    const run = (chunks: Buffer[]): Buffer[] | string => {
      const s = new ResponseSplitter({ maxLineBytes: 4096, maxLiteralBytes: 1 << 16, maxReplyBytes: 1 << 17 });
      try {
        return chunks.flatMap((c) => s.push(c));
      } catch (err) {
        if (isMailprobeError(err) && (err.code === 'EPROTOCOL' || err.code === 'ELIMIT')) return err.code;
        throw err;
      }
    };
    const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let prev = 0;
    for (const p of points) {
      chunks.push(stream.subarray(prev, p));
      prev = p;
    }
    chunks.push(stream.subarray(prev));
    const whole = run([stream]);
    const split = run(chunks);
    return JSON.stringify(whole) === JSON.stringify(split);
  },
);

export interface FuzzOptions {
  numRuns: number;
  seed?: number;
}

/** Each property as a runner: throws fast-check's (shrunk) counterexample when it fails. */
export const PROPERTIES: Readonly<Record<'tokenizer' | 'parser' | 'splitter', (options: FuzzOptions) => void>> = {
  tokenizer: (options) => fc.assert(tokenizerProperty, options),
  parser: (options) => fc.assert(parserProperty, options),
  splitter: (options) => fc.assert(splitterProperty, options),
};
