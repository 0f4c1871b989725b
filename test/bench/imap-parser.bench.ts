/**
 * IMAP response parsing: mailprobe's tokenizer (and tokenizer + typed classification) against
 * imapflow's own parser, in the same process, on the same FETCH corpus (test/bench/imap-corpus.ts).
 *
 * imapflow's parser is fed exactly what imapflow feeds it (`parser(payload, { literals })` after
 * its ImapStream has split literals out, lib/imap-flow.js); mailprobe's gets the response with
 * literals inline, as its framer returns it. One op = one pass over the whole corpus.
 *
 * Run alone: node --import tsx test/bench/imap-parser.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { parser as imapflowParser } from 'imapflow/lib/handler/imap-handler.js';
import { parseResponse } from '../../drivers/imap/response.js';
import { tokenizeResponse } from '../../drivers/imap/tokenizer.js';
import { fetchCorpus, type CorpusEntry } from './imap-corpus.js';

/**
 * One benchmark result; the first four fields are the same as the SMTP bench's rows
 * (test/bench/smtp-reply.bench.ts), so drivers.bench.ts can print them together.
 */
export interface BenchRow {
  readonly task: string;
  /** Passes over the whole corpus per second. */
  readonly opsPerSec: number;
  /** Responses parsed per second. */
  readonly unitsPerSec: number;
  readonly unit: string;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly samples: number;
  /** ops/s of this row ÷ ops/s of the baseline row (imapflow); 1 for the baseline itself. */
  readonly ratio: number;
  readonly baseline: string;
}

export interface ImapParserBenchOptions {
  /** Measured time per task (default 1000 ms). */
  timeMs?: number;
  /** Warm-up time per task (default 250 ms). */
  warmupMs?: number;
  corpus?: CorpusEntry[];
}

const BASELINE = 'imap.parse imapflow parser()';

/** Run the comparison; a number is the measured time per task in ms (like benchSmtpReplies). */
export async function benchImapParser(opts: number | ImapParserBenchOptions = {}): Promise<BenchRow[]> {
  const options: ImapParserBenchOptions = typeof opts === 'number' ? { timeMs: opts } : opts;
  const corpus = options.corpus ?? fetchCorpus();
  await checkSameCorpus(corpus);
  let sink = 0;
  const bench = new Bench({ name: 'imap-parser', time: options.timeMs ?? 1000, warmupTime: options.warmupMs ?? 250 });
  bench
    .add(
      BASELINE,
      async () => {
        for (const entry of corpus) {
          const parsed = await imapflowParser(entry.payload, { literals: entry.literals });
          sink += parsed.attributes?.length ?? 0;
        }
      },
      { async: true },
    )
    .add(
      'imap.parse mailprobe tokenizeResponse()',
      () => {
        for (const entry of corpus) sink += tokenizeResponse(entry.wire).tokens.length;
      },
      { async: false },
    )
    .add(
      'imap.parse mailprobe parseResponse() (tokens + typed FETCH)',
      () => {
        for (const entry of corpus) sink += parseResponse(entry.wire).kind.length;
      },
      { async: false },
    );
  await bench.run();
  if (sink === 0) throw new Error('benchmark produced nothing');
  const rows = bench.tasks.map((task): Omit<BenchRow, 'ratio' | 'baseline'> => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`task ${task.name} ${r.state}`);
    return {
      task: task.name,
      opsPerSec: r.throughput.mean,
      unitsPerSec: r.throughput.mean * corpus.length,
      unit: 'responses/s',
      meanMs: r.latency.mean,
      p99Ms: r.latency.p99,
      samples: r.latency.samplesCount,
    };
  });
  const base = rows.find((r) => r.task === BASELINE)!;
  return rows.map((r) => ({ ...r, ratio: r.opsPerSec / base.opsPerSec, baseline: BASELINE }));
}

/**
 * Both parsers must read the same responses the same way: same tag, same number of FETCH items,
 * and the BODY[] literal byte for byte.
 */
async function checkSameCorpus(corpus: CorpusEntry[]): Promise<void> {
  for (const entry of corpus) {
    const theirs = await imapflowParser(entry.payload, { literals: entry.literals });
    const ours = parseResponse(entry.wire);
    const theirList = theirs.attributes?.[1];
    if (ours.kind !== 'fetch' || !Array.isArray(theirList)) throw new Error(`corpus entry is not a FETCH for both parsers`);
    const ourItems = Object.values(ours.attributes).filter((v) => v !== undefined && !(v instanceof Map)).length + ours.attributes.bodies.size;
    if (theirList.length !== ourItems * 2) throw new Error(`corpus mismatch: ${theirList.length / 2} items vs ${ourItems}`);
    const body = ours.attributes.bodies.get('BODY[]')?.bytes;
    const literal = entry.literals[0];
    if (literal !== undefined && (body === undefined || body === null || !body.equals(literal))) throw new Error('corpus mismatch: BODY[] bytes differ');
  }
}

export function formatRows(rows: readonly BenchRow[]): string {
  const lines = rows.map(
    (r) =>
      `${r.task.padEnd(60)} ${r.opsPerSec.toFixed(1).padStart(8)} ops/s ${Math.round(r.unitsPerSec).toString().padStart(8)} ${r.unit} ` +
      `mean ${r.meanMs.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms  ×${r.ratio.toFixed(2)}`,
  );
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const corpus = fetchCorpus();
  const bytes = corpus.reduce((n, e) => n + e.wire.length, 0);
  console.log(`FETCH corpus: ${corpus.length} responses, ${(bytes / 1024).toFixed(0)} KiB`);
  const rows = await benchImapParser({ corpus });
  console.log(formatRows(rows));
}
