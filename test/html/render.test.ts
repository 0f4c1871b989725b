/**
 * renderHtml without a browser: the page's CSP allows exactly the inline code it ships (hashes
 * recomputed here from the document's own <script> and <style> text), nothing can load, server
 * text is escaped, the chart data is the report's numbers untouched, and the page is the same
 * for the same report.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDemoReport } from '../../bin/demo-report.js';
import type { Report } from '../../engine/report-types.js';
import { chartData, type PageChartData } from '../../reports/html/chart-data.js';
import { renderHtml } from '../../reports/html/index.js';
import { HOSTILE, fixtureReport } from '../reports/fixtures.js';
import { startBrowser } from './browser.js';
import { benchReport, checkReport, demoReport, diagnoseReport, imapBenchReport, mergedReport, shardReport } from './fixtures.js';

interface Parsed {
  readonly csp: Map<string, string[]>;
  readonly scripts: string[];
  readonly dataBlocks: string[];
  readonly styles: string[];
  /** The document with the text of every script and style element removed. */
  readonly markup: string;
}

/** The parts of a rendered page a CSP check needs (the renderer writes them in one fixed form). */
function parse(doc: string): Parsed {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(doc);
  const policy = (meta?.[1] ?? '').replace(/&#39;/g, "'");
  const csp = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name ?? '', values]));
  const blocks = [...doc.matchAll(/<(script|style)([^>]*)>([^]*?)<\/\1>/g)];
  return {
    csp,
    scripts: blocks.filter((b) => b[1] === 'script' && b[2] === '').map((b) => b[3] ?? ''),
    dataBlocks: blocks.filter((b) => b[1] === 'script' && b[2] !== '').map((b) => `${b[2]}>${b[3]}`),
    styles: blocks.filter((b) => b[1] === 'style').map((b) => b[3] ?? ''),
    markup: doc.replace(/<(script|style)([^>]*)>[^]*?<\/\1>/g, '<$1$2></$1>'),
  };
}

/** The text of the page's chart data block. */
const chartBlock = (doc: string): string => /<script type="application\/json" id="mp-data">([^<]*)<\/script>/.exec(doc)?.[1] ?? '';

/** The run each chart container of the page draws (its data-mp-bench), in page order. */
const chartRuns = (doc: string): string[] => [...doc.matchAll(/<div class="mp-chart" data-mp-chart="[a-z]+" data-mp-bench="([^"]*)">/g)].map((m) => m[1] ?? '');

/** Every id attribute of the page. */
const ids = (doc: string): string[] => [...doc.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1] ?? '');

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const REPORTS: [string, Report][] = [
  ['check', checkReport()],
  ['hostile check', fixtureReport()],
  ['diagnose', diagnoseReport()],
  ['bench', benchReport()],
  // Plain host names: the markup checks below would see `onerror=` in a hostile one's escaped
  // text; shards.test.ts checks that one is escaped.
  ['bench shard', shardReport()],
  ['merged bench', mergedReport()],
  ['demo', demoReport()],
];

describe('renderHtml: Content-Security-Policy', () => {
  it.each(REPORTS)('%s: allows exactly the inline scripts and styles of the page, and no load', (_, report) => {
    const doc = renderHtml(report);
    const p = parse(doc);
    expect(doc.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(doc.indexOf('<style'));
    expect(p.csp.get('default-src')).toEqual(["'none'"]);
    expect(p.csp.get('script-src')).toEqual(p.scripts.map(sha256));
    expect(p.csp.get('style-src')).toEqual(p.styles.map(sha256));
    expect(p.csp.get('img-src')).toEqual(['data:']);
    expect(p.csp.get('base-uri')).toEqual(["'none'"]);
    expect(doc).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes/);
    // The hashes match what the browser hashes: text after its CR/CRLF → LF normalisation.
    for (const text of [...p.scripts, ...p.styles]) expect(text).not.toContain('\r');
  });

  it.each(REPORTS)('%s: markup holds no handler, style attribute, external URL or stray element', (_, report) => {
    const { markup, dataBlocks } = parse(renderHtml(report));
    expect(markup).not.toMatch(/\son[a-z]+\s*=/i);
    expect(markup).not.toMatch(/\sstyle\s*=/i);
    expect(markup).not.toMatch(/\s(?:src|href|action|srcset|data)\s*=\s*"(?!#|data:,")/i);
    expect(markup).not.toMatch(/<(?:img|iframe|object|embed|link(?! rel="icon" href="data:,")|base|form(?! class="mp-filters")|textarea)\b/i);
    for (const block of dataBlocks) expect(block).toMatch(/^ type="application\/json" id="mp-data">[^<]*$/);
  });
});

