/**
 * Hostile server text in the HTML report: a scripted SMTP server whose greeting, EHLO keywords
 * and replies carry markup runs through `mailprobe run --json` and `mailprobe report --html`;
 * and a report with the same payloads in every other string a server (or a file) supplies:
 * certificate fields, finding evidence, bench error samples, metric names. In Chromium the
 * payloads read as text, no element they describe exists, no script of theirs runs, and the
 * CSP has nothing to refuse.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as report } from '../../bin/commands/report.js';
import { main } from '../../bin/main.js';
import type { Report } from '../../engine/report-types.js';
import { renderHtml } from '../../reports/html/index.js';
import { fakeIo } from '../helpers/cli.js';
import { scriptServer, type ScriptServer } from '../helpers/script-server.js';
import { chartInk, SCREENSHOT_DIR, startBrowser, type ReportBrowser } from './browser.js';
import { benchReport, diagnoseReport } from './fixtures.js';

const PAYLOADS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">', '</textarea>', '</script>', ']]>'];
const EVIL = PAYLOADS.join(' ');

let browser: ReportBrowser;
let server: ScriptServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-html-xss-'));
  browser = await startBrowser();
  server = await scriptServer(async (socket, ctx) => {
    socket.write(`220 ${EVIL}\r\n`);
    while (!socket.destroyed) {
      const line = (await ctx.readLine(socket)).trim().toUpperCase();
      if (line.startsWith('EHLO')) socket.write(`250-mx ${EVIL}\r\n250-X-${EVIL}\r\n250 8BITMIME\r\n`);
      else if (line === 'QUIT') {
        socket.end(`221 ${EVIL}\r\n`);
        return;
      } else socket.write(`500 5.5.2 ${EVIL}\r\n`);
    }
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The page is as the report left it: no payload ran, none became an element, nothing was refused. */
async function expectInert(page: Page, problems: () => Promise<string[]>): Promise<void> {
  expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
  expect(await page.locator('img, textarea, [onerror]').count()).toBe(0);
  // The JSON data block (bench) and the report's own scripts, nothing else.
  const scripts = await page.locator('script').evaluateAll((list) => list.map((s) => String(s.type || s.id || 'inline')));
  expect(scripts.every((s) => s === 'inline' || s === 'application/json')).toBe(true);
  expect(await problems()).toEqual([]);
}

const SUITE = `suite: smtp/hostile
protocol: smtp
checks:
  - id: smtp.hostile.greeting
    title: the greeting is 220
    ref: RFC 5321 §4.2
    level: MUST
    steps:
      - expect: { code: 220 }
  - id: smtp.hostile.noop
    title: NOOP answers 250
    ref: RFC 5321 §4.1.1.9
    level: MUST
    steps:
      - send: NOOP
        expect: { code: 250 }
`;

describe('HTML report with a hostile server', () => {
  it('renders what a scripted server said as text, end to end through the CLI', async () => {
    const suite = join(dir, 'hostile.yaml');
    const json = join(dir, 'hostile.json');
    const out = join(dir, 'hostile.html');
    await writeFile(suite, SUITE);
    const url = `smtp://127.0.0.1:${server.port}`;
    const io = fakeIo();
    expect(await main(['run', suite, url, '--timeout', '5s', '--json', json], io), io.err()).toBe(1);
    expect(await report([json, '--html', out, '--exit-code', '1'], fakeIo())).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).not.toContain(PAYLOADS[0]);
    expect(html).not.toMatch(/<img/i);

    const { page, problems } = await browser.open('xss-cli', html);
    await page.getByRole('button', { name: 'Expand all' }).click();
    await expectInert(page, problems);
    expect(await page.locator('.mp-servers td .mp-wire').textContent()).toBe(`220 ${EVIL}`);
    // The EHLO keyword comes back upper-cased (`X-<SCRIPT>…`): still markup, had it not been escaped.
    const saved = JSON.parse(await readFile(json, 'utf8')) as Report;
    const keyword = saved.server[url]?.capabilities[0] ?? '';
    expect(keyword).toMatch(/^X-<SCRIPT>.*<img src=x onerror=/);
    expect(await page.locator('.mp-caps li').first().textContent()).toBe(keyword);
    const noop = page.locator('tbody.mp-check[data-status="fail"]');
    expect(await noop.locator('.mp-message').textContent()).toContain(EVIL);
    const lines = await noop.locator('pre.mp-transcript .mp-dir-S').allTextContents();
    expect(lines.some((l) => l.endsWith(`S: 500 5.5.2 ${EVIL}`))).toBe(true);
    expect(await page.locator('.mp-exit').textContent()).toMatch(/^1 /);
  });

  it('renders hostile certificates, findings, check fields and bench strings as text', async () => {
    const html = renderHtml(poisoned(), { exitCode: 1 });
    const { page, problems } = await browser.open('xss-report', html);
    await page.getByRole('button', { name: 'Expand all' }).click();
    await page.locator('details').evaluateAll((list) => list.forEach((d) => (d.open = true)));
    // Hover the charts: their legends show the (hostile) metric names and values.
    for (const chart of await page.locator('[data-mp-chart] .u-over').all()) await chart.hover();
    await expectInert(page, problems);

    const text = (await page.locator('body').textContent()) ?? '';
    for (const payload of PAYLOADS) expect(text).toContain(payload);
    expect(await page.locator('.mp-cert dd code').first().textContent()).toBe(`CN=${EVIL}`);
    expect(await page.locator('.mp-evidence .mp-line').first().textContent()).toBe(EVIL);
    expect(await page.locator('table.mp-errors td code.mp-wire').textContent()).toBe(`451 ${EVIL}`);
    expect(await page.locator('[data-mp-chart="spectrum"] .u-legend').textContent()).toContain(`smtp.${EVIL}`);
    expect((await chartInk(page))['spectrum']!.drawn).toBe(true);
    expect(await page.title()).toContain(EVIL);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'xss.png'), fullPage: true });
  });
});

