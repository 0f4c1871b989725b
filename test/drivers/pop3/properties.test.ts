import fc from 'fast-check';
import { describe, it } from 'vitest';
import { pop3Properties } from './properties.js';

// Short runs here; a fuzz script runs the same properties with numRuns: 100_000.
const RUNS = { numRuns: 300 };

describe('POP3 parser properties', () => {
  it('the status parser returns a status or throws EPROTOCOL', () => fc.assert(pop3Properties.statusParser(), RUNS));
  it('the multi-line reader returns a body or throws a MailprobeError', () => fc.assert(pop3Properties.multilineReader(), RUNS));
  it('chunking never changes the responses', () => fc.assert(pop3Properties.streamChunking(), RUNS));
  it('dot-stuffing round-trips', () => fc.assert(pop3Properties.stuffRoundTrip(), RUNS));
});
