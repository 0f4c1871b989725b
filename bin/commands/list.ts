/** `mailprobe list [--suite smtp,imap,pop3,security,interop] [--json]`: every built-in check with its RFC reference. */
import { parseArgs } from 'node:util';
import { checkMeta } from '../../engine/runner/run-check.js';
import { INTEROP_CHECKS } from '../../suites/interop/round-trip.js';
import { BUILTIN_SUITES, builtinChecks, OPT_IN_SUITES, type SuiteName } from '../../suites/index.js';
import { parseChoice, splitList } from '../args.js';
import type { CliIo } from '../io.js';

export const usage = `Usage: mailprobe list [--suite smtp,imap,pop3,security,interop] [--json]

Lists the built-in checks: id, protocol, requirement level, RFC reference and title (default:
every suite). --json gives the same as an array of objects, with the capabilities a check
requires and the fixtures (login, rcpt) it needs.
`;

/** The RFC reference column is padded to this width; a longer reference runs into the title. */
const REF_WIDTH = 28;
const SUITES = [...BUILTIN_SUITES, ...OPT_IN_SUITES, 'interop'] as const;

interface Row {
  readonly id: string;
  readonly protocol: string;
  readonly level: string;
  readonly ref: string;
  readonly title: string;
  readonly requires: readonly string[];
  readonly needs: readonly string[];
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: { suite: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const suites: readonly (typeof SUITES)[number][] = values.suite === undefined ? SUITES : [...new Set(splitList(values.suite).map((s) => parseChoice('--suite', s, SUITES)))];
  const rows: Row[] = (await builtinChecks(suites.filter((s): s is SuiteName => s !== 'interop'))).map((c) => {
    const m = checkMeta(c);
    return { id: m.id, protocol: c.protocol, level: m.level, ref: m.ref, title: m.title, requires: m.requires ?? [], needs: m.needs ?? [] };
  });
  if (suites.includes('interop')) {
    for (const { protocol, meta } of INTEROP_CHECKS) rows.push({ id: meta.id, protocol, level: meta.level, ref: meta.ref, title: meta.title, requires: [], needs: meta.needs });
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...rows.map((r) => r.id.length), 2);
  const protocolWidth = Math.max(...rows.map((r) => r.protocol.length), 8);
  const refWidth = Math.min(REF_WIDTH, Math.max(...rows.map((r) => r.ref.length), 3));
  // A reference longer than its column keeps two spaces before the title, so it still reads.
  const ref = (text: string): string => (text.length >= refWidth ? `${text}  ` : `${text.padEnd(refWidth)}  `);
  const line = (id: string, protocol: string, level: string, rfc: string, title: string): string => `${id.padEnd(idWidth)}  ${protocol.padEnd(protocolWidth)}  ${level.padEnd(6)}  ${ref(rfc)}${title}\n`;
  io.stdout.write(line('ID', 'PROTOCOL', 'LEVEL', 'RFC', 'TITLE'));
  for (const r of rows) io.stdout.write(line(r.id, r.protocol, r.level, r.ref, r.title));
  io.stdout.write(`${rows.length} checks\n`);
  return 0;
}
