/**
 * `npm run fuzz [numRuns]`: every parser property, numRuns cases each (default 100 000), with
 * the counts printed. A failure prints fast-check's shrunk counterexample and exits 1. Covers
 * the wire parsers (SMTP, IMAP, POP3), the suite-file loader, the command line and the report
 * renderers (certificate text).
 */
import fc from 'fast-check';
import { PROPERTIES as imapProperties } from './imap-parser.properties.js';
import { smtpProperties } from './smtp.properties.js';
import { pop3Properties } from '../drivers/pop3/properties.js';
import { runCliFuzz } from './cli.properties.js';
import { reportProperties } from './report.properties.js';
import { suiteProperties } from './suite.properties.js';

const numRuns = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(numRuns) || numRuns <= 0) {
  console.error('usage: npm run fuzz [numRuns]');
  process.exit(2);
}

const runs: [string, () => void | Promise<void>][] = [
  ['smtp.replyParser', () => fc.assert(smtpProperties.replyParser(), { numRuns })],
  ['smtp.dotStuffRoundTrip', () => fc.assert(smtpProperties.dotStuffRoundTrip(), { numRuns })],
  ...Object.entries(imapProperties).map(([name, run]): [string, () => void] => [`imap.${name}`, () => run({ numRuns })]),
  ['pop3.statusParser', () => fc.assert(pop3Properties.statusParser(), { numRuns })],
  ['pop3.multilineReader', () => fc.assert(pop3Properties.multilineReader(), { numRuns })],
  ['pop3.streamChunking', () => fc.assert(pop3Properties.streamChunking(), { numRuns })],
  ['pop3.stuffRoundTrip', () => fc.assert(pop3Properties.stuffRoundTrip(), { numRuns })],
  ['suite.loader', () => fc.assert(suiteProperties.loader(), { numRuns })],
  ['cli.argv', () => runCliFuzz(numRuns)],
  ['reports.certificateText', () => fc.assert(reportProperties.certificateText(), { numRuns })],
];

let total = 0;
for (const [name, run] of runs) {
  const started = performance.now();
  try {
    await run();
  } catch (err) {
    console.error(`${name}: FAILED\n${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  total += numRuns;
  console.log(`${name.padEnd(28)} ${numRuns} cases ok  ${Math.round(performance.now() - started)} ms`);
}
console.log(`${runs.length} properties, ${total} cases, no unclassified throw`);
