/**
 * Where reports go: `--json FILE|-`, `--junit FILE`, `--md FILE`. Paths are checked before
 * anything runs, so a typo costs seconds, not a whole run.
 */
import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { MailprobeError, nodeErrorCode } from '../drivers/errors.js';
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
    // A trailing slash names a directory whether or not it exists (writeFile would fail EISDIR).
    if (path.endsWith('/') || path.endsWith(sep)) throw new MailprobeError('ECONFIG', `--${flag} ${path} names a directory; give a file name`);
    const dir = dirname(resolve(path));
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new MailprobeError('ECONFIG', `--${flag} ${path}: directory ${dir} does not exist`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new MailprobeError('ECONFIG', `--${flag} ${path} is a directory; give a file name`);
  }
}

/**
 * Write one report file. The path was checked before the run, but the file system can still
 * refuse (permissions, a full disk, the directory removed meanwhile): that is a clear ECONFIG
 * naming the flag, not an internal error.
 */
export async function writeOutputFile(flag: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    const code = nodeErrorCode(err);
    throw new MailprobeError('ECONFIG', `--${flag} ${path}: cannot write the report (${code ?? (err instanceof Error ? err.message : String(err))})`);
  }
}

export async function writeReportFiles(report: Report, paths: OutputPaths, io: CliIo, options: { failOn?: Severity; exitCode?: number } = {}): Promise<void> {
  if (paths.json === '-') io.stdout.write(renderJson(report));
  else if (paths.json !== undefined) await writeOutputFile('json', paths.json, renderJson(report));
  if (paths.junit !== undefined) await writeOutputFile('junit', paths.junit, renderJunit(report, options.failOn === undefined ? {} : { failOn: options.failOn }));
  if (paths.md !== undefined) await writeOutputFile('md', paths.md, renderMarkdown(report, options.failOn === undefined ? {} : { failOn: options.failOn }));
  if (paths.html !== undefined) {
    const { renderHtml } = await import('../reports/html/index.js');
    await writeOutputFile('html', paths.html, renderHtml(report, { ...(options.failOn === undefined ? {} : { failOn: options.failOn }), ...(options.exitCode === undefined ? {} : { exitCode: options.exitCode }) }));
  }
}
