/**
 * The code and styles an HTML report inlines: its own stylesheet and page scripts (files in
 * ./assets, copied next to the compiled module by scripts/copy-html-assets.mjs) and the uPlot
 * chart library, read from the installed `uplot` package with its licence. Read once per
 * process; every report of a run embeds the same text, so the CSP hashes stay the same too.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HtmlAssets {
  /** The report stylesheet (light, dark, print). */
  readonly css: string;
  /** Filters, expand/collapse, print: runs on every report. */
  readonly pageJs: string;
  /** Draws the bench charts with uPlot from the page's JSON data block. */
  readonly chartsJs: string;
  /** uPlot's IIFE build (defines the global `uPlot`), led by its MIT licence. */
  readonly uplotJs: string;
  readonly uplotCss: string;
}

let cached: HtmlAssets | undefined;

/** The assets, read on first use. Throws with the path and the fix when a file is missing. */
export function htmlAssets(): HtmlAssets {
  cached ??= loadAssets();
  return cached;
}

function loadAssets(): HtmlAssets {
  const own = (name: string): string => read(fileURLToPath(new URL(`./assets/${name}`, import.meta.url)), 'run "npm run build", which copies reports/html/assets into dist');
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  const uplot = (path: string): string => read(join(uplotDir, path), 'reinstall the "uplot" dependency (npm ci)');
  const licence = uplot('LICENSE').trim().replace(/\*\//g, '* /');
  return {
    css: own('report.css'),
    pageJs: own('page.js'),
    chartsJs: own('charts.js'),
    uplotJs: `/*! uPlot, bundled into this report.\n${licence}\n*/\n${uplot('dist/uPlot.iife.min.js').trim()}`,
    uplotCss: uplot('dist/uPlot.min.css').trim(),
  };
}

/**
 * A file's text as the browser will see it inline: the HTML parser turns CRLF and CR into LF
 * before a CSP hash is computed over the element's text, so the hash is taken over the same.
 */
function read(path: string, fix: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`HTML report asset missing: ${path} (${fix})`, { cause: err });
  }
  return text.replace(/\r\n?/g, '\n');
}
