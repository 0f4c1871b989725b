/**
 * How bin/main.ts reports what a command throws, with stand-in commands (the command table is
 * replaced; main() itself is the real one): a usage error is one line even when node:util
 * parseArgs writes three, user text in a message cannot drive the terminal, and an
 * interruption a command lets escape is exit 130, not an internal error.
 */
import { parseArgs } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { MailprobeError } from '../../drivers/errors.js';
import { main } from '../../bin/main.js';
import { fakeIo } from '../helpers/cli.js';

vi.mock('../../bin/commands/index.js', () => {
  const command = (run: (argv: readonly string[]) => Promise<number>) => ({ summary: 'stand-in', load: () => Promise.resolve({ usage: 'stand-in\n', run }) });
  return {
    COMMANDS: {
      // As parseArgs throws for `--html --x`: a message over three lines.
      ambiguous: command((argv) => {
        parseArgs({ args: [...argv], options: { html: { type: 'string' } }, strict: true });
        return Promise.resolve(0);
      }),
      'control-chars': command((argv) => Promise.reject(new MailprobeError('ECONFIG', `target "${argv[0] ?? ''}" is not a URL`, {}, { hint: `try "${argv[0] ?? ''}"` }))),
      // Found by npm run fuzz: `diagnose NAME` interrupted during its MX look-up let EABORTED
      // escape, which main() printed as "internal error" with exit 1.
      'lets-abort-escape': command(() => Promise.reject(new MailprobeError('EABORTED', 'cancelled during dns: interrupted (SIGINT)', { phase: 'dns' }))),
    },
  };
});

describe('bin/main.ts: what a command throws', () => {
  it('a parseArgs message over several lines becomes one line', async () => {
    const io = fakeIo();
    expect(await main(['ambiguous', '--html', '--x'], io)).toBe(2);
    expect(io.err()).toBe(
      "mailprobe: Option '--html' argument is ambiguous. Did you forget to specify the option argument for '--html'? To specify an option argument starting with a dash use '--html=-XYZ'.\n" +
        'Run "mailprobe --help" for usage.\n',
    );
  });

  it('control characters and line breaks from argv are shown as escapes, in the message and the hint', async () => {
    const io = fakeIo();
    expect(await main(['control-chars', 'smtp://x\u001b[2J\nrm -rf'], io)).toBe(2);
    expect(io.err()).toBe('mailprobe: target "smtp://x\\x1b[2J\\nrm -rf" is not a URL\n  hint: try "smtp://x\\x1b[2J\\nrm -rf"\n');
  });

  it('an unknown command name is shown with escapes too', async () => {
    const io = fakeIo();
    expect(await main(['\u001b]0;title\u0007'], io)).toBe(2);
    expect(io.err()).toBe('mailprobe: unknown command "\\x1b]0;title\\x07"\nRun "mailprobe --help" for usage.\n');
  });

  it('an interruption a command lets escape is exit 130 with one line, not an internal error', async () => {
    const io = fakeIo();
    expect(await main(['lets-abort-escape'], io)).toBe(130);
    expect(io.err()).toBe('mailprobe: cancelled during dns: interrupted (SIGINT)\n');
  });
});
