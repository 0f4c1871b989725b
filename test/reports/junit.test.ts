import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../engine/report-types.js';
import { renderJunit, type JunitOptions } from '../../reports/index.js';
import { HOSTILE, fixtureReport } from './fixtures.js';

type Node = Record<string, unknown>;

/** Parse back as a CI tool would; htmlEntities decodes numeric references (&#13;) too. */
function parse(report: Report, options?: JunitOptions): { xml: string; root: Node; suites: Node[] } {
  const xml = renderJunit(report, options);
  const parser = new XMLParser({
    ignoreAttributes: false,
    htmlEntities: true,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  const root = (parser.parse(xml) as Node)['testsuites'] as Node;
  return { xml, root, suites: root['testsuite'] as Node[] };
}

function cases(suite: Node | undefined): Node[] {
  return (suite?.['testcase'] as Node[] | undefined) ?? [];
}

function caseNamed(suites: Node[], prefix: string): Node {
  const found = suites.flatMap(cases).find((c) => String(c['@_name']).startsWith(prefix));
  if (!found) throw new Error(`no testcase ${prefix}`);
  return found;
}

describe('renderJunit', () => {
  const { xml, root, suites } = parse(fixtureReport());

  it('is well-formed XML with nothing XML 1.0 forbids', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    // fast-xml-parser's validator accepts control characters; check them here.
    expect(xml).not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/u);
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('<script>');
  });

  it('counts checks and findings on <testsuites>', () => {
    expect(root).toMatchObject({
      '@_name': 'mailprobe', '@_tests': '9', '@_failures': '2', '@_errors': '1', '@_skipped': '2', '@_time': '3.210',
    });
  });

  it('has one suite per protocol per target, then findings', () => {
    expect(suites.map((s) => [s['@_name'], s['@_tests'], s['@_failures'], s['@_errors'], s['@_skipped']])).toEqual([
      ['smtp smtp://127.0.0.1:25', '5', '1', '0', '2'],
      ['imap imap://127.0.0.1:143', '2', '0', '1', '0'],
      ['findings', '2', '1', '0', '0'],
    ]);
  });

  it('names test cases by id and title, classes by protocol and id prefix', () => {
    expect(caseNamed(suites, 'smtp.ehlo.multiline-format')).toMatchObject({
      '@_classname': 'smtp.ehlo', '@_name': 'smtp.ehlo.multiline-format: EHLO reply lines are well formed', '@_time': '0.012',
    });
    expect(caseNamed(suites, 'imap.capability')).toMatchObject({ '@_classname': 'imap.capability', '@_time': '1.500' });
  });

  it('maps fail, error, skip and inconclusive onto JUnit elements', () => {
    const fail = caseNamed(suites, 'smtp.fixture.fail')['failure'] as Node;
    expect(fail['@_type']).toBe('MUST');
    expect(fail['@_message']).toContain('expected 250, got 500');
    expect(fail['#text']).toMatch(/^RFC 5321 §4\.1\.1\.1 MUST \(my\.yaml:14\)\nexpected 250/);
    expect(caseNamed(suites, 'imap.fixture.error')['error']).toMatchObject({ '@_type': 'harness-error' });
    expect(caseNamed(suites, 'smtp.fixture.skip')['skipped']).toMatchObject({ '@_message': 'the server does not announce STARTTLS' });
    const inconclusive = caseNamed(suites, 'smtp.fixture.inconclusive');
    expect(inconclusive['skipped']).toMatchObject({ '@_message': 'inconclusive: 421 try again later' });
    expect(inconclusive['properties']).toEqual({ property: [{ '@_name': 'verdict', '@_value': 'inconclusive' }] });
  });

  it('passes a warn with its verdict as a property and its message in system-out', () => {
    const warn = caseNamed(suites, 'smtp.fixture.warn');
    expect(warn).not.toHaveProperty('failure');
    expect(warn).not.toHaveProperty('skipped');
    expect(warn['properties']).toEqual({ property: [{ '@_name': 'verdict', '@_value': 'warn' }] });
    expect(warn['system-out']).toContain('VRFY answered 502');
  });

  it('puts the timed transcript of a failure in system-out, hostile text intact', () => {
    const out = String(caseNamed(suites, 'smtp.fixture.fail')['system-out']);
    expect(out).toMatch(/^0\.000 C: line 0\n {2}0\.002 S: line 1\n/);
    const expected = HOSTILE.replace('\u0000', '\\x00').replace('\u001b', '\\x1b').replace('\u0007', '\\x07').replace('\uD800', '\\ud800');
    expect(out).toContain(`S: 500 ${expected}`);
    expect(caseNamed(suites, 'smtp.ehlo.multiline-format')).not.toHaveProperty('system-out');
  });

  it('keeps hostile text intact in attributes, CR and LF included', () => {
    const message = String((caseNamed(suites, 'smtp.fixture.fail')['failure'] as Node)['@_message']);
    expect(message).toContain('<script>alert(1)</script> ]]> a|b ``` x\\x00y\\x1b[31mz\\x07 \\ud800 & "q" \'s\' cr\rlf');
  });

  it('fails findings at or above failOn and passes the rest with their severity', () => {
    const expired = caseNamed(suites, 'tls.cert.expired');
    expect(expired).toMatchObject({ '@_classname': 'findings.tls.cert', failure: { '@_type': 'high' } });
    expect(String((expired['failure'] as Node)['#text'])).toContain('Fix: Renew it');
    const vrfy = caseNamed(suites, 'smtp.vrfy-enabled');
    expect(vrfy).not.toHaveProperty('failure');
    expect(vrfy['properties']).toMatchObject({ property: [{ '@_name': 'severity', '@_value': 'low' }, {}] });
    expect(parse(fixtureReport(), { failOn: 'low' }).root['@_failures']).toBe('3');
    expect(parse(fixtureReport(), { failOn: 'critical' }).root['@_failures']).toBe('1');
  });

  it('leaves the findings suite out when there are none', () => {
    const { suites: none } = parse(fixtureReport({ findings: [] }));
    expect(none.map((s) => s['@_name'])).not.toContain('findings');
  });

  it('marks an insecure, partial run on every suite', () => {
    const { suites: marked } = parse(fixtureReport({ insecure: true, partial: true }));
    for (const s of marked) {
      const props = (s['properties'] as { property: Node[] }).property.map((p) => `${String(p['@_name'])}=${String(p['@_value'])}`);
      expect(props).toEqual(expect.arrayContaining(['insecure=true', 'partial=true']));
    }
  });
});
