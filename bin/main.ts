import { parseArgs } from 'node:util';
import { isMailprobeError, nodeErrorCode } from '../drivers/errors.js';
import { escapeUnprintable } from '../reports/escape.js';
import { EXIT } from './exit-codes.js';
import { usage } from './help.js';
import type { CliIo } from './io.js';
import { toolVersion } from './version.js';
import { COMMANDS } from './commands/index.js';

/**
 * The CLI as a function: argv in, exit code out. Only bin/mailprobe.ts touches process, so
 * tests call this in-process.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (isMailprobeError(err, 'ECONFIG') || isMailprobeError(err, 'ESUITE')) {
      io.stderr.write(`mailprobe: ${escapeUnprintable(err.message)}\n`);
      if (err.hint) io.stderr.write(`  hint: ${escapeUnprintable(err.hint)}\n`);
      return EXIT.USAGE;
    }
    if (isMailprobeError(err, 'EABORTED')) {
      // Commands catch their own interruption to write a partial report; one that let it escape
      // was still interrupted (SIGINT), which is exit 130, not an internal error.
      io.stderr.write(`mailprobe: ${escapeUnprintable(err.message)}\n`);
      return EXIT.INTERRUPTED;
    }
    if (isUsageError(err)) {
      io.stderr.write(`mailprobe: ${oneLine(err.message)}\nRun "mailprobe --help" for usage.\n`);
      return EXIT.USAGE;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`mailprobe: internal error: ${message}\n`);
    if (io.env.MAILPROBE_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT.FAILED;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) {
    const { values } = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.version) {
      io.stdout.write(`${toolVersion()}\n`);
      return EXIT.OK;
    }
    io.stdout.write(usage(toolVersion()));
    return first === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (first === 'help') {
    const topic = argv[1] === undefined ? undefined : COMMANDS[argv[1]];
    io.stdout.write(topic ? (await topic.load()).usage : usage(toolVersion()));
    return EXIT.OK;
  }
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (command) return (await command.load()).run(argv.slice(1), io);
  io.stderr.write(`mailprobe: unknown command "${escapeUnprintable(first)}"\nRun "mailprobe --help" for usage.\n`);
  return EXIT.USAGE;
}

/**
 * A usage problem is one line. node:util parseArgs writes some of its messages over three lines
 * (joined here); every message may quote argv or file names, whose control characters and line
 * breaks are shown as escapes (escapeUnprintable) rather than acted on by the terminal.
 */
function oneLine(text: string): string {
  return escapeUnprintable(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').join(' '));
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for bad flags. */
function isUsageError(err: unknown): err is Error {
  return err instanceof Error && (nodeErrorCode(err)?.startsWith('ERR_PARSE_ARGS') ?? false);
}
