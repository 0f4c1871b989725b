import { describe, expect, it } from 'vitest';
import { parseSuite } from '../../engine/suite/loader.js';
import { isMailprobeError } from '../../drivers/errors.js';

const HEAD = `suite: smtp/t
protocol: smtp
checks:
  - id: smtp.t.one
    title: one
    ref: RFC 5321 §4.2
    level: MUST
`;

function problem(text: string): string {
  try {
    parseSuite(text, 't.yaml');
  } catch (err) {
    if (isMailprobeError(err, 'ESUITE')) return err.message;
    throw err;
  }
  throw new Error('parsed');
}

describe('suite loader: every malformed file is ESUITE with file:line', () => {
  it.each([
    ['invalid YAML', `${HEAD}    steps: [\n`, /^t\.yaml:\d+: invalid YAML/],
    ['wrong level', HEAD.replace('level: MUST', 'level: MUSTY') + '    steps:\n      - expect: { code: 220 }\n', /^t\.yaml:7: .*must be one of MUST, SHOULD, MAY/],
    ['unknown step key, on its own line', `${HEAD}    steps:\n      - send: NOOP\n        txt: x\n`, /^t\.yaml:10: .*unknown field "txt"/],
    ['unknown check key', `${HEAD}    timeot: 5s\n    steps:\n      - expect: { code: 220 }\n`, /^t\.yaml:8: .*unknown field "timeot"/],
    ['empty file', '', /^t\.yaml:1: /],
    ['non-mapping root', '- a\n- b\n', /^t\.yaml:1: /],
    ['no steps', `${HEAD}    steps: []\n`, /^t\.yaml:8: /],
    ['IMAP field in SMTP', `${HEAD}    steps:\n      - send: NOOP\n        expect: { tagged: OK }\n`, /^t\.yaml:10: "tagged" is not an expectation for smtp/],
    ['bad code pattern', `${HEAD}    steps:\n      - send: NOOP\n        expect: { code: 2yz }\n`, /^t\.yaml:10: /],
    ['bad regex', `${HEAD}    steps:\n      - send: NOOP\n        expect: { text: "(" }\n`, /^t\.yaml:10: .*invalid regular expression/],
    ['bad escape in raw', `${HEAD}    steps:\n      - send: { raw: "NOOP\\\\q" }\n`, /^t\.yaml:9: .*unknown escape/],
    ['undefined variable', `${HEAD}    steps:\n      - send: "VRFY $nobody"\n`, /^t\.yaml:9: \$nobody is not defined/],
    ['$rcpt without needs', `${HEAD}    steps:\n      - send: "RCPT TO:<$rcpt>"\n`, /^t\.yaml:9: \$rcpt needs "needs: \[rcpt\]"/],
    ['duplicate id', `${HEAD}    steps:\n      - expect: { code: 220 }\n  - id: smtp.t.one\n    title: two\n    ref: x\n    level: MUST\n    steps:\n      - expect: { code: 220 }\n`, /^t\.yaml:10: duplicate check id/],
    ['id of another protocol', HEAD.replace('smtp.t.one', 'imap.t.one') + '    steps:\n      - expect: { code: 220 }\n', /^t\.yaml:4: check id "imap\.t\.one" must start with "smtp\."/],
    ['start state of another protocol', `${HEAD}    start: selected\n    steps:\n      - expect: { code: 220 }\n`, /^t\.yaml:8: start "selected" does not exist for smtp/],
    ['duration too long', `${HEAD}    timeout: 3000000s\n    steps:\n      - expect: { code: 220 }\n`, /^t\.yaml:8: .*24 days/],
    ['duplicate key', `${HEAD}    level: SHOULD\n    steps:\n      - expect: { code: 220 }\n`, /^t\.yaml:\d+: invalid YAML/],
    ['alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, /^t\.yaml:1: /],
    ['bad /regex/ in untagged', `suite: imap/t\nprotocol: imap\nchecks:\n  - id: imap.t.one\n    title: one\n    ref: x\n    level: MUST\n    steps:\n      - send: NOOP\n        expect: { untagged: ["/(/"] }\n`, /^t\.yaml:10: .*invalid regular expression/],
    ['closed inside a pipeline', `${HEAD}    steps:\n      - pipeline:\n          - send: NOOP\n            expect: { closed: true }\n`, /^t\.yaml:11: closed cannot be expected inside a pipeline/],
  ])('%s', (_name, text, message) => {
    expect(problem(text)).toMatch(message);
  });

  it('accepts a capture used later, and a variable captured by an untagged pattern', () => {
    const suite = parseSuite(
      `suite: imap/t\nprotocol: imap\nchecks:\n  - id: imap.t.one\n    title: one\n    ref: x\n    level: MUST\n    steps:\n      - send: STATUS INBOX (UIDNEXT)\n        expect: { untagged: ["* STATUS INBOX (UIDNEXT $next)"] }\n      - send: UID FETCH $next FLAGS\n`,
      't.yaml',
    );
    expect(suite.checks[0]!.stepSources).toEqual(['t.yaml:9', 't.yaml:11']);
  });
});
