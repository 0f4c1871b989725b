/**
 * `npm run fuzz [numRuns] [filter]`: every parser property, numRuns cases each (default
 * 100 000), with the counts printed; `filter` keeps the properties whose name contains it
 * (`npm run fuzz 100000 dns.`). A failure prints fast-check's shrunk counterexample and exits 1.
 * Covers the wire parsers (SMTP, IMAP, POP3, DNS, SNTP), the suite-file loader, the command
 * line and its `--connect-to`/`--resolver`/`--ntp` values, the report renderers (certificate
 * text), the MTA-STS and TLS-RPT texts and merge's report reader.
 */
import fc from 'fast-check';
import { PROPERTIES as imapProperties } from './imap-parser.properties.js';
import { smtpProperties } from './smtp.properties.js';
import { pop3Properties } from '../drivers/pop3/properties.js';
import { runCliFuzz } from './cli.properties.js';
import { reportProperties } from './report.properties.js';
import { suiteProperties } from './suite.properties.js';
import { domainProperties } from './domain.properties.js';
import { loadProperties } from './load.properties.js';

const numRuns = Number(process.argv[2] ?? 100_000);
const filter = process.argv[3] ?? '';
if (!Number.isInteger(numRuns) || numRuns <= 0) {
  console.error('usage: npm run fuzz [numRuns] [filter]');
  process.exit(2);
}

const all: [string, () => void | Promise<void>][] = [
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
  ['dns.wire', () => fc.assert(domainProperties.dnsWire(), { numRuns })],
  ['dns.roundTrip', () => fc.assert(domainProperties.dnsRoundTrip(), { numRuns })],
  ['mta-sts.record', () => fc.assert(domainProperties.stsRecord(), { numRuns })],
  ['mta-sts.policy', () => fc.assert(domainProperties.stsPolicy(), { numRuns })],
  ['tls-rpt.record', () => fc.assert(domainProperties.tlsRptRecord(), { numRuns })],
  ['cli.connectTo', () => fc.assert(domainProperties.connectTo(), { numRuns })],
  ['cli.resolver', () => fc.assert(domainProperties.resolver(), { numRuns })],
  ['cli.ntp', () => fc.assert(loadProperties.ntpServer(), { numRuns })],
  ['sntp.reply', () => fc.assert(loadProperties.sntpReply(), { numRuns })],
  ['merge.reader', () => fc.assert(loadProperties.mergeReader(), { numRuns })],
];
const runs = all.filter(([name]) => name.includes(filter));
if (runs.length === 0) {
  console.error(`no property matches "${filter}": ${all.map(([name]) => name).join(', ')}`);
  process.exit(2);
}

let total = 0;
for (const [name, run] of runs) {
  const started = performance.now();
  try {
    await run();
  } catch (err) {
    // fast-check keeps the property's own error as the cause.
    const cause = err instanceof Error && err.cause instanceof Error ? `\nerror: ${err.cause.stack ?? err.cause.message}` : '';
    console.error(`${name}: FAILED\n${err instanceof Error ? err.message : String(err)}${cause}`);
    process.exit(1);
  }
  total += numRuns;
  console.log(`${name.padEnd(28)} ${numRuns} cases ok  ${Math.round(performance.now() - started)} ms`);
}
console.log(`${runs.length} properties, ${total} cases, no unclassified throw`);
