import { describe, expect, it } from 'vitest';
import {
  codeFence,
  escapeHtml,
  escapeMarkdown,
  escapeUnprintable,
  escapeXmlAttr,
  escapeXmlText,
  visibleEscape,
} from '../../reports/escape.js';

/** Everything XML 1.0 §2.2 forbids, plus DEL and C1. */
const XML_ILLEGAL = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|\p{Cs}/gu;
const EVERY_BMP_UNIT = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join('');

describe('visibleEscape', () => {
  it('uses the transcript notation', () => {
    expect(['\t', '\n', '\r', '\x00', '\x1b', '\x9b', '\uD800', '\u202E'].map(visibleEscape)).toEqual([
      '\\t', '\\n', '\\r', '\\x00', '\\x1b', '\\x9b', '\\ud800', '\\u202e',
    ]);
  });
});

describe('escapeXmlText / escapeXmlAttr', () => {
  it('escapes markup and keeps nothing XML 1.0 forbids, for every UTF-16 unit', () => {
    for (const escape of [escapeXmlText, escapeXmlAttr]) {
      // Compare the offending characters, not the 64K-character string, so a failure reads well.
      const out = escape(EVERY_BMP_UNIT);
      expect(out.match(XML_ILLEGAL) ?? []).toEqual([]);
      expect(out.match(/[<>"']/g) ?? []).toEqual([]);
      expect(out.match(/&(?!amp;|lt;|gt;|quot;|apos;|#9;|#10;|#13;)/g) ?? []).toEqual([]);
    }
  });

  it('keeps pairs, escapes lone halves', () => {
    expect(escapeXmlText('😀\uD800x\uDC00')).toBe('😀\\ud800x\\udc00');
  });

  it('keeps tab and LF in text, makes them references in attributes; CR is a reference in both', () => {
    expect(escapeXmlText('a\tb\nc\rd')).toBe('a\tb\nc&#13;d');
    expect(escapeXmlAttr('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
  });

  it('never leaves ]]>', () => {
    expect(escapeXmlText(']]>')).toBe(']]&gt;');
  });
});

describe('escapeUnprintable', () => {
  it('leaves no control, separator, bidi override or lone surrogate', () => {
    expect(escapeUnprintable(EVERY_BMP_UNIT).match(/[\x00-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu) ?? []).toEqual([]);
  });

  it('keeps ordinary text as it is', () => {
    expect(escapeUnprintable('RFC 5321 §4.1 — ok 😀')).toBe('RFC 5321 §4.1 — ok 😀');
  });
});

describe('escapeMarkdown', () => {
  it('escapes cell breakers, code, emphasis, links and HTML', () => {
    expect(escapeMarkdown('a|b `c` *d* _e_ [f](g) ~h~ <i> & \\')).toBe(
      'a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) \\~h\\~ &lt;i&gt; &amp; \\\\',
    );
  });

  it('turns line breaks into <br> and escapes a lone CR', () => {
    expect(escapeMarkdown('one\r\ntwo\nthree\rfour')).toBe('one<br>two<br>three\\\\rfour');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and controls', () => {
    expect(escapeHtml('<b a="1">\'&\x1b')).toBe('&lt;b a=&quot;1&quot;&gt;&#39;&amp;\\x1b');
  });
});

describe('codeFence', () => {
  it('is longer than any backtick run inside', () => {
    expect(codeFence(['plain'])).toBe('```');
    expect(codeFence(['a ``` b', '`````'])).toBe('``````');
  });
});
