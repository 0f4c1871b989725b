/** The HTML report: renderHtml and its options. */
export { renderHtml } from './render.js';

export type { HtmlOptions } from './render.js';
