/**
 * The page shell: doctype, the CSP meta tag first in <head> (before anything it governs), the
 * inline styles, the body, then the JSON data block and the inline scripts at the end of the
 * body, so the tables are in the document before any script runs.
 */
import { escapeScriptJson } from '../escape.js';
import { contentSecurityPolicy } from './csp.js';
import { html, Html } from './markup.js';

export interface PageParts {
  readonly title: string;
  /** For `<meta name="generator">`. */
  readonly generator: string;
  readonly body: Html;
  /** Stylesheets, inlined in order. */
  readonly styles: readonly string[];
  /** Scripts, inlined in order at the end of the body. */
  readonly scripts: readonly string[];
  /** Data for the scripts: a `<script type="application/json" id="mp-data">` block when present. */
  readonly data?: unknown;
}

/** The whole document, ending in a newline. */
export function page(parts: PageParts): string {
  for (const s of parts.scripts) assertInline(s, 'script');
  for (const s of parts.styles) assertInline(s, 'style');
  const csp = contentSecurityPolicy({ scripts: parts.scripts, styles: parts.styles });
  const data = parts.data === undefined ? '' : html`<script type="application/json" id="mp-data">${new Html(escapeScriptJson(parts.data))}</script>\n`;
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${parts.generator}">
<title>${parts.title}</title>
<link rel="icon" href="data:,">
${parts.styles.map((s) => html`<style>${new Html(s)}</style>\n`)}</head>
<body>
${parts.body}
${data}${parts.scripts.map((s) => html`<script>${new Html(s)}</script>\n`)}</body>
</html>
`;
  return doc.value;
}

/**
 * Inline code is trusted (it ships with mailprobe) but must still not end its element early or
 * open an HTML comment in script data (HTML §4.12.1.3); a library update that did would break the
 * page, so it fails here instead. CR is normalised by the parser before hashing: none allowed.
 */
function assertInline(text: string, element: 'script' | 'style'): void {
  const bad = element === 'script' ? /<\/script|<!--|<script|\r/i : /<\/style|\r/i;
  const m = bad.exec(text);
  if (m) throw new Error(`inline ${element} contains ${JSON.stringify(m[0])} at ${m.index}: it cannot be inlined as is`);
}
