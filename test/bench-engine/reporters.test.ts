import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../../engine/report-types.js';
import { renderBenchConsole, renderBenchProgress } from '../../reports/bench-console.js';
import { renderBenchMarkdown } from '../../reports/bench-markdown.js';

const latency = { min: 0.2, mean: 1.1, p50: 0.9, p90: 2.5, p99: 12.25, p999: 40, max: 1500 };
const report: BenchReport = {
  scenario: 'smtp-send',
  mode: 'open',
  ratePerSec: 500,
  concurrency: 500,
  durationMs: 10_000,
  warmupMs: 2000,
  dropped: 12,
  metrics: {
    iteration: { count: 4988, errors: 3, ratePerSec: 498.8, latencyMs: latency, hdr: 'HISTFAAA' },
    'smtp.data': { count: 4985, errors: 0, ratePerSec: 498.5, latencyMs: latency, hdr: 'HISTFAAA' },
    'smtp.tls': { count: 2, errors: 2, ratePerSec: 0.2, latencyMs: { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }, hdr: 'HISTFAAA' },
  },
  timeline: [{ t: 1, ops: 499, errors: 0, p50Ms: 0.9, p99Ms: 12 }],
  thresholds: [
    { expr: 'smtp.data:p99<50ms', ok: true, actual: 12.25 },
    { expr: 'errors<0.01%', ok: false, actual: 0.06 },
    { expr: 'session:rate>100/s', ok: false, actual: 0, note: 'no samples to measure' },
  ],
  errors: { '5xx': 3 },
  errorSamples: { '5xx': ['smtp.data: 554 \x1b[31mred\x1b[0m | pipe'] },
  generator: { cpuPercent: 99.5, eventLoopDelayP99Ms: 80, saturated: true, eventLoopUtilization: 0.97, startLagP99Ms: 30, reason: "the generator's event loop was busy 97% of the time" },
};

describe('bench reporters', () => {
  it('console: the run, a table per metric, errors, thresholds, the generator warning', () => {
    const text = renderBenchConsole(report, { color: false });
    expect(text).toContain('bench smtp-send: open loop at 500/s (up to 500 in flight), 10.0 s measured after 2.0 s warm-up');
    expect(text).toContain('4,988 iterations (499/s), 3 errors (0.06%), 12 dropped');
    expect(text).toMatch(/metric\s+count\s+rate\/s\s+p50\s+p90\s+p99\s+p99\.9\s+max\s+errors/);
    expect(text).toMatch(/smtp\.data\s+4,985\s+499\s+0\.90 ms\s+2\.50 ms\s+12\.3 ms\s+40\.0 ms\s+1\.50 s\s+0/);
    // No successful sample: dashes, not zeros.
    expect(text).toMatch(/smtp\.tls\s+2\s+0\.2\s+-\s+-/);
    expect(text).toContain('PASS  smtp.data:p99<50ms (actual 12.3 ms)');
    expect(text).toContain('FAIL  errors<0.01% (actual 0.06%)');
    expect(text).toContain('FAIL  session:rate>100/s (no samples to measure)');
    expect(text).toContain('warning: the load generator was the bottleneck');
    // Server text cannot drive the terminal.
    expect(text).not.toContain('\x1b');
  });

  it('progress line per second', () => {
    expect(renderBenchProgress({ t: 3, ops: 1234, errors: 0, p50Ms: 1.2, p99Ms: 3.4 }, { color: false, plannedSeconds: 10 })).toBe('    3 s      1,234/s   errors 0   p50 1.20 ms   p99 3.40 ms   30%');
  });

  it('markdown: tables for metrics, errors and thresholds, escaped', () => {
    const md = renderBenchMarkdown(report);
    expect(md).toMatch(/^## ❌ mailprobe bench: smtp-send\n/);
    expect(md).toContain('| `smtp.data` | 4,985 | 499 | 0.90 ms | 2.50 ms | 12.3 ms | 40.0 ms | 1.50 s | 0 |');
    expect(md).toContain('| `errors<0.01%` | ❌ fail | 0.06% |');
    expect(md).toContain('> ⚠️ The load generator was the bottleneck');
    expect(md).not.toContain('\x1b');
    // A pipe from the server cannot split a table cell.
    expect(md).toContain('\\| pipe |');
  });

  it('markdown: says --insecure under the title when the run had it', () => {
    expect(renderBenchMarkdown(report)).not.toContain('--insecure');
    const md = renderBenchMarkdown(report, 2, { insecure: true });
    expect(md).toMatch(/^## ❌ mailprobe bench: smtp-send\n\n.*\n\n> ⚠️ \*\*Run with `--insecure`:\*\* certificate verification was off; TLS results are not trustworthy\.\n/);
  });
});
