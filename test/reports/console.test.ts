import { describe, expect, it } from 'vitest';
import { renderCheckLine, renderConsole } from '../../reports/index.js';
import { HOSTILE, fixtureCheck, fixtureReport, transcript } from './fixtures.js';

/** Runs of text wrapped in SGR colour sequences, and what is left once those are removed. */
function colouredSpans(text: string): { spans: string[]; rest: string } {
  const sgr = /\x1b\[[0-9;]*m/g;
  const spans = [...text.matchAll(/(?:\x1b\[[0-9;]*m)+([^\x1b]*)(?:\x1b\[[0-9;]*m)+/g)].map((m) => m[1] ?? '');
  return { spans, rest: text.replace(sgr, '') };
}

const VERDICT = /^(PASS|FAIL|WARN|SKIP|INCON|ERROR|CRITICAL|HIGH|MEDIUM|LOW|INFO|\d+ (pass|fail|warn|skip|inconclusive|error|critical|high|medium|low|info))$/;

describe('renderCheckLine', () => {
  it('prints verdict, id, ref and title on one line', () => {
    const line = renderCheckLine(fixtureCheck('pass', { id: 'smtp.ehlo.multiline-format', title: 'title' }), { color: false });
    expect(line).toBe('PASS  smtp.ehlo.multiline-format  RFC 5321 §4.1.1.1  title');
  });

  it('colours only the verdict', () => {
    const line = renderCheckLine(fixtureCheck('fail', { title: HOSTILE }), { color: true });
    expect(line.startsWith('\x1b[31mFAIL\x1b[39m  smtp.fixture.fail')).toBe(true);
    expect(colouredSpans(line).spans).toEqual(['FAIL']);
  });
});

describe('renderConsole', () => {
  const report = fixtureReport({ insecure: true, partial: true });

  it('has no escape byte or other control at all without colour, even from a hostile server', () => {
    const text = renderConsole(report, { color: false, verbose: true });
    expect(text).not.toContain('\x1b');
    expect(text).not.toMatch(/[\x00-\x09\x0B-\x1F\x7F-\x9F]|\p{Cs}/u);
    expect(text).toContain('x\\x00y\\x1b[31mz\\x07 \\ud800 & "q" \'s\' cr\\rlf');
  });

  it('with colour, colours verdicts and nothing else', () => {
    const { spans, rest } = colouredSpans(renderConsole(report, { color: true, verbose: true }));
    expect(spans.length).toBeGreaterThan(10);
    for (const span of spans) expect(span).toMatch(VERDICT);
    expect(rest).not.toContain('\x1b');
  });

  it('follows a failure with its message, requirement and the last 8 transcript lines', () => {
    const lines = renderConsole(report, { color: false }).split('\n');
    const at = lines.findIndex((l) => l.startsWith('FAIL  smtp.fixture.fail'));
    expect(lines[at + 1]).toMatch(/^ {6}expected 250, got 500 <script>/);
    expect(lines[at + 2]).toBe('      RFC 5321 §4.1.1.1 MUST (my.yaml:14)');
    expect(lines[at + 3]).toBe('        (23 earlier lines not shown)');
    expect(lines.slice(at + 4, at + 12).every((l) => /^ {8} +\d+\.\d{3} [CSI]: /.test(l))).toBe(true);
    expect(lines[at + 12]).toMatch(/^WARN /);
  });

  it('ends with warnings, notes and the summary line', () => {
    const lines = renderConsole(report, { color: false }).trimEnd().split('\n');
    expect(lines.slice(-4)).toEqual([
      '2 findings: 1 high, 1 low',
      'warning: --insecure: certificate verification was off; TLS results are not trustworthy',
      'note: the run was interrupted; these results cover only the checks that finished',
      '7 checks: 2 pass, 1 fail, 1 warn, 1 skip, 1 inconclusive, 1 error (3.2 s)',
    ]);
  });

  it('repeats only checks with something to explain when the lines were printed live', () => {
    const text = renderConsole(fixtureReport({ findings: [] }), { color: false, lines: false });
    expect(text).not.toMatch(/^(PASS|SKIP|mailprobe) /m);
    expect(text.match(/^(FAIL|WARN|INCON|ERROR) /gm)).toHaveLength(4);
  });

  it('shows whole transcripts when verbose', () => {
    const one = fixtureReport({ checks: [fixtureCheck('fail', { transcript: transcript(30) })], findings: [] });
    expect(renderConsole(one, { color: false, verbose: true }).match(/ [CSI]: /g)).toHaveLength(31);
    expect(renderConsole(one, { color: false }).match(/ [CSI]: /g)).toHaveLength(8);
  });

  it('says "1 check"', () => {
    const one = fixtureReport({ checks: [fixtureCheck('pass')], findings: [], durationMs: 850 });
    expect(renderConsole(one, { color: false }).trimEnd().split('\n').at(-1)).toBe('1 check: 1 pass (850 ms)');
  });
});
