/**
 * The load engine sits below the scenarios: engine/load defines the contract (types.ts) and
 * takes the scenarios from its caller (runBench's `scenarios`), so no file under engine/load may
 * import from suites/. Otherwise the dependency points both ways again and the engine cannot be
 * used or tested without every protocol scenario.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENGINE_LOAD = join(ROOT, 'engine/load');
const SUITES = join(ROOT, 'suites') + sep;

/** Relative specifiers of every import, `export … from` and literal `import('…')`, resolved to paths. */
function importedPaths(file: string, source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s));
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('engine/load layering', () => {
  it('no file under engine/load imports from suites/', () => {
    const files = tsFilesUnder(ENGINE_LOAD);
    expect(files.length).toBeGreaterThan(10);
    const offending = files.flatMap((file) =>
      importedPaths(file, readFileSync(file, 'utf8'))
        .filter((p) => p.startsWith(SUITES))
        .map((p) => `${relative(ROOT, file)} imports ${relative(ROOT, p)}`),
    );
    expect(offending).toEqual([]);
  });

  // The check above is only as good as the import scan: it must see every form an import takes.
  it('the scan sees static, type-only, re-exported and dynamic imports', () => {
    const file = join(ENGINE_LOAD, 'x.ts');
    const source = [
      "import { createScenario } from '../../suites/bench/registry.js';",
      "import type { ScenarioConfig } from '../../suites/bench/config.js';",
      "export { SCENARIOS } from '../../suites/bench/registry.js';",
      "const m = await import('../../suites/bench/e2e.js');",
      "import { runLoad } from './runner.js';",
    ].join('\n');
    expect(importedPaths(file, source).filter((p) => p.startsWith(SUITES))).toHaveLength(4);
  });
});
