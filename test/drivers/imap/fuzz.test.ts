import { describe, it } from 'vitest';
import { PROPERTIES } from '../../fuzz/imap-parser.properties.js';

// A short run on every `npm test`; `npm run fuzz` runs the same properties 100k times.
const RUNS = 300;

describe('fuzz: IMAP parsers return a result or a parser error, nothing else', () => {
  for (const [name, run] of Object.entries(PROPERTIES)) {
    it(`${name} (${RUNS} runs)`, () => {
      run({ numRuns: RUNS });
    });
  }
});
