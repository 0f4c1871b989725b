import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../reports/index.js';
import { HOSTILE, fixtureCheck, fixtureReport, transcript } from './fixtures.js';

/** The text outside fenced code blocks; throws if a block is left open. */
function outsideFences(md: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of md.split('\n')) {
    if (fence === undefined) {
      const open = /^(`{3,})/.exec(line);
      if (open) fence = open[1];
      else kept.push(line);
    } else if (new RegExp(`^${fence}\`*\\s*$`).test(line)) {
      fence = undefined;
    }
  }
  if (fence !== undefined) throw new Error('unclosed code fence');
  return kept.join('\n');
}

/** Cell separators in a table row: pipes not escaped by a backslash (GFM splits rows on these). */
function separators(row: string): number {
  let count = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '|') count++;
  }
  return count;
}

/** Each table's rows have as many cells as its header. */
function expectIntactTables(md: string): void {
  // A table is a run of consecutive lines starting with `|`.
  const tables = outsideFences(md).match(/^\|.*(?:\n\|.*)*/gm) ?? [];
  expect(tables.length).toBeGreaterThan(0);
  for (const table of tables) {
    const rows = table.split('\n');
    const header = separators(rows[0] ?? '');
    for (const row of rows) expect(separators(row), row).toBe(header);
  }
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(fixtureReport({ insecure: true }));

  it('starts with a title naming the command, targets and every verdict count', () => {
    expect(md.split('\n')[0]).toBe(
      '### mailprobe check · smtp://127.0.0.1:25, imap://127.0.0.1:143 · ✅ 2 pass · ❌ 1 fail · ⚠️ 1 warn · ⏭ 1 skip · ❔ 1 inconclusive · 💥 1 error',
    );
    expect(md).toContain('`--insecure`');
  });

  it('has no HTML from the server outside code blocks, and closes every block', () => {
    const outside = outsideFences(md);
    expect(outside).not.toMatch(/<script|<\/script/);
    expect(outside).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).not.toMatch(/\p{Cs}|[\x00-\x09\x0B-\x1F]/u);
  });

  it('lists non-pass checks in tables that a | cannot break', () => {
    expectIntactTables(md);
    const rows = outsideFences(md).split('\n').filter((r) => r.startsWith('| '));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| verdict', '| ---', '| ❌ fail', '| 💥 error', '| ⚠️ warn', '| ❔ inconclusive', '| ⏭ skip',
      '| severity', '| ---', '| 🟠 **high**', '| 🔵 low',
    ]);
  });

  it('shows the last 20 transcript lines of a failure in a fence longer than ```', () => {
    const block = /<details><summary>❌ smtp\.fixture\.fail: a fail check<\/summary>\n\n(`{4,})text\n([^]*?)\n\1\n\n<\/details>/.exec(md);
    expect(block?.[2]?.split('\n')).toHaveLength(21);
    expect(block?.[2]).toMatch(/^\(11 earlier lines not shown\)\n/);
    expect(block?.[2]).toContain('S: 500 <script>alert(1)</script> ]]> a|b ``` x\\x00y\\x1b[31mz\\x07 \\ud800');
  });

  it('says so when everything passed', () => {
    const passed = renderMarkdown(fixtureReport({ checks: [fixtureCheck('pass'), fixtureCheck('pass')], findings: [] }));
    expect(passed).toContain('\nAll 2 checks passed.\n');
    expect(passed).not.toContain('| verdict');
  });

  it('escapes a hostile summary line', () => {
    const hostileTitle = renderMarkdown(fixtureReport({ checks: [fixtureCheck('fail', { title: HOSTILE, transcript: transcript(1) })] }));
    expect(hostileTitle).toContain('<summary>❌ smtp.fixture.fail: &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt;');
  });

  it('stays under the size limit, cut between whole blocks with a note', () => {
    const many = Array.from({ length: 4000 }, (_, i) => fixtureCheck('fail', { id: `smtp.many.c${i}`, message: HOSTILE, transcript: transcript(40) }));
    const big = renderMarkdown(fixtureReport({ checks: many }));
    expect(Buffer.byteLength(big)).toBeLessThanOrEqual(1_000_000);
    expect(big).toContain("This summary was cut to stay under 1000000 bytes");
    expectIntactTables(big);
    const small = renderMarkdown(fixtureReport({ checks: many }), { maxBytes: 3000 });
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(3000);
    expect(small).toContain('cut to stay under 3000 bytes');
    expectIntactTables(small);
  });
});
