/**
 * A distributed run in the HTML report, without a browser: a shard's report says which shard
 * it is, on which host, with what clock offset; a merged report lists its parts (shard, host,
 * iterations, errors, drops, clock, generator, file) and the merge's notes. Host names, files
 * and notes are the reports' text: a hostile host name shows as text, never as markup.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../reports/html/index.js';
import { benchReport, HOSTILE_HOST, mergedReport, shardReport } from './fixtures.js';

const ESCAPED_HOST = '&lt;img src=x onerror=alert(1)&gt;';

/** The rows of the merge's parts table, each as its cells' text (tags stripped). */
function partsRows(doc: string): string[][] {
  const table = /<table class="mp-table mp-parts">([^]*?)<\/table>/.exec(doc)?.[1] ?? '';
  return [...table.matchAll(/<tr[^>]*>([^]*?)<\/tr>/g)].map((row) => [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([^]*?)<\/t[hd]>/g)].map((c) => (c[1] ?? '').replace(/<[^>]*>/g, '')));
}

describe('renderHtml: a shard\'s report', () => {
  it('says in the header which shard it is, on which host, with what clock offset', () => {
    const doc = renderHtml(shardReport());
    expect(doc).toContain('<dt>Distributed run</dt><dd class="mp-distributed"><a href="#bench-shard">shard 1/4 on bench-1-x7k, clock offset +12.5 ms</a></dd>');
  });

  it('shows the slice, the whole run, the users and the clock in the bench section', () => {
    const doc = renderHtml(shardReport());
    expect(doc).toContain('<h3 id="bench-shard">Shard 1/4</h3>');
    const facts = /<dl class="mp-facts mp-shard">([^]*?)<\/dl>/.exec(doc)?.[1] ?? '';
    const pairs = [...facts.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]);
    expect(pairs).toEqual([
      ['Shard', '1/4'],
      ['Host', 'bench-1-x7k'],
      ['Run id', '0a1b2c3d'],
      ['Whole run', '200/s, 64 in flight, 24,000 iterations, 1 ramp stage'],
      ['Users', '25: u1@example.test, u5@example.test, …'],
      ['Clock offset', '+12.5 ms'],
      ['Clock source', 'ntp://time.example.test:123 (round trip 0.8 ms)'],
      ['Start at', '2025-06-01T09:30:05.000Z'],
    ]);
  });

  it('says when the clock offset was not measured, and why', () => {
    const report = shardReport();
    const doc = renderHtml({ ...report, bench: { ...report.bench!, clock: { startAt: '2025-06-01T09:30:05.000Z', offsetMs: null, error: 'no answer from ntp://time.example.test:123', startLateMs: 40 } } });
    expect(doc).toContain('shard 1/4 on bench-1-x7k, clock offset not measured, 40 ms late</a>');
    expect(doc).toContain('<dt>Clock not measured</dt><dd>no answer from ntp://time.example.test:123</dd>');
  });

  it('escapes a hostile host name everywhere it is shown', () => {
    const doc = renderHtml(shardReport(HOSTILE_HOST));
    expect(doc).not.toContain(HOSTILE_HOST);
    expect(doc).not.toMatch(/<img\b/i);
    expect(doc).toContain(`shard 1/4 on ${ESCAPED_HOST}, clock offset +12.5 ms</a>`);
    expect(doc).toContain(`<dt>Host</dt><dd>${ESCAPED_HOST}</dd>`);
  });
});

describe('renderHtml: a merged report', () => {
  it('says in the header what it was merged from', () => {
    expect(renderHtml(mergedReport())).toContain('<dt>Distributed run</dt><dd class="mp-distributed"><a href="#bench-parts">merged from 2 reports (2 of 2 shards)</a></dd>');
  });

  it('lists its parts as the Markdown table does, with the file, and the saturated one marked', () => {
    const doc = renderHtml(mergedReport());
    expect(doc).toContain('<h3 id="bench-parts">Merged from 2 reports</h3>');
    expect(partsRows(doc)).toEqual([
      ['shard', 'host', 'iterations', 'errors', 'dropped', 'measured', 'clock', 'generator', 'file'],
      ['0/2', 'bench-0-a1b', '3,000', '0', '1', '30.0 s', '-3 ms', 'ok (CPU 20%)', 'results/shard-0.json'],
      ['1/2', 'bench-1-x7k', '3,000', '12', '2', '30.0 s (interrupted)', '-, 40 ms late', 'saturated the generator&#39;s event loop was busy 95% of the time', 'results/bench-1-x7k.json'],
    ]);
    expect([...doc.matchAll(/<tr data-saturated="(true|false)">/g)].map((m) => m[1])).toEqual(['false', 'true']);
  });

  it('shows the merge\'s notes', () => {
    const doc = renderHtml(mergedReport());
    expect(doc).toContain('<ul class="mp-notes"><li>shard 1/2 started 40 ms after --start-at</li><li>shard 1/2: its clock offset could not be measured (bench-1-x7k)</li></ul>');
  });

  it('escapes a hostile host name in the table, the notes, the file name and the generator\'s reason', () => {
    const doc = renderHtml(mergedReport(HOSTILE_HOST));
    expect(doc).not.toContain(HOSTILE_HOST);
    expect(doc).not.toMatch(/<img\b/i);
    const rows = partsRows(doc);
    expect(rows[2]?.[1]).toBe(ESCAPED_HOST);
    expect(rows[2]?.[8]).toBe(`results/${ESCAPED_HOST}.json`);
    expect(doc).toContain(`<li>shard 1/2: its clock offset could not be measured (${ESCAPED_HOST})</li>`);
    expect(doc).toContain(`(shard 1/2 on ${ESCAPED_HOST}: the generator&#39;s event loop was busy 95% of the time)`);
  });
});

describe('renderHtml: a whole run\'s report', () => {
  it('has no shard or parts part', () => {
    const doc = renderHtml(benchReport());
    expect(doc).not.toContain('Distributed run');
    expect(doc).not.toContain('id="bench-shard"');
    expect(doc).not.toContain('id="bench-parts"');
    expect(doc).not.toContain('mp-notes');
  });
});
