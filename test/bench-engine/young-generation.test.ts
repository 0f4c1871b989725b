/**
 * engine/load/young-generation.ts: after growYoungGenerationAtOnce(), V8's new space goes from
 * its size at the time to its maximum in one step, not by doublings. In a child process: the
 * flag is process-wide and this one's heap has long been sized by the test runner.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Allocates like a load run: mostly garbage, a rolling part kept across scavenges. Prints the
// distinct new-space sizes it saw, in MB.
const CHILD = `
import { getHeapSpaceStatistics } from 'node:v8';
import { growYoungGenerationAtOnce } from './engine/load/young-generation.ts';
if (process.env.PIN === '1') growYoungGenerationAtOnce();
const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
const seen = [size()];
const keep = [];
for (let round = 0; round < 300; round++) {
  for (let i = 0; i < 20000; i++) {
    const o = { a: i, b: [i], c: 'x' + i };
    if (i % 25 === 0) keep.push(o);
  }
  if (keep.length > 40000) keep.splice(0, 20000);
  await new Promise((r) => setImmediate(r));
  if (size() !== seen.at(-1)) seen.push(size());
}
console.log(JSON.stringify(seen));
`;

function newSpaceSizes(pin: boolean): number[] {
  // A maximum above what start-up reaches, so there is growth to see.
  const r = spawnSync(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PIN: pin ? '1' : '0' },
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as number[];
}

describe('growYoungGenerationAtOnce', () => {
  it('grows new space to its maximum in one step', () => {
    const sizes = newSpaceSizes(true);
    expect(sizes).toHaveLength(2);
    // Two semi-spaces of --max-semi-space-size.
    expect(sizes[1]).toBe(64);
  });

  it('(without it, V8 doubles its way there)', () => {
    expect(newSpaceSizes(false).length).toBeGreaterThan(2);
  });
});
