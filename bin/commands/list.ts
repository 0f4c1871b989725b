/** `mailprobe list [--suite smtp,imap,pop3] [--json]`: every built-in check with its RFC reference. */
import { parseArgs } from 'node:util';
import { checkMeta } from '../../engine/runner/run-check.js';
import { BUILTIN_SUITES, builtinChecks, OPT_IN_SUITES } from '../../suites/index.js';
import { parseChoice, splitList } from '../args.js';
import type { CliIo } from '../io.js';

export const usage = `Usage: mailprobe list [--suite smtp,imap,pop3,security] [--json]

Lists the built-in checks: id, protocol, requirement level, RFC reference and title.
`;

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
  const all = [...BUILTIN_SUITES, ...OPT_IN_SUITES] as const;
  const suites = values.suite === undefined ? all : splitList(values.suite).map((s) => parseChoice('--suite', s, all));
  const rows = (await builtinChecks(suites)).map((c) => {
    const m = checkMeta(c);
    return { id: m.id, protocol: c.protocol, level: m.level, ref: m.ref, title: m.title, requires: m.requires ?? [], needs: m.needs ?? [] };
  });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...rows.map((r) => r.id.length), 2);
  const refWidth = Math.max(...rows.map((r) => r.ref.length), 3);
  for (const r of rows) io.stdout.write(`${r.id.padEnd(idWidth)}  ${r.level.padEnd(6)}  ${r.ref.padEnd(refWidth)}  ${r.title}\n`);
  io.stdout.write(`${rows.length} checks\n`);
  return 0;
}
