/**
 * Properties of the parsers of the distributed load tools (engine/load), for a short run in the
 * unit suite (test/fuzz/properties.test.ts) and a long run in `npm run fuzz`:
 *
 * - sntp.reply: any datagram (random bytes, valid replies with bytes replaced, cut or the
 *   origin changed) is ignored, refused with a reason, or a sample with a finite offset and a
 *   round trip ≥ 0 — exactly as the header fields say; never a throw;
 * - cli.ntp: any `--ntp` value gives a host and a port in range, or ECONFIG;
 * - merge.reader: any text handed to `mailprobe merge` (valid bench reports with values
 *   replaced by hostile JSON, keys deleted, text edited or cut, wrapped in a log; random JSON;
 *   random text) gives a report or ECONFIG naming the file, and a report it accepts merges or
 *   fails ECONFIG; never another throw (TypeError, RangeError), quickly.
 */
import fc from 'fast-check';
import { isMailprobeError } from '../../drivers/errors.js';
import { mergeReports } from '../../engine/load/merge.js';
import { parseMergeInput, type MergeInput } from '../../engine/load/merge-read.js';
import { parseNtpServer, readSntpReply, writeTimestamp, type SntpReply } from '../../engine/load/sntp.js';
import type { Report } from '../../engine/report-types.js';
import { syntheticReport } from '../distributed/helpers/synthetic.js';

// ---------------------------------------------------------------------------------------------
// SNTP (RFC 4330 §4)

const T1 = Date.parse('2030-01-02T03:04:05.678Z');
const ORIGIN = Buffer.alloc(8);
writeTimestamp(ORIGIN, 0, T1);

const validReply = fc
  .record({ leap: fc.integer({ min: 0, max: 3 }), version: fc.integer({ min: 0, max: 7 }), mode: fc.oneof(fc.constant(4), fc.integer({ min: 0, max: 7 })), stratum: fc.oneof(fc.integer({ min: 1, max: 15 }), fc.constantFrom(0, 16, 255)) })
  .chain((h) =>
    fc.tuple(fc.constant(h), fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -1e9, max: 1e9 })),
  )
  .map(([h, random, receiveMs, holdMs]) => {
    const b = Buffer.from(random);
    b[0] = (h.leap << 6) | (h.version << 3) | h.mode;
    b[1] = h.stratum;
    ORIGIN.copy(b, 24);
    writeTimestamp(b, 32, Math.max(0, T1 + receiveMs));
    writeTimestamp(b, 40, Math.max(0, T1 + receiveMs + holdMs));
    return b;
  });

const datagram: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: validReply },
  {
    weight: 2,
    arbitrary: fc.tuple(validReply, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat(), { nil: undefined })).map(([b, edits, cut]) => {
      for (const [at, v] of edits) b[at % b.length] = v;
      return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
    }),
  },
  { weight: 2, arbitrary: fc.tuple(validReply, fc.uint8Array({ maxLength: 40 })).map(([b, extra]) => Buffer.concat([b, extra])) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 96 }).map((a) => Buffer.from(a)) },
);

/** What the header says the reply must be read as, worked out independently. */
function expectedKind(b: Buffer): SntpReply['kind'] {
  if (b.length < 48 || !b.subarray(24, 32).equals(ORIGIN)) return 'ignore';
  if ((b[0]! & 7) !== 4 || b[1] === 0 || b[0]! >> 6 === 3) return 'refused';
  return 'sample';
}

// ---------------------------------------------------------------------------------------------
// merge's report reader

const SEEDS = [
  syntheticReport({ samples: [{ second: 0, us: 1200, ok: true }, { second: 1, us: 900, ok: false }] }),
  syntheticReport({ samples: [{ second: 0, us: 5000, ok: true }], index: 0, count: 2, startAt: '2030-01-02T03:04:05.000Z' }),
].map((r) => JSON.stringify(r));

