/** Run `mailprobe bench` in-process (bin/commands/bench.ts run) and read its JSON report. */
import { run } from '../../../bin/commands/bench.js';
import type { Report } from '../../../engine/report-types.js';
import { fakeIo, type FakeIo } from '../../helpers/cli.js';

export interface BenchRun {
  readonly code: number;
  readonly report: Report;
  readonly io: FakeIo;
  readonly ms: number;
}

/** argv gets `--json -`; the console report goes to stderr. */
export async function bench(argv: readonly string[], options: { env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<BenchRun> {
  const io = fakeIo(options.env ?? {}, options.signal);
  const t0 = performance.now();
  const code = await run([...argv, '--json', '-'], io);
  const ms = performance.now() - t0;
  let report: Report;
  try {
    report = JSON.parse(io.out()) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${code}); stderr:\n${io.err()}`);
  }
  return { code, report, io, ms };
}
