/**
 * The HTML report (`--html FILE`): one self-contained page rendering a Report. Inline styles and
 * scripts only, each allowed by its hash in the page's Content-Security-Policy; nothing is
 * fetched. Tables work without JavaScript; scripts add filters and draw the bench charts with
 * the inlined uPlot. Every report string is escaped by the `html` tag (markup.ts).
 */
import type { Report, Severity } from '../../engine/report-types.js';
import { DEFAULT_FAIL_ON } from '../severity.js';
import { htmlAssets } from './assets.js';
import { benchRuns, benchSection } from './bench.js';
import { chartData, hasCharts, type PageChartData } from './chart-data.js';
import { checksSection } from './checks.js';
import { findingsSection } from './findings.js';
import { header } from './header.js';
import { html } from './markup.js';
import { page } from './page.js';
import { portsSection } from './ports.js';

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** The run's exit status, shown in the header; the report does not hold it. Omitted: not shown. */
  readonly exitCode?: number;
  /** Findings at or above this severity are marked as failing the run (default `high`). */
  readonly failOn?: Severity;
}

/** The report as one self-contained HTML document, ending in a newline. */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const assets = htmlAssets();
  // A bench report's run, or each of a demo's: a section apiece, with its own ids and chart data.
  const runs = benchRuns(report).map((run) => ({ ...run, charts: chartData(run.bench) }));
  const data: PageChartData = Object.fromEntries(runs.filter((r) => hasCharts(r.charts)).map((r) => [r.place.id, r.charts]));
  const withCharts = Object.keys(data).length > 0;
  const body = html`${header(report, options.exitCode)}
<main>
${checksSection(report)}${portsSection(report)}${findingsSection(report, options.failOn ?? DEFAULT_FAIL_ON)}${runs.map((r) => benchSection(r.bench, r.charts, r.place))}</main>
<footer class="mp-footer">mailprobe ${report.tool.version} · report schema ${report.schemaVersion}${withCharts ? ' · charts drawn with uPlot (MIT)' : ''}</footer>`;
  return page({
    title: `mailprobe ${report.command}: ${report.targets.join(', ')}`,
    generator: `mailprobe ${report.tool.version}`,
    body,
    styles: withCharts ? [assets.uplotCss, assets.css] : [assets.css],
    // The page script last: it runs once the charts are set up, and alone when there are none.
    scripts: withCharts ? [assets.uplotJs, assets.chartsJs, assets.pageJs] : [assets.pageJs],
    ...(withCharts ? { data } : {}),
  });
}
