/**
 * Properties of the suite-file loader (engine/suite/loader.ts), for a short run in the unit
 * suite (test/fuzz/properties.test.ts) and a long run in `npm run fuzz`: whatever text a user
 * hands `mailprobe run`, parseSuite returns a suite or throws ESUITE naming `file:line`; never
 * another error (a TypeError from a half-valid structure, a stack overflow, a hang on aliases).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { isMailprobeError } from '../../drivers/errors.js';
import { parseSuite } from '../../engine/suite/loader.js';

/** Valid suites, one per protocol and feature family, to mutate. */
export const SUITE_SEEDS: readonly string[] = [
  `suite: smtp/seed
protocol: smtp
title: seed
checks:
  - id: smtp.seed.greeting
    title: greeting
    ref: RFC 5321 §4.2
    level: MUST
    steps:
      - expect: { code: 220, text: "^\\\\S+" }
  - id: smtp.seed.ehlo
    title: ehlo
    ref: RFC 5321 §4.1.1.1
    level: SHOULD
    start: greeted
    requires: [PIPELINING]
    roles: [mx, submission]
    timeout: 10s
    steps:
      - send: EHLO $client
        expect: { code: 250, includes: [PIPELINING], capture: { name: "^(\\\\S+)" } }
        because: the EHLO reply names the server
      - pipeline:
          - send: NOOP
            expect: { code: 250 }
          - send: { raw: "RSET\\r\\n" }
            expect: { code: 2xx, enhanced: 2.0.x }
      - send: QUIT
        expect: { code: 221, closed: true }
        else: warn
`,
  `suite: imap/seed
protocol: imap
checks:
  - id: imap.seed.select
    title: select
    ref: RFC 9051 §6.3.2
    level: MUST
    start: authenticated
    needs: [login]
    steps:
      - send: SELECT $mailbox
        expect: { tagged: OK, untagged: ["* $n EXISTS", "* OK [UIDVALIDITY $v] ..."], absent: ["* BYE"] }
      - send: APPEND $mailbox {5}
        literal: "hello"
        expect: { tagged: [OK, NO], code: TRYCREATE }
        silence: unmet
      - send: UID FETCH $n FLAGS
        conn: 2
        timeout: 500ms
        expect: { tagged: OK, only: true }
    cleanup:
      - send: CLOSE
      - close: true
`,
  `suite: pop3/seed
protocol: pop3
checks:
  - id: pop3.seed.capa
    title: capa
    ref: RFC 2449 §5
    level: MAY
    steps:
      - send: CAPA
        expect: { status: +OK, includes: [USER], excludes: [STLS], count: { min: 1, max: 50 }, each: "^\\\\S" }
      - sleep: 10ms
      - send: STLS
        expect: { status: +OK }
        tls: upgrade
      - send: STAT
        expect: { status: -ERR, none: false }
`,
];

const VOCABULARY = [
  'suite', 'protocol', 'title', 'checks', 'id', 'ref', 'level', 'requires', 'needs', 'roles', 'start', 'steps', 'cleanup', 'timeout',
  'send', 'literal', 'expect', 'pipeline', 'tls', 'close', 'sleep', 'conn', 'else', 'silence', 'because', 'raw',
  'code', 'enhanced', 'text', 'includes', 'excludes', 'tagged', 'continuation', 'untagged', 'absent', 'only', 'status', 'count',
  'each', 'capture', 'none', 'closed', 'min', 'max',
  'smtp', 'imap', 'pop3', 'MUST', 'SHOULD', 'MAY', 'OK', 'NO', 'BAD', '+OK', '-ERR', 'upgrade', 'true', 'false', 'null', '~',
  '250', '5xx', '2x', '99999999999999999999', '-1', '1e400', '.nan', '500ms', '3000000s', '1m', '$password', '$nope', '${user',
  'mx', 'login', 'rcpt', 'selected', 'greeted', 'fail', 'warn', 'skip', 'inconclusive', 'unmet',
  '"(" ', "'\\q'", '"\\x"', '&a', '*a', '<<', '!!binary', '!!js/function', '|', '>', '---', '...', '%YAML 1.2', '#', '?',
];
const PUNCTUATION = [':', ': ', '- ', '  ', '\n', '\n  ', '\n    ', '[', ']', '{', '}', ',', '"', "'", '\t', '\r', '\0', '\u00ff', '\ud800', '😀'];

const token = fc.oneof(fc.constantFrom(...VOCABULARY), fc.constantFrom(...PUNCTUATION), fc.string({ maxLength: 6 }));

/** A line-level edit of a seed. */
const edit = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.array(token, { maxLength: 6 }).map((t) => t.join('')) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), word: fc.nat(), text: token }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