describe('renderHtml: content', () => {
  it('escapes every server string and shows controls as visible escapes', () => {
    const doc = renderHtml(fixtureReport());
    expect(doc).not.toContain('<script>alert(1)</script>');
    expect(doc).toContain('&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; a|b ``` x\\x00y\\x1b[31mz\\x07 \\ud800 &amp; &quot;q&quot; &#39;s&#39;');
    expect(doc).not.toMatch(/[\x00-\x08\x0B-\x1F\x7F]|\p{Cs}/u);
    expect(HOSTILE).toContain('\r');
  });

  it('is the same page for the same report', () => {
    expect(renderHtml(benchReport())).toBe(renderHtml(benchReport()));
  });

  it('states the exit status only when given', () => {
    expect(renderHtml(checkReport())).not.toContain('Exit status');
    expect(renderHtml(checkReport(), { exitCode: 3 })).toContain('<dt>Exit status</dt><dd class="mp-exit mp-exit-bad">3 (a bench threshold was crossed)</dd>');
    expect(renderHtml(checkReport(), { exitCode: 0 })).toContain('<dd class="mp-exit mp-exit-ok">0 (all good)</dd>');
  });

  it('marks findings at or above --fail-on as failing the run', () => {
    const count = (doc: string) => doc.split('class="mp-fails"').length - 1;
    expect(count(renderHtml(diagnoseReport()))).toBe(2);
    expect(count(renderHtml(diagnoseReport(), { failOn: 'low' }))).toBe(4);
  });

  it('inlines the chart library only for bench reports', () => {
    const check = renderHtml(checkReport());
    const bench = renderHtml(benchReport());
    expect(check).not.toContain('uPlot');
    expect(check).not.toContain('id="mp-data"');
    expect(bench).toContain('MIT License');
    expect(parse(bench).scripts).toHaveLength(3);
    expect(check.length).toBeLessThan(60_000);
  });

  it('shows no chart, and ships no chart code, for a bench run with nothing to plot', () => {
    const base = benchReport();
    const doc = renderHtml({ ...base, bench: { ...base.bench!, metrics: {}, timeline: [] } });
    expect(doc).not.toContain('data-mp-chart');
    expect(doc).not.toContain('uPlot');
    expect(doc).toContain('Load: <code>smtp-send</code>');
  });
});