/** JSON that trips careless readers: own toString/valueOf/__proto__, deep nesting, huge or odd numbers. */
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const HOSTILE = [
  '{"toString":1}', '{"toString":1,"valueOf":1}', '{"valueOf":{}}', '{"__proto__":{"name":"mailprobe","count":1}}', '{"constructor":{"prototype":{}}}',
  '{"hasOwnProperty":1}', '{"toJSON":1}', '1e400', '-1e400', '-0', '-1', '0.5', '123456789012345678901234567890', '"\\ud800"', '""', '"NaN"', '"2030-13-45T99:99:99Z"',
  'null', 'true', '[]', '{}', '[null]', '{"":{}}', deep(10), deep(3000), deep(100_000), `"${'x'.repeat(70_000)}"`,
];
const KEYS = ['tool', 'name', 'schemaVersion', 'command', 'bench', 'metrics', 'iteration', 'count', 'errors', 'hdr', 'timeline', 't', 'ops', 'shard', 'index', 'shards', 'startedAt', 'durationMs', '__proto__', 'toString', 'valueOf', 'constructor'];
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
);

/** Keys that name Object.prototype's members: a reader that uses `{}` as a map trips on them. */
const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

type JsonEdit = { op: 'set' | 'raw' | 'delete' | 'rename'; at: number; value: unknown; raw: string; key: string };
const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  op: fc.constantFrom('set', 'raw', 'delete', 'rename'),
  at: fc.nat(),
  value: jsonish,
  raw: fc.constantFrom(...HOSTILE),
  key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.constantFrom(...KEYS)),
});

/** Every container path of a value (objects and arrays, to a bound), for the edits to land on. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 400 || typeof value !== 'object' || value === null) return out;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    out.push([...at, key]);
    paths((value as Record<string | number, unknown>)[key], [...at, key], out);
  }
  return out;
}

/** A seed with values replaced by random or hostile JSON, or keys deleted, as JSON text. */
function editedReport(seed: string, edits: readonly JsonEdit[], pretty: boolean): string {
  const doc = JSON.parse(seed) as Record<string, unknown>;
  const raws: string[] = [];
  for (const e of edits) {
    const all = paths(doc);
    const path = all[e.at % all.length];
    if (!path) continue;
    let parent: unknown = doc;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k];
    const key = path.at(-1)!;
    const obj = parent as Record<string | number, unknown>;
    if (e.op === 'delete') {
      if (Array.isArray(obj)) obj.splice(Number(key), 1);
      else delete obj[key];
    } else if (e.op === 'rename') {
      // The same value under another key (an own "__proto__" too: defineProperty, not assignment).
      if (!Array.isArray(obj)) {
        const value = obj[key];
        delete obj[key];
        Object.defineProperty(obj, e.key, { value, enumerable: true, configurable: true, writable: true });
      }
    } else if (e.op === 'set') obj[key] = e.value;
    else {
      obj[key] = `\u0000raw${raws.length}`;
      raws.push(e.raw);
    }
  }
  let text = pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
  raws.forEach((raw, i) => (text = text.replace(`"\\u0000raw${i}"`, () => raw)));
  return text;
}

type TextEdit = [op: 'replace' | 'insert' | 'delete' | 'cut', at: number, text: string];
const textEdit: fc.Arbitrary<TextEdit> = fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'cut'), fc.nat(), fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\n', '\n}', '{\n  "schemaVersion"', '\\', '\\u', '0', '-', 'e9', 'null'));

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  for (const [op, at, s] of edits) {
    const i = at % (text.length + 1);
    if (op === 'replace') text = text.slice(0, i) + s + text.slice(i + 1);
    else if (op === 'insert') text = text.slice(0, i) + s + text.slice(i);
    else if (op === 'delete') text = text.slice(0, i) + text.slice(i + 1 + (at % 8));
    else text = text.slice(0, i);
  }
  return text;
}

const LOG_LINES = ['mailprobe 0.1.0 bench smtp-send smtp://mx (shard 0/2)', 'waiting for --start-at …', '{ not json', '{', '}', '{\n  "schemaVersion": 1', '\u001b[31merror\u001b[0m', ''];
const logLines = fc.array(fc.oneof(fc.constantFrom(...LOG_LINES), fc.string({ maxLength: 20 })), { maxLength: 4 }).map((l) => l.join('\n'));

