/**
 * Where reports go: `--json FILE|-`, `--junit FILE`, `--md FILE`. Paths are checked before
 * anything runs, so a typo costs seconds, not a whole run.
 */
import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MailprobeError } from '../drivers/errors.js';
import type { Report, Severity } from '../engine/report-types.js';
import { renderJson, renderJunit, renderMarkdown } from '../reports/index.js';
import type { CliIo } from './io.js';

export const OUTPUT_OPTIONS = {
  json: { type: 'string' },
  junit: { type: 'string' },
  md: { type: 'string' },
  html: { type: 'string' },
} as const;

export interface OutputPaths {
  readonly json?: string | undefined;
  readonly junit?: string | undefined;
  readonly md?: string | undefined;
  readonly html?: string | undefined;
}

/** True when the JSON report goes to stdout (then the console report goes to stderr). */
export function jsonToStdout(paths: OutputPaths): boolean {
  return paths.json === '-';
}

export async function checkOutputPaths(paths: OutputPaths): Promise<void> {
  for (const [flag, path] of Object.entries(paths) as [string, string | undefined][]) {
    if (path === undefined || (flag === 'json' && path === '-')) continue;
    if (path === '') throw new MailprobeError('ECONFIG', `--${flag} needs a file name`);
    if (path === '-') throw new MailprobeError('ECONFIG', `--${flag} writes a file; only --json can go to stdout (-)`);
    const dir = dirname(resolve(path));
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new MailprobeError('ECONFIG', `--${flag} ${path}: directory ${dir} does not exist`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new MailprobeError('ECONFIG', `--${flag} ${path} is a directory; give a file name`);
  }
}

export async function writeReportFiles(report: Report, paths: OutputPaths, io: CliIo, options: { failOn?: Severity; exitCode?: number } = {}): Promise<void> {
  if (paths.json === '-') io.stdout.write(renderJson(report));
  else if (paths.json !== undefined) await writeFile(paths.json, renderJson(report));
  if (paths.junit !== undefined) await writeFile(paths.junit, renderJunit(report, options.failOn === undefined ? {} : { failOn: options.failOn }));
  if (paths.md !== undefined) await writeFile(paths.md, renderMarkdown(report, options.failOn === undefined ? {} : { failOn: options.failOn }));
  if (paths.html !== undefined) {
    const { renderHtml } = await import('../reports/html/index.js');
    await writeFile(paths.html, renderHtml(report, { ...(options.failOn === undefined ? {} : { failOn: options.failOn }), ...(options.exitCode === undefined ? {} : { exitCode: options.exitCode }) }));
  }
}
