/**
 * A load run's young generation at its steady-state size from the start.
 *
 * V8 grows new space by doublings (semi-space 1 → 2 → … → 16 MB with Node 20's defaults on
 * 64-bit), each once as many bytes have survived scavenges since the last one as a semi-space
 * holds. A run allocates steadily (about 10 KB per SMTP message, nearly all of it short-lived)
 * and its open sessions survive scavenges, so at 2000 msg/s the last doubling came 20–30 s in:
 * new space reserved 16 → 32 MB and RSS up 13–16 MB in the middle of the measured window,
 * flat afterwards, while heap in use, ArrayBuffers and external memory stayed where they were.
 *
 * Growing by a factor large enough that the first doubling reaches the maximum puts the run in
 * the state V8 reaches anyway, from its first seconds: new space and the scavenge rate stay the
 * same over the whole measured window, and the scavenges at the smaller sizes are saved. A light
 * run holds the larger space only for a while: V8 still shrinks new space when allocation is
 * slow (at 50 msg/s it was back to 1 MB within 30 s). The maximum is V8's, or the user's
 * `--max-semi-space-size` (NODE_OPTIONS accepts it), which stays the way to trade scavenge CPU
 * for memory. The size flags themselves cannot do this here: V8 reads them once, when the heap
 * is set up; the growth factor it reads at every resize.
 */
import { setFlagsFromString } from 'node:v8';

/** Whatever capacity new space has, this many times it is past any maximum (V8 caps it there). */
const GROWTH_FACTOR = 1024;

let applied = false;

/** Once per process, before the load starts (worker threads share the process's V8 flags). */
export function growYoungGenerationAtOnce(): void {
  if (applied) return;
  applied = true;
  // Someone who set the factor when starting node chose it.
  if (process.execArgv.some((a) => /^--semi[-_]space[-_]growth[-_]factor/.test(a))) return;
  setFlagsFromString(`--semi-space-growth-factor=${GROWTH_FACTOR}`);
}
