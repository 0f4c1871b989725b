/**
 * Escaping for every output format, in one place. Reports show server-supplied text (greetings,
 * replies, transcripts) and a hostile or broken server can put anything there: control bytes,
 * markup, lone surrogates. Each function here makes such text inert in one output context.
 *
 * Unsafe characters are not dropped but shown as visible escapes (`\x1b`, `\ud800`), the same
 * notation drivers/transcript.ts uses for raw wire bytes, so a reader sees what the server sent.
 */

/**
 * Characters XML 1.0 §2.2 forbids (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/FFFF)
 * plus DEL and the C1 controls, which are legal but "discouraged" and which some CI log viewers
 * pass on to a terminal. With the `u` flag `\p{Cs}` matches only unpaired surrogates.
 */
const XML_UNSAFE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|\p{Cs}/gu;

/**
 * Characters that can change how text displays rather than what it says: every C0 and C1 control
 * (ESC starts terminal sequences, CR rewrites the line, C1 0x9b is a one-byte CSI), the Unicode
 * line separators, the bidirectional overrides and isolates (CVE-2021-42574 "Trojan Source"),
 * non-characters and unpaired surrogates (which UTF-8 cannot encode).
 */
const DISPLAY_UNSAFE = /[\x00-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|\p{Cs}/gu;

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // XML 2.11 turns a CR in text into LF; a character reference survives.
  '\r': '&#13;',
  // XML 3.3.3 normalises tab and LF in attribute values to spaces; references survive.
  '\t': '&#9;',
  '\n': '&#10;',
};

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** One character as a visible escape: `\t \n \r`, `\xNN` up to U+00FF, `\uNNNN` above. */
export function visibleEscape(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0x09) return '\\t';
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * Text with every control, line separator, bidi override and lone surrogate shown as a visible
 * escape. Safe for a terminal (nothing can move the cursor or change colours) and for the inside
 * of a Markdown fenced code block. Split multi-line text first: `\n` is escaped too.
 */
export function escapeUnprintable(text: string): string {
  return text.replace(DISPLAY_UNSAFE, visibleEscape);
}

/** Text content of an XML element: entities for markup and CR, visible escapes for what XML forbids. */
export function escapeXmlText(text: string): string {
  return text.replace(XML_UNSAFE, visibleEscape).replace(/[&<>"'\r]/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/** An XML attribute value (double-quoted): as text, and tab/LF as references so they survive. */
export function escapeXmlAttr(text: string): string {
  return text.replace(XML_UNSAFE, visibleEscape).replace(/[&<>"'\r\n\t]/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/**
 * Text inside raw HTML (a `<summary>` in Markdown, an HTML report's element or double- or
 * single-quoted attribute value): entities, and controls made visible.
 */
export function escapeHtml(text: string): string {
  return escapeUnprintable(text).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/**
 * Multi-line HTML text (a finding's detail, a check's message): as {@link escapeHtml} per line,
 * the line breaks (LF, CRLF) kept as LF for an element with `white-space: pre-wrap` to show. A
 * lone CR is not a line break here but shown as `\r`, as in transcripts: a bare CR from a server
 * is worth seeing.
 */
export function escapeHtmlLines(text: string): string {
  return text.split(/\r?\n/).map(escapeHtml).join('\n');
}

/** `<`, `>`, `&` and the JS line terminators as `\uXXXX` inside JSON strings (JSON allows them anywhere a string is). */
const SCRIPT_JSON_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * A value as JSON that is inert inside an HTML `<script>` element: no `</script`, `<!--` or
 * `<script` can appear (HTML §4.12.1.3 script data states), so server text in the data cannot
 * end the element; U+2028/9 are escaped too, for parsers older than ES2019. `JSON.parse` of the
 * element's text gives the value back. `undefined` (not JSON) becomes `null`.
 */
export function escapeScriptJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(SCRIPT_JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Inline Markdown text, safe in a GFM table cell: `&`, `<`, `>` as entities (GitHub renders
 * inline HTML), and the punctuation that starts code spans, emphasis, links, strikethrough or
 * ends a cell backslash-escaped (CommonMark §2.4 lets any ASCII punctuation be escaped; GFM
 * splits table rows before inline parsing and honours `\|` even inside code spans).
 * Line breaks become `<br>`, the only line break a table cell can hold.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) =>
      escapeUnprintable(line)
        .replace(/[\\`*_[\]|~]/g, '\\$&')
        .replace(/[&<>]/g, (ch) => HTML_ENTITIES[ch] ?? ch),
    )
    .join('<br>');
}

/**
 * The fence for a Markdown code block holding `lines`: one backtick longer than the longest
 * backtick run inside (CommonMark §4.5: only a fence at least as long closes the block), so
 * text containing ``` cannot end the block early.
 */
export function codeFence(lines: readonly string[]): string {
  let longest = 0;
  for (const line of lines) {
    for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  }
  return '`'.repeat(Math.max(3, longest + 1));
}
