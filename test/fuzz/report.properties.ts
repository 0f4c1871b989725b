/**
 * Property of the report renderers, for a short run in the unit suite and a long run in
 * `npm run fuzz`: a certificate's text fields (subject, SAN, issuer, verification error) come
 * from the server, so they can hold anything. Put random strings there (and into the finding
 * details and evidence that quote them, as diagnose does) and every renderer must keep them
 * inert: no raw control characters on the console (colour codes aside), well-formed XML in
 * JUnit, no element of their making in HTML or Markdown, and every renderer returns a string.
 */
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { summarize, SCHEMA_VERSION, type Finding, type PortReport, type Report } from '../../engine/report-types.js';
import { renderHtml } from '../../reports/html/index.js';
import { renderConsole, renderJunit, renderMarkdown } from '../../reports/index.js';

/** What a hostile certificate might carry, mixed into random text. */
const FRAGMENTS = [
  '<x-inject>', '</x-inject>', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '</td></tr></table>', '<!--', '-->', ']]>', '<![CDATA[',
  '&amp;', '&#0;', '&lt;', '"', "'", '`', '```', '|', '*', '_', '[a](javascript:alert(1))', '\\', '\u0000', '\u0007', '\u001b[2J', '\u001b]8;;x\u0007',
  '\u009b31m', '\r', '\n', '\t', '\u2028', '\u202e', '\u2066', '\ud800', '\udfff', '\ufffe', '\uffff', '😀', 'CN=', ', O=', '@', '%00', '${x}', '{{x}}',
];

const text = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 8 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
);

const certificateFields = fc.record({
  subject: text,
  issuer: text,
  san: fc.array(text, { maxLength: 4 }),
  error: fc.option(text, { nil: null }),
});

/** A diagnose report whose certificate text is `c`, quoted where diagnose quotes it. */
export function reportWith(c: { subject: string; issuer: string; san: readonly string[]; error: string | null }): Report {
  const certificate = { subject: c.subject, san: c.san, issuer: c.issuer, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', keyBits: 2048, chainLength: 2, trusted: c.error === null, error: c.error };
  const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', versions: ['TLSv1.2', 'TLSv1.3'], certificate };
  const ports: PortReport[] = [
    { port: 465, host: '192.0.2.1', expected: 'smtps', observed: 'tls', tls },
    { port: 25, host: '192.0.2.1', expected: 'smtp', observed: 'smtp-starttls', tls },
  ];
  const evidence = [`I: [0] ${c.subject} (issuer ${c.issuer}; 2026-01-01 .. 2027-01-01; rsa 2048)`, `I: SAN ${c.san.join(', ')}`];
  const findings: Finding[] = [
    { id: 'tls.cert.untrusted', severity: 'high', target: '192.0.2.1:465', port: 465, title: 'The certificate is not trusted', detail: `The chain ends at "${c.issuer}", whose issuer is not trusted (OpenSSL: ${c.error ?? 'none'}).`, fix: 'Install the full chain.', evidence },
    { id: 'tls.cert.hostname-mismatch', severity: 'medium', target: '192.0.2.1:25', port: 25, title: 'The certificate does not name the host', detail: `The certificate "${c.subject}" names ${c.san.join(', ') || 'nothing'}.`, fix: 'Add the name to the certificate.', evidence },
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'mailprobe', version: '0.0.0-fuzz' },
    command: 'diagnose',
    startedAt: '2026-06-01T00:00:00.000Z',
    durationMs: 1234,
    targets: ['192.0.2.1'],
    server: { 'smtps://192.0.2.1:465': { greeting: `220 ${c.subject}`, capabilities: c.san } },
    summary: summarize([]),
    checks: [],
    findings,
    ports,
  } as Report;
}

/** Controls a terminal acts on, C1 included, line/paragraph separators, bidi overrides, lone surrogates; newline and tab aside. */
const CONSOLE_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** What XML 1.0 forbids or discourages, as in reports/escape.ts. */
const FILE_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|\p{Cs}/u;
/** The SGR colour sequences chalk writes (the only escapes the console may contain, with colour on). */
const SGR = /\u001b\[[0-9;]*m/g;

/** A problem with one rendering, or undefined. */
export function checkRenderings(report: Report): string | undefined {
  for (const color of [false, true]) {
    const out = renderConsole(report, { color });
    const bare = color ? out.replace(SGR, '') : out;
    const bad = CONSOLE_UNSAFE.exec(bare);
    if (bad) return `console (color ${color}): raw ${JSON.stringify(bad[0])} at ${JSON.stringify(bare.slice(Math.max(0, bad.index - 30), bad.index + 10))}`;
  }
  const junit = renderJunit(report);
  const valid = XMLValidator.validate(junit);
  if (valid !== true) return `JUnit is not well-formed XML: ${JSON.stringify(valid.err)}`;
  if (FILE_UNSAFE.test(junit)) return 'JUnit holds a character XML forbids';
  const md = renderMarkdown(report);
  if (FILE_UNSAFE.test(md) || CONSOLE_UNSAFE.test(md)) return 'Markdown holds a raw control character';
  // Server text never becomes markup: none of the injected tags survives unescaped.
  for (const tag of ['<x-inject', '<img', '<script', '</td>', '<!--', '<![CDATA[']) if (md.includes(tag)) return `Markdown holds ${tag}`;
  const html = renderHtml(report, {});
  if (FILE_UNSAFE.test(html)) return 'HTML holds a raw control character';
  for (const tag of ['<x-inject', '<img', '</x-inject', '<!--', '<![CDATA[']) if (html.includes(tag)) return `HTML holds ${tag}`;
  // The page's own scripts only: as many <script elements as with harmless text.
  if (countOf(html, '<script') !== BASELINE_SCRIPTS) return `HTML has ${countOf(html, '<script')} <script elements, not ${BASELINE_SCRIPTS}`;
  return undefined;
}

function countOf(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

const BASELINE_SCRIPTS = countOf(renderHtml(reportWith({ subject: 'CN=mail.example.test', issuer: 'CN=CA', san: ['mail.example.test'], error: null }), {}), '<script');

export const reportProperties = {
  certificateText: () =>
    fc.property(certificateFields, (c) => {
      const problem = checkRenderings(reportWith(c));
      if (problem) throw new Error(problem);
      return true;
    }),
};