interface Edit {
  readonly op: string;
  readonly at: number;
  readonly with?: number;
  readonly by?: number;
  readonly text?: string;
  readonly word?: number;
}

function applyEdits(seed: string, edits: readonly Edit[]): string {
  let lines = seed.split('\n');
  for (const e of edits) {
    const i = lines.length === 0 ? 0 : e.at % lines.length;
    switch (e.op) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 'swap': {
        const j = lines.length === 0 ? 0 : (e.with ?? 0) % lines.length;
        [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
        break;
      }
      case 'indent': {
        const line = lines[i] ?? '';
        lines[i] = (e.by ?? 0) >= 0 ? ' '.repeat(e.by ?? 0) + line : line.replace(new RegExp(`^ {0,${-(e.by ?? 0)}}`), '');
        break;
      }
      case 'insert':
        lines.splice(i, 0, e.text ?? '');
        break;
      case 'replace': {
        const words = (lines[i] ?? '').split(/(\s+|:|,|\[|\]|\{|\})/);
        if (words.length > 0) words[(e.word ?? 0) % words.length] = e.text ?? '';
        lines[i] = words.join('');
        break;
      }
      case 'truncate':
        lines = lines.slice(0, i);
        break;
    }
  }
  return lines.join('\n');
}

/** Random values shaped like suite content, serialised with the yaml package. */
const structured: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...VOCABULARY),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 10 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...VOCABULARY), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const suiteShaped = fc
  .record({
    suite: fc.oneof(fc.constantFrom('smtp/x', 'imap/x', 'pop3/x', 'X/Y'), fc.string({ maxLength: 8 })),
    protocol: fc.oneof(fc.constantFrom('smtp', 'imap', 'pop3'), structured),
    checks: fc.array(
      fc.record(
        {
          id: fc.oneof(fc.constantFrom('smtp.a.b', 'imap.a.b', 'pop3.a.b', 'a'), fc.string({ maxLength: 8 })),
          title: fc.string({ maxLength: 8 }),
          ref: fc.constant('RFC 1'),
          level: fc.constantFrom('MUST', 'SHOULD', 'MAY', 'MUSTY'),
          start: fc.constantFrom('connected', 'greeted', 'ehlo', 'tls', 'authenticated', 'selected', 'nowhere'),
          steps: fc.array(fc.dictionary(fc.constantFrom(...VOCABULARY), structured, { maxKeys: 4 }), { maxLength: 4 }),
          cleanup: fc.array(fc.dictionary(fc.constantFrom(...VOCABULARY), structured, { maxKeys: 3 }), { maxLength: 2 }),
        },
        { requiredKeys: ['id', 'level', 'steps'] },
      ),
      { maxLength: 3 },
    ),
  })
  .map((doc) => stringify(doc));

/** What the loader gets: mutated seeds, suite-shaped documents, token soup. */
export const suiteText = fc.oneof(
  fc.tuple(fc.constantFrom(...SUITE_SEEDS), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => applyEdits(seed, edits)),
  suiteShaped,
  fc.array(token, { maxLength: 40 }).map((t) => t.join('')),
);

/** How long one file may take to load or be refused (alias bombs are capped by the loader). */
export const SUITE_CASE_MS = 1000;

export const suiteProperties = {
  /** Every text: a suite, or ESUITE naming `file:line` with a line in the file; nothing else, quickly. */
  loader: () =>
    fc.property(suiteText, (text) => {
      const t0 = performance.now();
      try {
        const suite = parseSuite(text, 'fuzz.yaml');
        if (!['smtp', 'imap', 'pop3'].includes(suite.protocol) || suite.checks.length === 0) return false;
        if (suite.checks.some((c) => c.stepSources.length !== c.spec.steps.length || !/^fuzz\.yaml:\d+$/.test(c.source))) return false;
      } catch (err) {
        if (!isMailprobeError(err, 'ESUITE')) throw err;
        const m = /^fuzz\.yaml:(\d+): \S/.exec(err.message);
        if (!m) throw new Error(`ESUITE without file:line: ${JSON.stringify(err.message)}`);
        const line = Number(m[1]);
        if (line < 1 || line > text.split('\n').length + 1) throw new Error(`ESUITE line ${line} outside the file: ${err.message}`);
      }
      return performance.now() - t0 < SUITE_CASE_MS;
    }),

  /** The seeds themselves load (so mutations start from valid files). */
  seedsLoad: () =>
    fc.property(fc.constantFrom(...SUITE_SEEDS), (seed) => {
      parseSuite(seed, 'seed.yaml');
      return true;
    }),
};
