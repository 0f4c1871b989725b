/**
 * `mailprobe report FILE --html OUT`: renders saved JSON reports, and refuses anything that is
 * not a mailprobe report of schemaVersion 1 with an ECONFIG error (main() prints it and exits 2)
 * that names the file and the problem.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport, run, usage } from '../../bin/commands/report.js';
import { isMailprobeError } from '../../drivers/errors.js';
import type { Report } from '../../engine/report-types.js';
import { renderJson } from '../../reports/index.js';
import { fakeIo } from '../helpers/cli.js';
import { fixtureReport } from '../reports/fixtures.js';
import { benchReport, checkReport, diagnoseReport } from './fixtures.js';

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
  ])('reads back what --json wrote (%s)', (_, report: Report) => {
    const json = renderJson(report);
    expect(renderJson(parseReport(json, 'r.json'))).toBe(json);
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
    expect(await usageError([json, '--html', join(dir, 'no', 'such', 'x.html')])).toMatch(/--html .*: directory .* does not exist/);
    expect(await usageError([json, '--html', 'x.html', '--fail-on', 'severe'])).toMatch(/--fail-on "severe" is not one of/);
    expect(await usageError([json, '--html', 'x.html', '--exit-code', '256'])).toMatch(/--exit-code "256" is not an exit status/);
    const io = fakeIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out()).toBe(usage);
  });
});
