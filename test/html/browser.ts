/**
 * Real-browser harness for the HTML report tests: Debian's Chromium driven by playwright-core,
 * with a fresh profile, background networking off, and the reports served from memory by an
 * HTTP server on 127.0.0.1 port 0 that records every request. A page that asks for anything but
 * itself, logs an error, throws, or violates its Content-Security-Policy shows up in
 * `problems()`. One browser per test file: start in beforeAll, close in afterAll.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Where screenshots go (gitignored); CI can keep them as artifacts. */
export const SCREENSHOT_DIR = resolve('test-output', 'html');

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface OpenedPage {
  readonly page: Page;
  readonly url: string;
  /** Console errors and warnings, page errors, CSP violations, requests for anything but the page. */
  problems(): Promise<string[]>;
}

export interface OpenOptions {
  readonly colorScheme?: 'light' | 'dark';
  readonly width?: number;
  /** False: the page's scripts do not run (what a reader with JavaScript off sees). */
  readonly javaScript?: boolean;
}

export interface ReportBrowser {
  open(name: string, html: string, options?: OpenOptions): Promise<OpenedPage>;
  /** Every path the HTTP server was asked for. */
  readonly served: readonly string[];
  close(): Promise<void>;
}

/** Starts Chromium (`executablePath` for the missing-browser test only); throws naming the package when it is not installed. */
export async function startBrowser(executablePath = CHROMIUM): Promise<ReportBrowser> {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: the HTML report tests need Debian's "chromium" package (apt-get install -y chromium; .ci/run installs it)`);
  }
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const pages = new Map<string, string>();
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    served.push(req.url ?? '');
    const body = pages.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = await mkdtemp(join(tmpdir(), 'mailprobe-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS, timeout: 60_000 });
  } catch (err) {
    server.close();
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  // Runs before any page script, outside the page's CSP (injected by the browser, not the page).
  await context.addInitScript({ content: CSP_RECORDER });
  return {
    served,
    async open(name, html, options = {}) {
      const path = `/${name}.html`;
      pages.set(path, html);
      const url = origin + path;
      const page = await context.newPage();
      // Fail an assertion on a missing element in seconds, well within the test's timeout.
      page.setDefaultTimeout(5_000);
      await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light' });
      await page.setViewportSize({ width: options.width ?? 1280, height: 900 });
      if (options.javaScript === false) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      }
      const seen: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') seen.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (r.url() !== url) seen.push(`request: ${r.url()}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      return {
        page,
        url,
        async problems() {
          const csp = await page.evaluate<string[]>('window.__csp || []');
          return [...seen, ...csp.map((v) => `CSP violation: ${v}`)];
        },
      };
    },
    async close() {
      await context.close();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface ChartInk {
  /** charts.js marked the container drawn (uPlot's draw hook ran). */
  readonly drawn: boolean;
  readonly width: number;
  readonly height: number;
  /** Non-transparent pixels. */
  readonly ink: number;
  /** Pixels of the first series colour (`--series-0`): a line was drawn, not only axes. */
  readonly seriesPixels: number;
}

/**
 * What each chart canvas of the page holds, keyed by the chart's name; with `run`, only the
 * charts of that bench run (`data-mp-bench`, e.g. `bench-2` of a demo report).
 */
export function chartInk(page: Page, run?: string): Promise<Record<string, ChartInk>> {
  const selector = run === undefined ? '[data-mp-chart]' : `[data-mp-chart][data-mp-bench="${run}"]`;
  return page.evaluate<Record<string, ChartInk>>(CHART_INK.replace('SELECTOR', JSON.stringify(selector)));
}

/*
 * In-page code is plain JavaScript in strings: the project compiles without the DOM library, so
 * functions written here could not name document or window.
 */

/** Init script: collects securitypolicyviolation events in window.__csp. */
const CSP_RECORDER = `
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ': ' + e.blockedURI + ' ' + e.sample);
});
`;

const CHART_INK = `(() => {
  const out = {};
  const hex = getComputedStyle(document.documentElement).getPropertyValue('--series-0').trim();
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  for (const el of document.querySelectorAll(SELECTOR)) {
    const name = el.getAttribute('data-mp-chart');
    const drawn = el.getAttribute('data-mp-drawn') === 'true';
    const canvas = el.querySelector('canvas');
    if (!canvas) {
      out[name] = { drawn, width: 0, height: 0, ink: 0, seriesPixels: 0 };
      continue;
    }
    // Read a copy: reading uPlot's own canvas back makes Chromium warn (willReadFrequently).
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let ink = 0;
    let seriesPixels = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0) ink++;
      if (data[i + 3] > 200 && Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) seriesPixels++;
    }
    out[name] = { drawn, width: canvas.width, height: canvas.height, ink, seriesPixels };
  }
  return out;
})()`;
