import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
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

  // \`mailprobe list | head -5\`: the reader goes away mid-output; the writer must end quietly.
  it.each([[['list']], [['list', '--json']], [['--help']]])('ends quietly with exit 0 when stdout is closed early (%j)', async (argv) => {
    const bin = fileURLToPath(new URL('../../dist/bin/mailprobe.js', import.meta.url));
    const child = spawn(process.execPath, [bin, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read the first chunk, then close the pipe as head(1) does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });
});
