/**
 * The HTML report of a check, a diagnose and a bench run, loaded in Chromium: no console errors,
 * no CSP violations, no request but the page itself; failure details expand on click; filters
 * hide rows; the charts are drawn; print hides the filters and opens the failures; without
 * JavaScript the tables are all there. Screenshots go to test-output/html/.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../reports/html/index.js';
import { chartInk, SCREENSHOT_DIR, startBrowser, type ReportBrowser } from './browser.js';
import { benchReport, checkReport, demoReport, diagnoseReport } from './fixtures.js';

let browser: ReportBrowser;
beforeAll(async () => {
  browser = await startBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('check report in Chromium', () => {
  it('loads clean, expands a failure on click, colours the transcript', async () => {
    const { page, problems } = await browser.open('check', renderHtml(checkReport(), { exitCode: 1 }));
    expect(await problems()).toEqual([]);
    await expect.poll(() => page.locator('form[data-mp-filters]').isVisible()).toBe(true);

    const failure = page.locator('tbody.mp-check[data-status="fail"]').first();
    const details = failure.locator('details.mp-details');
    const transcript = details.locator('pre.mp-transcript');
    expect(await details.getAttribute('open')).toBeNull();
    expect(await transcript.isVisible()).toBe(false);
    await details.locator('summary').click();
    expect(await details.getAttribute('open')).toBe('');
    expect(await transcript.isVisible()).toBe(true);
    expect(await details.textContent()).toContain('RFC 5321 §2.3.8');
    expect(await transcript.locator('.mp-dir-S').last().textContent()).toMatch(/S: 250 2\.0\.0 Ok: queued as 4Zx1$/);
    const colour = (dir: string) => transcript.locator(`.mp-dir-${dir}`).first().evaluate((e) => String(e.ownerDocument.defaultView.getComputedStyle(e).color));
    const [c, s, i] = await Promise.all([colour('C'), colour('S'), colour('I')]);
    expect(new Set([c, s, i]).size).toBe(3);

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'check.png'), fullPage: true });
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it('filters rows by verdict and protocol', async () => {
    const report = checkReport();
    const { page, problems } = await browser.open('check-filters', renderHtml(report));
    const rows = page.locator('tbody.mp-check');
    const visible = () => rows.evaluateAll((list) => list.filter((r) => !r.hidden).map((r) => `${r.dataset.status}:${r.dataset.protocol}`));
    expect(await visible()).toHaveLength(report.checks.length);
    expect(await page.locator('[data-mp-shown]').textContent()).toBe(`showing all ${report.checks.length}`);

    await page.locator('input[name="status"][value="pass"]').uncheck();
    const noPass = await visible();
    expect(noPass).toHaveLength(report.checks.filter((c) => c.status !== 'pass').length);
    expect(noPass.some((r) => r.startsWith('pass:'))).toBe(false);
    expect(await rows.filter({ has: page.locator('.mp-status-pass') }).first().isVisible()).toBe(false);

    await page.locator('select[name="protocol"]').selectOption('imap');
    expect(await visible()).toEqual(['fail:imap']);
    expect(await page.locator('[data-mp-group="smtp"]').isVisible()).toBe(false);
    expect(await page.locator('[data-mp-shown]').textContent()).toBe(`showing 1 of ${report.checks.length}`);

    await page.locator('input[name="status"][value="fail"]').uncheck();
    expect(await visible()).toEqual([]);
    expect(await page.locator('[data-mp-empty]').isVisible()).toBe(true);

    await page.locator('select[name="protocol"]').selectOption('');
    for (const box of await page.locator('input[name="status"]').all()) await box.check();
    await page.getByRole('button', { name: 'Expand all' }).click();
    expect(await page.locator('details.mp-details:not([open])').count()).toBe(0);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    expect(await page.locator('details.mp-details[open]').count()).toBe(0);
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it('prints without the filters and with the failures open', async () => {
    const { page, problems } = await browser.open('check-print', renderHtml(checkReport()));
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('form[data-mp-filters]').isVisible()).toBe(false);
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    const openStatuses = await page.locator('tbody.mp-check:has(details[open])').evaluateAll((rows) => rows.map((r) => String(r.dataset.status)));
    expect(openStatuses).toEqual(['fail', 'warn', 'inconclusive', 'fail', 'error']);
    await page.pdf({ path: join(SCREENSHOT_DIR, 'check.pdf'), format: 'A4' });
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
    expect(await page.locator('details[open]').count()).toBe(1); // the servers table, open by default
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it('shows every row and the chart fallback without JavaScript', async () => {
    const { page } = await browser.open('bench-nojs', renderHtml(benchReport()), { javaScript: false });
    expect(await page.locator('table.mp-metrics tbody tr').count()).toBe(9);
    expect(await page.locator('.mp-chart-fallback').first().isVisible()).toBe(true);
    const check = await browser.open('check-nojs', renderHtml(checkReport()), { javaScript: false });
    expect(await check.page.locator('form[data-mp-filters]').isVisible()).toBe(false);
    expect(await check.page.locator('tbody.mp-check:visible').count()).toBe(checkReport().checks.length);
    const details = check.page.locator('details.mp-details').first();
    await details.locator('summary').click();
    expect(await details.getAttribute('open')).toBe('');
    await page.close();
    await check.page.close();
  });
});

describe('diagnose report in Chromium', () => {
  it('shows the port matrix and the findings by severity', async () => {
    const { page, problems } = await browser.open('diagnose', renderHtml(diagnoseReport(), { exitCode: 1 }));
    expect(await problems()).toEqual([]);
    const rows = page.locator('table.mp-ports tbody tr');
    expect(await rows.count()).toBe(8);
    const row = (port: number) => rows.filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${port}$`) }) });
    expect(await row(465).locator('.mp-cert summary .mp-badge').textContent()).toBe('expired 12 days ago');
    expect(await row(465).locator('.mp-cert summary .mp-state-bad').count()).toBe(1);
    expect(await row(25).locator('.mp-cert summary').textContent()).toBe('valid, 80 days left');
    expect(await row(143).locator('.mp-cert .mp-state-warn').textContent()).toBe('valid, 9 days left');
    expect(await row(587).locator('.mp-state-good').textContent()).toBe('smtp-plaintext');
    expect(await row(2525).locator('.mp-state-bad').textContent()).toBe('imap-plaintext');
    expect(await row(110).locator('.mp-state-neutral').textContent()).toBe('closed');
    expect(await row(993).locator('.mp-state-bad').allTextContents()).toEqual(['1.0', '1.1']);
    await row(465).locator('.mp-cert summary').click();
    expect(await row(465).locator('.mp-cert dl').textContent()).toContain('CERT_HAS_EXPIRED');

    const findings = page.locator('article.mp-finding');
    expect(await findings.evaluateAll((list) => list.map((f) => String(f.dataset.severity)))).toEqual(['critical', 'high', 'medium', 'low', 'info']);
    expect(await findings.filter({ has: page.locator('.mp-fails') }).count()).toBe(2);
    expect(await findings.first().locator('.mp-fix').textContent()).toContain('certbot renew');
    expect(await findings.nth(1).locator('.mp-evidence .mp-dir-S').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'diagnose.png'), fullPage: true });
    expect(await problems()).toEqual([]);
    await page.close();
  });
});

describe('bench report in Chromium', () => {
  it('draws the spectrum and timeline charts and shows thresholds', async () => {
    const { page, problems } = await browser.open('bench', renderHtml(benchReport(), { exitCode: 3 }));
    expect(await problems()).toEqual([]);
    const ink = await chartInk(page);
    expect(Object.keys(ink).sort()).toEqual(['latency', 'spectrum', 'throughput']);
    for (const [name, chart] of Object.entries(ink)) {
      expect(chart.drawn, name).toBe(true);
      expect(chart.width, name).toBeGreaterThan(300);
      expect(chart.ink, name).toBeGreaterThan(chart.width * chart.height * 0.01);
    }
    expect(ink['spectrum']!.seriesPixels).toBeGreaterThan(50);
    expect(ink['throughput']!.seriesPixels).toBeGreaterThan(50);
    expect(await page.locator('.mp-chart-fallback').count()).toBe(0);
    // One legend entry per metric with latencies, besides the x series.
    expect(await page.locator('[data-mp-chart="spectrum"] .u-legend .u-series').count()).toBe(1 + 9);

    const thresholds = page.locator('table.mp-thresholds tbody tr');
    expect(await thresholds.evaluateAll((rows) => rows.map((r) => String(r.dataset.ok)))).toEqual(['false', 'true', 'true']);
    expect(await thresholds.first().locator('.mp-state-bad').textContent()).toBe('fail');
    expect(await page.locator('.mp-banner').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'bench.png'), fullPage: true });

    // Resizing redraws at the new width.
    await page.setViewportSize({ width: 800, height: 900 });
    await expect.poll(async () => (await chartInk(page))['spectrum']!.width).toBeLessThan(ink['spectrum']!.width);
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it('redraws in dark colours and warns when the generator saturated', async () => {
    const report = benchReport({ generator: { cpuPercent: 99.2, eventLoopDelayP99Ms: 85, saturated: true, reason: 'event-loop delay p99 85 ms' } });
    const { page, problems } = await browser.open('bench-dark', renderHtml(report), { colorScheme: 'dark' });
    expect(await page.locator('.mp-banner-bad').count()).toBe(2);
    expect(await page.locator('#bench .mp-banner-bad').textContent()).toContain('event-loop delay p99 85 ms');
    const ink = await chartInk(page);
    expect(ink['spectrum']!.seriesPixels).toBeGreaterThan(50);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'bench-dark.png'), fullPage: true });
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it('draws every run of a demo report, each with its own charts and cursor', async () => {
    const { page, problems } = await browser.open('demo', renderHtml(demoReport(), { exitCode: 0 }));
    expect(await problems()).toEqual([]);
    expect(await page.locator('[data-mp-chart]').count()).toBe(6);
    for (const run of ['bench-1', 'bench-2']) {
      const ink = await chartInk(page, run);
      expect(Object.keys(ink).sort(), run).toEqual(['latency', 'spectrum', 'throughput']);
      for (const [name, chart] of Object.entries(ink)) {
        expect(chart.drawn, `${run} ${name}`).toBe(true);
        expect(chart.width, `${run} ${name}`).toBeGreaterThan(300);
        expect(chart.ink, `${run} ${name}`).toBeGreaterThan(chart.width * chart.height * 0.01);
      }
      expect(ink['spectrum']!.seriesPixels, run).toBeGreaterThan(50);
      expect(ink['throughput']!.seriesPixels, run).toBeGreaterThan(50);
    }
    expect(await page.locator('.mp-chart-fallback').count()).toBe(0);
    // Each spectrum has its own run's metrics: 9 smtp-send ones, 6 imap-session ones.
    expect(await page.locator('#bench-1 [data-mp-chart="spectrum"] .u-legend .u-series').count()).toBe(1 + 9);
    expect(await page.locator('#bench-2 [data-mp-chart="spectrum"] .u-legend .u-series').count()).toBe(1 + 6);
    expect(await page.locator('#bench-2 [data-mp-chart="spectrum"] .u-legend').textContent()).toContain('imap.fetch');
    expect(await page.locator('#bench-1 table.mp-thresholds tbody tr').count()).toBe(3);
    expect(await page.locator('#bench-2 table.mp-thresholds tbody tr').count()).toBe(1);

    // A run's timeline charts share a cursor with each other, not with the other run's.
    const legendT = (run: string, chart: string) => page.locator(`#${run} [data-mp-chart="${chart}"] .u-legend .u-series`).first().locator('.u-value').textContent();
    await page.locator('#bench-2 [data-mp-chart="throughput"] .u-over').hover();
    await expect.poll(() => legendT('bench-2', 'latency')).toMatch(/^\d+$/);
    expect(await legendT('bench-2', 'latency')).toBe(await legendT('bench-2', 'throughput'));
    expect(await legendT('bench-1', 'latency')).not.toMatch(/^\d+$/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo.png'), fullPage: true });
    expect(await problems()).toEqual([]);
    await page.close();
  });

  it('asked the server for nothing but the pages', () => {
    expect(browser.served.every((path) => /^\/[\w-]+\.html$/.test(path))).toBe(true);
  });
});
