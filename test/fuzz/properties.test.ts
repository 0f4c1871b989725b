/**
 * A short run, on every `npm test`, of the properties test/fuzz adds for the suite loader, the
 * command line, the report renderers, the DNS decoder, the MTA-STS and TLS-RPT texts, the
 * SNTP reply reader, merge's report reader and the --connect-to/--resolver/--ntp values;
 * `npm run fuzz` runs each 100 000 times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resources, settleLeaks } from '../robustness/harness.js';
import { runCliFuzz } from './cli.properties.js';
import { reportProperties } from './report.properties.js';
import { suiteProperties } from './suite.properties.js';
import { domainProperties } from './domain.properties.js';
import { loadProperties } from './load.properties.js';

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

  it('DNS messages: a message or WireError; encoder round trip (500 + 300 runs)', () => {
    fc.assert(domainProperties.dnsWire(), { numRuns: 500 });
    fc.assert(domainProperties.dnsRoundTrip(), { numRuns: 300 });
  });

  it('MTA-STS records and policies, TLS-RPT records: a result or reasons, in linear time (300 runs each)', () => {
    fc.assert(domainProperties.stsRecord(), { numRuns: 300 });
    fc.assert(domainProperties.stsPolicy(), { numRuns: 300 });
    fc.assert(domainProperties.tlsRptRecord(), { numRuns: 300 });
  });

  it('--connect-to, --resolver, --ntp: a value or ECONFIG (300 runs each)', () => {
    fc.assert(domainProperties.connectTo(), { numRuns: 300 });
    fc.assert(domainProperties.resolver(), { numRuns: 300 });
    fc.assert(loadProperties.ntpServer(), { numRuns: 300 });
  });

  it('SNTP replies: ignored, refused or a finite sample, as the header says (500 runs)', () => {
    fc.assert(loadProperties.sntpReply(), { numRuns: 500 });
  });

  it('merge input: a bench report or ECONFIG naming the file (300 runs)', () => {
    fc.assert(loadProperties.mergeReader(), { numRuns: 300 });
  });
});