describe('renderHtml: a demo report with several bench runs', () => {
  const report = demoReport();
  const doc = renderHtml(report, { exitCode: 1 });
  /** The markup of the section with this id. */
  const section = (id: string): string => new RegExp(`<section id="${id}" class="mp-section">([^]*?)</section>`).exec(doc)?.[1] ?? '';

  it('renders a section per run, each with its heading, table, thresholds and charts', () => {
    expect(report.benches?.map((b) => b.scenario)).toEqual(['smtp-send', 'imap-session']);
    expect(report.bench).toBeUndefined();
    expect([...doc.matchAll(/<section id="(bench[^"]*)"/g)].map((m) => m[1])).toEqual(['bench-1', 'bench-2']);
    const smtp = section('bench-1');
    const imap = section('bench-2');
    expect(smtp).toMatch(/^\n<h2>Load 1 of 2: <code>smtp-send<\/code><\/h2>/);
    expect(imap).toMatch(/^\n<h2>Load 2 of 2: <code>imap-session<\/code><\/h2>/);
    expect(smtp).toContain('<code>smtp.data</code>');
    expect(smtp).not.toContain('imap.fetch');
    expect(imap).toContain('<th scope="row"><code>imap.fetch</code></th>');
    expect(imap).toContain('<dt>Mode</dt><dd>closed loop, 4 sessions</dd>');
    expect([...smtp.matchAll(/<tr data-ok="(true|false)"><td><code>([^<]*)<\/code>/g)].map((m) => `${m[2]} ${m[1]}`)).toEqual([
      'smtp.data:p99&lt;2ms false',
      'errors&lt;1% true',
      'iteration:rate&gt;190 true',
    ]);
    expect([...imap.matchAll(/<tr data-ok="(true|false)"><td><code>([^<]*)<\/code>/g)].map((m) => `${m[2]} ${m[1]}`)).toEqual(['imap.fetch:p99&lt;1s true']);
    for (const [id, body] of [['bench-1', smtp], ['bench-2', imap]] as const) {
      expect(chartRuns(body), id).toEqual([id, id, id]);
      expect(body, id).toContain('<table class="mp-table mp-metrics">');
      expect(body, id).toContain(`<h3 id="${id}-generator">Load generator</h3>`);
    }
  });

  it('embeds each run\'s chart data under its section\'s id, once, with the chart code once', () => {
    const data = JSON.parse(chartBlock(doc)) as PageChartData;
    expect(data).toEqual(JSON.parse(JSON.stringify({ 'bench-1': chartData(report.benches![0]!), 'bench-2': chartData(report.benches![1]!) })) as unknown);
    expect(data['bench-2']?.spectrum?.series.map((s) => s.name)).toEqual(['iteration', 'imap.connect', 'imap.login', 'imap.select', 'imap.fetch', 'imap.logout']);
    expect(doc.split('id="mp-data"')).toHaveLength(2);
    expect(parse(doc).scripts).toHaveLength(3);
    expect(doc).toContain('charts drawn with uPlot (MIT)');
  });

  it('keeps every id unique, and the header counts every run\'s thresholds and states the exit status', () => {
    const all = ids(doc);
    expect(all.length).toBeGreaterThan(6);
    expect(new Set(all).size).toBe(all.length);
    expect(doc).toContain('<dt>Thresholds</dt><dd><span class="mp-badge mp-state-good">3 pass</span> <span class="mp-badge mp-state-bad">1 fail</span></dd>');
    expect(doc).toContain('<dt>Exit status</dt><dd class="mp-exit mp-exit-bad">1 (a check failed, or a finding at or above --fail-on)</dd>');
  });

  it('warns of a saturated generator in the run it saturated, its scenario escaped', () => {
    const saturated = imapBenchReport({ scenario: '<img src=x onerror=alert(1)>', generator: { cpuPercent: 99, eventLoopDelayP99Ms: 90, saturated: true, reason: 'busy' } });
    const page = renderHtml(buildDemoReport([benchReport(), saturated]));
    const banners = [...page.matchAll(/<p class="mp-banner mp-banner-bad">([^]*?)<\/p>/g)].map((m) => m[1]);
    expect(banners[0]).toBe(
      `<strong>The load generator was the bottleneck</strong> in <code>&lt;img src=x onerror=alert(1)&gt;</code>: the numbers below show its limit, not the server's (<a href="#bench-2-generator">details</a>).`,
    );
    expect(banners).toHaveLength(2); // the header's and the run's own
    expect(page).not.toMatch(/<img\b/i);
    expect(page).toContain('<h2>Load 2 of 2: <code>&lt;img src=x onerror=alert(1)&gt;</code></h2>');
  });

  it('leaves out the data of a run with nothing to plot, and still shows its section', () => {
    const empty = imapBenchReport({ metrics: {}, timeline: [] });
    const page = renderHtml(buildDemoReport([benchReport(), empty]));
    expect(Object.keys(JSON.parse(chartBlock(page)) as PageChartData)).toEqual(['bench-1']);
    expect(chartRuns(page)).toEqual(['bench-1', 'bench-1', 'bench-1']);
    expect(page).toContain('<h2>Load 2 of 2: <code>imap-session</code></h2>');
  });
});

describe('chart data', () => {
  it('is the report\'s numbers as they are, in the page as parseable JSON', () => {
    const report = benchReport();
    const bench = report.bench!;
    const doc = renderHtml(report);
    const page = JSON.parse(chartBlock(doc)) as PageChartData;
    // The run's data under its section's id, which each of its chart containers names.
    expect(page).toEqual({ bench: JSON.parse(JSON.stringify(chartData(bench))) as unknown });
    expect(chartRuns(doc)).toEqual(['bench', 'bench', 'bench']);
    const data = page['bench']!;
    expect(data.spectrum?.x).toEqual([1, 2, 10, 100, 1000, 10000]);
    expect(data.spectrum?.ticks).toEqual(['min', '50%', '90%', '99%', '99.9%', 'max']);
    const data1 = data.spectrum?.series.find((s) => s.name === 'smtp.data');
    const l = bench.metrics['smtp.data']!.latencyMs;
    expect(data1?.y).toEqual([l.min, l.p50, l.p90, l.p99, l.p999, l.max]);
    expect(data.timeline?.t).toEqual(bench.timeline.map((p) => p.t));
    expect(data.timeline?.ops).toEqual(bench.timeline.map((p) => p.ops));
    expect(data.timeline?.p99).toEqual(bench.timeline.map((p) => p.p99Ms));
    expect(data.timeline?.step).toBe(1);
  });

  it('leaves out metrics without a successful sample and latencies a log axis cannot show', () => {
    const bench = benchReport().bench!;
    const failed = { ...bench.metrics['smtp.data']!, count: 5, errors: 5, latencyMs: { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 } };
    const data = chartData({
      ...bench,
      metrics: { 'smtp.data': failed, 'smtp.quit': bench.metrics['smtp.quit']! },
      timeline: [
        { t: 2, ops: 10, errors: 10, p50Ms: 0, p99Ms: 0 },
        { t: 4, ops: 10, errors: 0, p50Ms: 1, p99Ms: 2 },
      ],
    });
    expect(data.spectrum?.series.map((s) => s.name)).toEqual(['smtp.quit']);
    expect(data.timeline).toMatchObject({ step: 2, p50: [null, 1], p99: [null, 2], errors: [10, 0] });
    expect(chartData({ ...bench, metrics: {}, timeline: [] })).toEqual({});
  });
});

describe('browser tests', () => {
  it('fail with the package to install when Chromium is missing, never skip', async () => {
    await expect(startBrowser('/nonexistent/chromium')).rejects.toThrow(/^\/nonexistent\/chromium not found: .*"chromium" package \(apt-get install -y chromium/);
  });
});
