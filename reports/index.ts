/**
 * The reporters: pure renderers of a Report (engine/report-types.ts) into the formats of
 * DESIGN.md. They compute no statistics; the caller writes the returned text where it belongs.
 */
export { renderJson } from './json.js';
export { renderJunit } from './junit.js';
export { MARKDOWN_MAX_BYTES, renderMarkdown } from './markdown.js';
export { renderCheckLine, renderConsole } from './console.js';
export { shouldColor } from './console-colors.js';
export { DEFAULT_FAIL_ON } from './severity.js';
export { certificateStatus, renderPortMatrix } from './diagnose-console.js';
export { renderPortsMarkdown } from './diagnose-markdown.js';

export { renderHtml } from './html/index.js';

export type { HtmlOptions } from './html/index.js';
export type { JunitOptions } from './junit.js';
export type { MarkdownOptions } from './markdown.js';
export type { CheckLineOptions, ConsoleOptions } from './console.js';