describe('the page\'s Content-Security-Policy', () => {
  it('is in force: an injected inline script, image or fetch is refused', async () => {
    const { page, problems } = await browser.open('csp-in-force', renderHtml(benchReport()));
    expect(await problems()).toEqual([]);
    // What markup that slipped past escaping could try: none of it runs or loads.
    await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = 1';
      document.body.append(s);
      const img = document.createElement('img');
      img.src = 'http://127.0.0.1:9/x.png';
      document.body.append(img);
      fetch('http://127.0.0.1:9/').catch(() => {});
    })()`);
    await expect.poll(async () => (await problems()).filter((p) => p.startsWith('CSP violation')).length).toBe(3);
    const violations = (await problems()).filter((p) => p.startsWith('CSP violation'));
    expect(violations.map((v) => v.split(':')[1]?.trim()).sort()).toEqual(['connect-src', 'img-src', 'script-src-elem']);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
  });
});

/** Every free-text string of a check, diagnose and bench report carrying the payloads. */
function poisoned(): Report {
  const d = diagnoseReport();
  const b = benchReport();
  const bench = b.bench!;
  const cert = d.ports![1]!.tls!;
  return {
    ...d,
    targets: [`smtp://${EVIL}:25`],
    server: { [`smtp://${EVIL}`]: { greeting: `220 ${EVIL}`, capabilities: [EVIL] } },
    checks: [
      {
        id: `smtp.${EVIL}`,
        protocol: 'smtp',
        target: EVIL,
        title: EVIL,
        ref: EVIL,
        level: 'MUST',
        status: 'fail',
        message: `${EVIL}\n${EVIL}`,
        durationMs: 1,
        transcript: [
          { t: 0, dir: 'S', text: `220 ${EVIL}` },
          { t: 1, dir: 'C', text: `EHLO ${EVIL}` },
          { t: 2, dir: 'I', text: EVIL },
        ],
        source: `${EVIL}.yaml:1`,
      },
    ],
    summary: { pass: 0, fail: 1, warn: 0, skip: 0, inconclusive: 0, error: 0 },
    ports: [
      {
        port: 465,
        host: EVIL,
        expected: EVIL,
        observed: 'tls',
        tls: { ...cert, version: EVIL, cipher: EVIL, versions: [EVIL], certificate: { ...cert.certificate!, subject: `CN=${EVIL}`, issuer: EVIL, san: [EVIL], error: EVIL } },
      },
      { port: 25, host: 'other', expected: 'smtp', observed: 'closed' },
    ],
    findings: d.findings.map((f) => ({ ...f, id: `${f.id}.${EVIL}`, target: EVIL, title: EVIL, detail: EVIL, fix: EVIL, evidence: [EVIL, `S: ${EVIL}`] })),
    bench: {
      ...bench,
      scenario: EVIL,
      metrics: Object.fromEntries(Object.entries(bench.metrics).map(([name, m]) => [`smtp.${EVIL}${name}`, m])),
      thresholds: bench.thresholds.map((t) => ({ ...t, expr: EVIL, note: EVIL })),
      errors: { [EVIL]: 3 },
      errorSamples: { [EVIL]: [`451 ${EVIL}`] },
      abortedBy: EVIL,
      generator: { ...bench.generator, saturated: true, reason: EVIL },
    },
  };
}
