import type { CliIo } from '../../bin/io.js';

export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
}

/** An in-memory CliIo: what main() wrote, with the environment the test gives. */
export function fakeIo(env: Record<string, string | undefined> = {}, signal?: AbortSignal): FakeIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t), isTTY: false },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    env,
    ...(signal ? { signal } : {}),
    out: () => out,
    err: () => err,
  };
}
