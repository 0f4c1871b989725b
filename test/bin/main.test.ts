import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { main } from '../../bin/main.js';
import type { CliIo } from '../../bin/io.js';

function fakeIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe('main()', () => {
  it('prints the version', async () => {
    const io = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints help with the error code table', async () => {
    const io = fakeIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('ESTARTTLS_TRAILING');
    expect(io.out()).toContain('smtps://');
  });

  it.each([[['--bogus']], [['frobnicate']], [['-x']]])('rejects %j with exit 2 and no stack trace', async (argv) => {
    const io = fakeIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(/^mailprobe: /);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});

describe('the built binary', () => {
  it('runs from dist with --version', async () => {
    const bin = fileURLToPath(new URL('../../dist/bin/mailprobe.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
