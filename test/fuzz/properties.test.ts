/**
 * A short run, on every `npm test`, of the properties test/fuzz adds for the suite loader, the
 * command line and the report renderers; `npm run fuzz` runs each 100 000 times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resources, settleLeaks } from '../robustness/harness.js';
import { runCliFuzz } from './cli.properties.js';
import { reportProperties } from './report.properties.js';
import { suiteProperties } from './suite.properties.js';

describe('fuzz (short run)', () => {
  it('suite files: a suite or ESUITE file:line, nothing else (400 runs)', () => {
    fc.assert(suiteProperties.seedsLoad(), { numRuns: 10 });
    fc.assert(suiteProperties.loader(), { numRuns: 400 });
  });

  it('command line: a valid path or exit 2 with one line, no network, nothing left open (300 runs)', async () => {
    const baseline = resources();
    await runCliFuzz(300);
    expect(await settleLeaks(baseline, 2000)).toEqual([]);
  }, 60_000);

  it('certificate text in every report format stays inert (200 runs)', () => {
    fc.assert(reportProperties.certificateText(), { numRuns: 200 });
  });
});
