/** The HTML report's escaping: escape.ts additions and the `html` tag that applies them. */
import { describe, expect, it } from 'vitest';
import { escapeHtmlLines, escapeScriptJson } from '../../reports/escape.js';
import { cspHash, contentSecurityPolicy } from '../../reports/html/csp.js';
import { html, Html, join, lines } from '../../reports/html/markup.js';

const EVERY_BMP_UNIT = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join('');
const HOSTILE = ['<script>x()</script>', '</script><script>', '<!--', '<img src=x onerror="y()">', '</textarea>', ']]>', '"\'&', '\u2028\u2029', '\uD800', 'a\r\nb'];

describe('escapeHtmlLines', () => {
  it('keeps LF and CRLF as line breaks, escapes everything else like escapeHtml', () => {
    expect(escapeHtmlLines('a<b\r\nc&d\ne\rf\tg')).toBe('a&lt;b\nc&amp;d\ne\\rf\\tg');
  });

  it('leaves no markup and no control but LF, for every UTF-16 unit', () => {
    const out = escapeHtmlLines(EVERY_BMP_UNIT);
    expect(out.match(/[<>"']/g) ?? []).toEqual([]);
    expect(out.match(/[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu) ?? []).toEqual([]);
  });
});

describe('escapeScriptJson', () => {
  it('gives the value back through JSON.parse', () => {
    const value = { texts: [...HOSTILE, EVERY_BMP_UNIT], n: [1.5, -0, 1e300], nested: { '</script>': null } };
    expect(JSON.parse(escapeScriptJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('cannot end or comment out a script element, nor break a pre-ES2019 parser', () => {
    const out = escapeScriptJson(HOSTILE);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(out).toContain('\\u003c/script\\u003e');
    expect(escapeScriptJson(undefined)).toBe('null');
  });
});

describe('html tag', () => {
  it('escapes text and numbers, keeps markup, drops null/undefined/false, joins lists', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${['a', '<', 1]}${null}${undefined}${false}${0}</p>`.value).toBe(
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>a&lt;10</p>',
    );
  });

  it('never passes a string through as markup', () => {
    for (const text of HOSTILE) expect(html`${text}`.value).not.toMatch(/[<>]/);
    expect(html`${'</script>'}`).toBeInstanceOf(Html);
  });

  it('lines() keeps line breaks; join() escapes the separator and skips empties', () => {
    expect(lines('a\n<b>').value).toBe('a\n&lt;b&gt;');
    expect(join(['a', '', html`<br>`, null], ' & ').value).toBe('a &amp; <br>');
  });
});

describe('CSP', () => {
  it('hashes as the CSP specification does', () => {
    // CSP Level 3 §8.3 example: <script>alert('Hello, world.');</script>
    expect(cspHash("alert('Hello, world.');")).toBe("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='");
    // Over the UTF-8 bytes (C3 A9), as the browser hashes the element's text.
    expect(cspHash('é')).toBe("'sha256-SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw/biumnEw='");
  });

  it('allows only the given inline code, and no loads', () => {
    expect(contentSecurityPolicy({ scripts: ['a', 'a'], styles: [] })).toBe(
      `default-src 'none'; script-src ${cspHash('a')}; style-src 'none'; img-src data:; base-uri 'none'; form-action 'none'`,
    );
  });
});
