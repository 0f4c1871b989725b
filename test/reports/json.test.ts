import { describe, expect, it } from 'vitest';
import { renderJson } from '../../reports/json.js';
import { fixtureReport } from './fixtures.js';

describe('renderJson', () => {
  const text = renderJson(fixtureReport({ insecure: true }));
  const parsed = JSON.parse(text) as Record<string, unknown>;

  it('is schema version 1 with the DESIGN.md keys in order', () => {
    expect(parsed['schemaVersion']).toBe(1);
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion', 'tool', 'command', 'startedAt', 'durationMs', 'partial', 'insecure',
      'targets', 'server', 'summary', 'checks', 'findings',
    ]);
    expect(Object.keys(parsed['summary'] as object)).toEqual(['pass', 'fail', 'warn', 'skip', 'inconclusive', 'error']);
  });

  it('orders check, transcript and finding keys as the schema does', () => {
    const [, fail] = parsed['checks'] as Record<string, unknown>[];
    expect(Object.keys(fail ?? {})).toEqual([
      'id', 'protocol', 'target', 'title', 'ref', 'level', 'status', 'message', 'durationMs', 'source', 'transcript',
    ]);
    expect(Object.keys((fail?.['transcript'] as object[])[0] ?? {})).toEqual(['t', 'dir', 'text']);
    const [noPort, withPort] = parsed['findings'] as object[];
    expect(Object.keys(noPort ?? {})).toEqual(['id', 'severity', 'target', 'title', 'detail', 'fix', 'evidence']);
    expect(Object.keys(withPort ?? {})).toEqual(['id', 'severity', 'target', 'port', 'title', 'detail', 'fix', 'evidence']);
  });

  it('round-trips the report', () => {
    expect(parsed).toEqual({ ...fixtureReport({ insecure: true }), partial: false });
  });

  it('is pretty-printed with two spaces and ends in a newline', () => {
    expect(text.startsWith('{\n  "schemaVersion": 1,\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('writes lone surrogates and control bytes as \\u escapes, so the text is valid UTF-8', () => {
    expect(text).toContain('\\ud800');
    expect(text).toContain('\\u001b');
    // LF is the pretty-printing; no other control and no unpaired surrogate is left raw.
    expect(text).not.toMatch(/[\x00-\x09\x0B-\x1F]|\p{Cs}/u);
  });

  it('always has findings, empty in a report without any', () => {
    expect(JSON.parse(renderJson(fixtureReport({ findings: [] })))).toHaveProperty('findings', []);
  });
});