const reportText = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(jsonEdit, { maxLength: 3 }), fc.boolean())
  .map(([seed, edits, pretty]) => editedReport(seed, edits, pretty));

export const mergeText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: reportText },
  { weight: 2, arbitrary: fc.tuple(reportText, fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([t, e]) => applyTextEdits(t, e)) },
  // A captured log: lines, a pretty report (maybe two, maybe edited), trailing lines.
  {
    weight: 2,
    arbitrary: fc
      .tuple(logLines, fc.array(fc.tuple(fc.constantFrom(...SEEDS), fc.array(jsonEdit, { maxLength: 2 }), fc.array(textEdit, { maxLength: 2 })), { minLength: 1, maxLength: 2 }), logLines)
      .map(([head, reports, tail]) => [head, ...reports.map(([seed, j, t]) => applyTextEdits(editedReport(seed, j, true), t)), tail].join('\n')),
  },
  { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
);

/** How long reading (and merging) one report may take. */
export const MERGE_CASE_MS = 1000;

export const loadProperties = {
  /** Any datagram: ignored, refused or a sample as its header says; finite numbers; never a throw. */
  sntpReply: () =>
    fc.property(datagram, fc.integer({ min: -5_000, max: 60_000 }), (msg, elapsed) => {
      const t4 = T1 + Math.abs(elapsed);
      const r = readSntpReply(msg, ORIGIN, T1, t4);
      if (r.kind !== expectedKind(msg)) throw new Error(`read as ${r.kind}, the header says ${expectedKind(msg)}`);
      if (r.kind === 'refused') return r.reason.length > 0 && !/[^\x20-\x7e]/.test(r.reason);
      if (r.kind === 'sample') return Number.isFinite(r.offsetMs) && Number.isFinite(r.rttMs) && r.rttMs >= 0;
      return true;
    }),

  /** `--ntp`: a host and a port 1–65535, or ECONFIG. */
  ntpServer: () =>
    fc.property(ntpText, (text) => {
      try {
        const s = parseNtpServer(text);
        return s.host.length > 0 && Number.isInteger(s.port) && s.port >= 1 && s.port <= 65_535;
      } catch (err) {
        if (isMailprobeError(err, 'ECONFIG')) return true;
        throw err;
      }
    }),

  /** Any text: a bench report (which merges or fails ECONFIG) or ECONFIG naming the file; quickly. */
  mergeReader: () =>
    fc.property(mergeText, (text) => {
      const t0 = performance.now();
      let input: MergeInput | undefined;
      try {
        input = parseMergeInput(text, 'shard.json');
      } catch (err) {
        if (!isMailprobeError(err, 'ECONFIG')) throw err;
        if (!err.message.startsWith('shard.json ')) throw new Error(`ECONFIG without the file name: ${err.message.slice(0, 200)}`);
      }
      if (input !== undefined) {
        if (input.bench !== input.report.bench || input.report.tool.name !== 'mailprobe') return false;
        let merged: Report | undefined;
        try {
          merged = mergeReports([input], { version: 'fuzz' }).report;
        } catch (err) {
          if (!isMailprobeError(err, 'ECONFIG')) throw err;
        }
        // What a merge adds up stays what the schema says: counts, lists of samples.
        const b = merged?.bench;
        if (b && !Object.values(b.errors ?? {}).every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`merged errors ${JSON.stringify(b.errors)}`);
        if (b && !Object.values(b.errorSamples ?? {}).every((l) => Array.isArray(l) && l.every((x) => typeof x === 'string'))) throw new Error(`merged errorSamples ${JSON.stringify(b.errorSamples)}`);
      }
      const ms = performance.now() - t0;
      if (ms > MERGE_CASE_MS) throw new Error(`took ${Math.round(ms)} ms`);
      return true;
    }),
};

const NTP_TOKENS = ['ntp://', 'NTP://', 'pool.ntp.org', '10.0.0.1', '[', ']', '::1', ':', '123', '0', '65536', '99999', '/', ' ', '\t', '%', 'fe80::1%eth0', 'a:b:c', '@'];
const ntpText = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...NTP_TOKENS), { maxLength: 8 }).map((t) => t.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
