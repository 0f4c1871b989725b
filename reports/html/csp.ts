/**
 * The report's Content-Security-Policy: nothing may load (default-src 'none'), and the only code
 * that runs or styles the page is the inline code the report ships, each element allowed by the
 * SHA-256 hash of its exact text (CSP Level 3 §8.3 "hash-source"). A `<script>` or `<style>` a
 * server smuggled into the page would not match, and would be refused even if escaping failed.
 */
import { createHash } from 'node:crypto';

/** The CSP source expression allowing an inline element whose text is `text`. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The inline code of a page: the text of each `<script>` (executable ones) and `<style>`. */
export interface InlineCode {
  readonly scripts: readonly string[];
  readonly styles: readonly string[];
}

/**
 * The policy for a `<meta http-equiv>` tag. `img-src data:` is for the empty `data:` favicon
 * (without it the browser would ask the server for /favicon.ico); base-uri and form-action are
 * not covered by default-src. Non-executable data blocks (`type="application/json"`) need no hash.
 */
export function contentSecurityPolicy(code: InlineCode): string {
  const sources = (texts: readonly string[]): string => (texts.length === 0 ? "'none'" : [...new Set(texts.map(cspHash))].join(' '));
  return [
    "default-src 'none'",
    `script-src ${sources(code.scripts)}`,
    `style-src ${sources(code.styles)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
