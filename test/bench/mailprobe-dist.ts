/**
 * The load engine as users run it: the compiled JavaScript in dist/ (what `bin/mailprobe`
 * loads), not the TypeScript sources through tsx, whose transform adds work to hot paths
 * (esbuild's keepNames defines a `name` on every named closure). The bench:* npm scripts build
 * first; run `npm run build` before starting a bench script by hand.
 */
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../../dist/engine/load/execute.js', import.meta.url))) {
  throw new Error('dist/ is missing: run `npm run build` first (the bench:* npm scripts do)');
}

export { parseTarget } from '../../dist/drivers/target.js';
export { runBench } from '../../dist/engine/load/execute.js';
// The scenarios from dist/ too (runBench takes them from its caller): compiled like the engine.
export { BENCH_SCENARIOS } from '../../dist/suites/bench/registry.js';
export { buildPlan } from '../../dist/engine/load/plan.js';
