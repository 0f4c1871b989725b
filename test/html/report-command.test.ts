/**
 * `mailprobe report FILE --html OUT`: renders saved JSON reports, and refuses anything that is
 * not a mailprobe report of schemaVersion 1 with an ECONFIG error (main() prints it and exits 2)
 * that names the file and the problem.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseReport, run, usage } from '../../bin/commands/report.js';
import { isMailprobeError } from '../../drivers/errors.js';
import { REPORT_SCHEMA } from '../../engine/report-schema.js';
import type { Report } from '../../engine/report-types.js';
import { renderHtml, renderJson } from '../../reports/index.js';
import { fakeIo } from '../helpers/cli.js';
import { fixtureReport } from '../reports/fixtures.js';
import { benchReport, checkReport, demoReport, diagnoseReport, HOSTILE_HOST, mergedReport, shardReport } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailprobe-report-cmd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saved(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The ECONFIG message run() rejects with (what main() prints before exiting 2). */
async function usageError(argv: readonly string[]): Promise<string> {
  const err: unknown = await run(argv, fakeIo()).then(
    () => new Error('expected a usage error'),
    (e: unknown) => e,
  );
  if (!isMailprobeError(err, 'ECONFIG')) throw err;
  return err.message;
}

describe('mailprobe report', () => {
  it('renders a saved report into HTML, Markdown and JUnit', async () => {
    const json = await saved('check.json', renderJson(checkReport()));
    const out = (ext: string) => join(dir, `check.${ext}`);
    const io = fakeIo();
    expect(await run([json, '--html', out('html'), '--md', out('md'), '--junit', out('xml'), '--exit-code', '1', '--fail-on', 'low'], io)).toBe(0);
    const html = await readFile(out('html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>\n/);
    expect(html).toContain('1 (a check failed, or a finding at or above --fail-on)');
    expect(await readFile(out('md'), 'utf8')).toMatch(/^### mailprobe check/);
    expect(await readFile(out('xml'), 'utf8')).toContain('<testsuites');
    expect(io.out() + io.err()).toBe('');
  });

  it.each([
    ['check', checkReport()],
    ['hostile', fixtureReport({ insecure: true, partial: true })],
    ['diagnose', diagnoseReport()],
    ['bench', benchReport()],
    ['bench shard', shardReport()],
    ['merged bench', mergedReport(HOSTILE_HOST)],
    ['demo', demoReport()],
    ['every field at once', everyField()],
  ])('reads back what --json wrote (%s)', (_, report: Report) => {
    const json = renderJson(report);
    expect(renderJson(parseReport(json, 'r.json'))).toBe(json);
    expect(parseReport(json, 'r.json')).toEqual(JSON.parse(json));
  });

  it('keeps every field of the schema: the report of every field holds each one, and reads back whole', () => {
    const json = JSON.parse(renderJson(everyField())) as unknown;
    const missing = schemaPaths(REPORT_SCHEMA, '').filter((path) => !present(json, path.split('.').slice(1)));
    expect(missing).toEqual([]);
    expect(parseReport(JSON.stringify(json), 'r.json')).toEqual(json);
  });

  it('keeps the key order of the file (the engine\'s, not the schema\'s)', () => {
    const report = JSON.parse(renderJson(shardReport())) as Report & { bench: Record<string, unknown> };
    const reversed = { ...report, bench: Object.fromEntries(Object.entries(report.bench).reverse()) };
    const text = renderJson(reversed as unknown as Report);
    expect(Object.keys(report.bench)[0]).toBe('scenario');
    expect(renderJson(parseReport(text, 'r.json'))).toBe(text);
  });

  it('--json writes the report back as read, to a file or to stdout', async () => {
    const json = await saved('merged.json', renderJson(mergedReport(HOSTILE_HOST)));
    const out = join(dir, 'merged-again.json');
    const io = fakeIo();
    expect(await run([json, '--json', out], io)).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(await readFile(json, 'utf8'));
    expect(io.out() + io.err()).toBe('');
    const stdout = fakeIo();
    expect(await run([json, '--json', '-'], stdout)).toBe(0);
    expect(stdout.out()).toBe(await readFile(json, 'utf8'));
  });

  it('renders a merged bench report as merge does: Markdown with the shards, JUnit per threshold, HTML with the parts', async () => {
    const json = await saved('merged-render.json', renderJson(mergedReport()));
    const out = (ext: string) => join(dir, `merged-render.${ext}`);
    expect(await run([json, '--md', out('md'), '--junit', out('xml'), '--html', out('html')], fakeIo())).toBe(0);
    const md = await readFile(out('md'), 'utf8');
    expect(md).toMatch(/^## .* mailprobe bench: smtp-send\n/);
    expect(md).toContain('### Merged from 2 reports');
    expect(md).toContain('| 1/2 | bench-1-x7k | 3,000 | 12 | 2 | 30.0 s (interrupted) | -, 40 ms late | SATURATED |');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(await readFile(out('xml'), 'utf8')) as { testsuites: { '@_tests': string; testsuite: { properties: { property: { '@_name': string; '@_value': string }[] } } } };
    expect(junit.testsuites['@_tests']).toBe('4');
    expect(junit.testsuites.testsuite.properties.property).toContainEqual({ '@_name': 'shards', '@_value': '2' });
    const html = await readFile(out('html'), 'utf8');
    expect(html).toContain('<h3 id="bench-parts">Merged from 2 reports</h3>');
    expect(html).toContain('merged from 2 reports (2 of 2 shards)');
  });

  it('renders a demo report with every bench run: HTML a section and charts each, Markdown a table each', async () => {
    const json = await saved('demo.json', renderJson(demoReport()));
    const out = (ext: string) => join(dir, `demo.${ext}`);
    expect(await run([json, '--md', out('md'), '--html', out('html'), '--exit-code', '0'], fakeIo())).toBe(0);
    const html = await readFile(out('html'), 'utf8');
    expect(html).toContain('<section id="bench-1" class="mp-section">\n<h2>Load 1 of 2: <code>smtp-send</code></h2>');
    expect(html).toContain('<section id="bench-2" class="mp-section">\n<h2>Load 2 of 2: <code>imap-session</code></h2>');
    expect([...html.matchAll(/data-mp-chart="([a-z]+)" data-mp-bench="([^"]*)"/g)].map((m) => `${m[2]}/${m[1]}`)).toEqual([
      'bench-1/spectrum',
      'bench-1/throughput',
      'bench-1/latency',
      'bench-2/spectrum',
      'bench-2/throughput',
      'bench-2/latency',
    ]);
    expect(html.match(/<table class="mp-table mp-thresholds">/g)).toHaveLength(2);
    expect(html).toContain('<dd class="mp-exit mp-exit-ok">0 (all good)</dd>');
    const md = await readFile(out('md'), 'utf8');
    expect(md).toMatch(/^### mailprobe demo · /);
    // Each run under the demo's title, after the findings, with its table and thresholds.
    const runs = [...md.matchAll(/^#### (❌|✅) mailprobe bench: (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(runs).toEqual(['❌ smtp-send', '✅ imap-session']);
    expect(md.indexOf('#### Findings')).toBeLessThan(md.indexOf('#### ❌ mailprobe bench: smtp-send'));
    expect(md).toContain('| `imap.fetch` | 800 |');
    expect(md).toContain('| `imap.fetch:p99<1s` | ✅ pass |');
    expect(md).toContain('| `smtp.data:p99<2ms` | ❌ fail |');
  });

  it('keeps every id of the page unique with a run and several demo runs, shards and merges among them', () => {
    const ids = [...renderHtml(everyField()).matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
    for (const id of ['bench', 'bench-shard', 'bench-parts', 'bench-generator', 'bench-1-shard', 'bench-2-parts', 'bench-3-shard', 'bench-3-parts', 'bench-3-generator']) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('drops fields it does not know (a later minor addition)', () => {
    const report = JSON.parse(renderJson(benchReport())) as Record<string, unknown> & { bench: Record<string, unknown> };
    report.bench['spectrum'] = [1, 2];
    report['extra'] = true;
    const parsed = parseReport(JSON.stringify(report), 'r.json');
    expect(parsed).not.toHaveProperty('extra');
    expect(parsed.bench).not.toHaveProperty('spectrum');
  });

  it('says what is wrong with a file that is not a report', async () => {
    const good = JSON.parse(renderJson(diagnoseReport())) as Record<string, unknown>;
    const html = join(dir, 'out.html');
    const cases: [string, string, RegExp][] = [
      ['missing', '', /^cannot read .*missing\.json: no such file$/],
      ['text', 'hello', /text\.json is not JSON: /],
      ['other', JSON.stringify({ schemaVersion: 1, tool: { name: 'k6' } }), /other\.json is not a mailprobe report \(no "tool": \{ "name": "mailprobe" \}\)/],
      ['newer', JSON.stringify({ ...good, schemaVersion: 2 }), /newer\.json has schemaVersion 2; this mailprobe reads version 1 \(the file was written by a newer mailprobe\)/],
      ['none', JSON.stringify({ ...good, schemaVersion: undefined }), /none\.json has schemaVersion missing; this mailprobe reads version 1$/],
      [
        'broken',
        JSON.stringify({ ...good, ports: [{ port: '25', expected: 'smtp', observed: 'maybe' }], findings: 3 }),
        /broken\.json is not a valid mailprobe report \(schemaVersion 1\): at findings: .*; at ports\[0\]\.port: .*; at ports\[0\]\.observed: .*/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const path = name === 'missing' ? join(dir, 'missing.json') : await saved(`${name}.json`, content);
      expect(await usageError([path, '--html', html]), name).toMatch(message);
    }
    expect(await usageError([dir, '--html', html])).toMatch(/: it is a directory$/);
  });

  it('refuses bad usage before reading anything', async () => {
    const json = await saved('ok.json', renderJson(checkReport()));
    expect(await usageError([])).toMatch(/give the JSON report to render/);
    expect(await usageError([json])).toMatch(/nothing to write/);
    expect(await usageError([json, json, '--html', 'x.html'])).toMatch(/one report at a time/);
    expect(await usageError([json, '--md', json])).toMatch(/--md .* would overwrite the report being read/);
    expect(await usageError([json, '--json', json])).toMatch(/--json .* would overwrite the report being read/);
    expect(await usageError([json, '--html', join(dir, 'no', 'such', 'x.html')])).toMatch(/--html .*: directory .* does not exist/);
    expect(await usageError([json, '--html', 'x.html', '--fail-on', 'severe'])).toMatch(/--fail-on "severe" is not one of/);
    expect(await usageError([json, '--html', 'x.html', '--exit-code', '256'])).toMatch(/--exit-code "256" is not an exit status/);
    const io = fakeIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out()).toBe(usage);
  });
});

/**
 * A report with every field of the schema set somewhere: checks with a source, ports with a
 * host and certificates, findings with a port, a bench that is at once a shard (shard, clock)
 * and a merge (shards, notes), and demo's benches holding both kinds.
 */
function everyField(): Report {
  const check = checkReport();
  const diagnose = diagnoseReport();
  const shard = shardReport().bench!;
  const merged = mergedReport().bench!;
  const bench = {
    ...merged,
    shard: shard.shard!,
    clock: { ...shard.clock!, error: 'the NTP server answered late' },
    timeline: shard.timeline,
    thresholds: [...merged.thresholds, { expr: 'imap.fetch:p99<1s', ok: false, actual: 0, note: 'no samples' }],
  };
  return {
    ...check,
    checks: check.checks.map((c, i) => (i === 0 ? { ...c, source: 'my-suite.yaml:14' } : c)),
    // An IMAP server that answered ID.
    server: Object.fromEntries(Object.entries(check.server).map(([url, info]) => [url, url.startsWith('imap') ? { ...info, implementation: 'Dovecot 2.3.19' } : info])),
    findings: diagnose.findings,
    ports: diagnose.ports!.map((p, i) => (i === 0 ? { ...p, host: '192.0.2.25' } : p)),
    bench,
    benches: [shard, merged, bench],
    partial: true,
    insecure: true,
  };
}

/** Every field path of a zod schema: `.bench.shards[].clock.offsetMs`, `.server{}.greeting`. */
function schemaPaths(schema: z.ZodType, at: string): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return schemaPaths(schema.unwrap() as z.ZodType, at);
  if (schema instanceof z.ZodArray) return schemaPaths(schema.element as z.ZodType, `${at}[]`);
  if (schema instanceof z.ZodRecord) return schemaPaths(schema.valueType as z.ZodType, `${at}{}`);
  if (schema instanceof z.ZodObject) return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) => [`${at}.${key}`, ...schemaPaths(field, `${at}.${key}`)]);
  return [];
}

/** Whether some value in `data` has the path (`[]` any element, `{}` any record value). */
function present(data: unknown, path: readonly string[]): boolean {
  const [head, ...rest] = path;
  if (head === undefined) return true;
  const key = head.replace(/(\[\]|\{\})+$/, '');
  if (typeof data !== 'object' || data === null || !Object.hasOwn(data, key)) return false;
  let values: unknown[] = [(data as Record<string, unknown>)[key]];
  for (const wrap of head.slice(key.length).match(/\[\]|\{\}/g) ?? []) {
    values = values.flatMap((v) => (wrap === '[]' ? (Array.isArray(v) ? v : []) : typeof v === 'object' && v !== null ? Object.values(v) : []));
  }
  return values.some((v) => present(v, rest));
}
