import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * mailprobe's version from its package.json, found by walking up from this module (it sits at
 * bin/ in the sources and dist/bin/ when built).
 */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'mailprobe' && typeof pkg.version === 'string') {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // Not at this level; try the next one up.
    }
  }
  cached = '0.0.0-unknown';
  return cached;
}
