import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/main.js';
import type { Report } from '../../engine/report-types.js';
import { fakeIo } from '../helpers/cli.js';

describe('mailprobe demo', () => {
  it('runs check, diagnose and bench against the sandbox and writes parseable files, exit 0', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mailprobe-demo-'));
    const io = fakeIo({});
    const code = await main(['demo', '--out', out, '--bench-duration', '1s'], io);
    expect(code, io.out()).toBe(0);
    expect(io.out()).toMatch(/check +\d+ checks: \d+ pass, 0 fail/);
    expect(io.out()).toMatch(/diagnose +7 ports, 0 findings/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    expect(report).toMatchObject({ schemaVersion: 1, command: 'demo' });
    expect(report.checks.length).toBeGreaterThan(300);
    expect(report.summary.fail + report.summary.error).toBe(0);
    expect(report.ports).toHaveLength(7);
    expect(report.benches?.map((b) => b.scenario)).toEqual(['smtp-send', 'imap-session', 'pop3-session']);
    // SMTP runs an open loop at a fixed rate (bin/demo-load.ts); no run has a failed iteration.
    expect(report.benches?.map((b) => b.mode)).toEqual(['open', 'closed', 'closed']);
    expect(report.benches?.map((b) => b.metrics['iteration']?.errors)).toEqual([0, 0, 0]);
    for (const scenario of ['smtp-send', 'imap-session', 'pop3-session']) expect(io.out()).toMatch(new RegExp(`bench +${scenario} +\\d+/s iterations, p99 [\\d.]+ ms, 0 errors`));
    expect(XMLValidator.validate(await readFile(join(out, 'junit.xml'), 'utf8'))).toBe(true);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('### mailprobe check');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Content-Security-Policy');
    // A section per bench run, each with its percentile table and its charts' data.
    expect([...html.matchAll(/<section id="(bench-\d)" class="mp-section">\n<h2>([^<]*)<code>([^<]*)<\/code><\/h2>/g)].map((m) => `${m[1]} ${m[2]}${m[3]}`)).toEqual([
      'bench-1 Load 1 of 3: smtp-send',
      'bench-2 Load 2 of 3: imap-session',
      'bench-3 Load 3 of 3: pop3-session',
    ]);
    expect(html.match(/<table class="mp-table mp-metrics">/g)).toHaveLength(3);
    const data = JSON.parse(/<script type="application\/json" id="mp-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}') as Record<string, { spectrum?: unknown; timeline?: unknown }>;
    expect(Object.keys(data)).toEqual(['bench-1', 'bench-2', 'bench-3']);
    for (const run of Object.values(data)) expect(run.spectrum).toBeDefined();
    expect(html).toContain('<dt>Exit status</dt><dd class="mp-exit mp-exit-ok">0 (all good)</dd>');
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toMatch(/^#### ✅ mailprobe bench: imap-session$/m);
  }, 120_000);

  it('with a fault shows a failing run', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mailprobe-demo-'));
    const io = fakeIo({});
    const code = await main(['demo', '--out', out, '--fault', 'cert-expired', '--skip-bench'], io);
    expect(code).toBe(1);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.findings.map((f) => f.id)).toContain('tls.cert.expired');
    // junit.xml holds the checks and, as diagnose --junit, one testcase per finding.
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).toMatch(/<testsuite name="smtp smtp:\/\/[^"]+" tests="\d+"/);
    expect(junit).toContain(`<testsuite name="findings" tests="${report.findings.length}"`);
    const expired = report.findings.filter((f) => f.id === 'tls.cert.expired');
    const cases = [...junit.matchAll(/<testcase classname="findings\.tls\.cert" name="tls\.cert\.expired: [^"]* \(([^"]+)\)"[^>]*>([\s\S]*?)<\/testcase>/g)];
    expect(cases.map((m) => m[1]).sort()).toEqual(expired.map((f) => f.target).sort());
    // At or above the default --fail-on (high) on every port: each a <failure> of its severity.
    for (const [, target, body] of cases) {
      const severity = expired.find((f) => f.target === target)!.severity;
      expect(['critical', 'high']).toContain(severity);
      expect(body).toContain(`<failure message="Certificate expired" type="${severity}">`);
    }
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<dt>Exit status</dt><dd class="mp-exit mp-exit-bad">1 (a check failed, or a finding at or above --fail-on)</dd>');
    expect(html).not.toContain('<section id="bench');
  }, 120_000);

  it('refuses an unknown fault with exit 2', async () => {
    const io = fakeIo({});
    expect(await main(['demo', '--fault', 'nope'], io)).toBe(2);
    expect(io.err()).toMatch(/not a fault profile/);
  });
});
