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
    expect(XMLValidator.validate(await readFile(join(out, 'junit.xml'), 'utf8'))).toBe(true);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('### mailprobe check');
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('Content-Security-Policy');
  }, 120_000);

  it('with a fault shows a failing run', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mailprobe-demo-'));
    const io = fakeIo({});
    const code = await main(['demo', '--out', out, '--fault', 'cert-expired', '--skip-bench'], io);
    expect(code).toBe(1);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.findings.map((f) => f.id)).toContain('tls.cert.expired');
  }, 120_000);

  it('refuses an unknown fault with exit 2', async () => {
    const io = fakeIo({});
    expect(await main(['demo', '--fault', 'nope'], io)).toBe(2);
    expect(io.err()).toMatch(/not a fault profile/);
  });
});
