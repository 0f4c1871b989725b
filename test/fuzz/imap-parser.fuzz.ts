/**
 * The long run of the IMAP parser properties (test/fuzz/imap-parser.properties.ts).
 * Run alone: node --import tsx test/fuzz/imap-parser.fuzz.ts [numRuns]   (default 100000)
 */
import { pathToFileURL } from 'node:url';
import { PROPERTIES } from './imap-parser.properties.js';

export interface FuzzRow {
  readonly property: string;
  readonly numRuns: number;
  readonly ms: number;
}

/** Run every property `numRuns` times; throws (with fast-check's shrunk counterexample) on failure. */
export function runImapParserFuzz(numRuns = 100_000, seed?: number): FuzzRow[] {
  return Object.entries(PROPERTIES).map(([property, run]) => {
    const started = performance.now();
    run({ numRuns, ...(seed === undefined ? {} : { seed }) });
    return { property: `imap.${property}`, numRuns, ms: performance.now() - started };
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const numRuns = Number(process.argv[2] ?? 100_000);
  for (const row of runImapParserFuzz(numRuns)) console.log(`${row.property}: ${row.numRuns} runs ok in ${Math.round(row.ms)} ms`);
}
