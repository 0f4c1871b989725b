/**
 * The built-in suites: YAML files under suites/<protocol>/ (shipped next to the compiled
 * code) and code checks listed in suites/<protocol>/code.ts.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Protocol } from '../drivers/target.js';
import type { CodeCheck } from '../engine/checks/code-check.js';
import type { RunnableCheck } from '../engine/runner/run-check.js';
import { loadSuiteFile, type LoadedSuite } from '../engine/suite/loader.js';
import { IMAP_CODE_CHECKS } from './imap/code.js';
import { POP3_CODE_CHECKS } from './pop3/code.js';
import { SECURITY_CODE_CHECKS } from './security/code.js';
import { SMTP_CODE_CHECKS } from './smtp/code.js';

export const BUILTIN_SUITES = ['smtp', 'imap', 'pop3'] as const;
export type BuiltinSuite = (typeof BUILTIN_SUITES)[number];

const CODE_CHECKS: Readonly<Record<Protocol, readonly CodeCheck[]>> = {
  smtp: SMTP_CODE_CHECKS,
  imap: IMAP_CODE_CHECKS,
  pop3: POP3_CODE_CHECKS,
};

/** The YAML suites of one protocol, in file-name order. */
export async function builtinSuiteFiles(protocol: Protocol): Promise<LoadedSuite[]> {
  const dir = new URL(`./${protocol}/`, import.meta.url);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(names.map((n) => loadSuiteFile(fileURLToPath(new URL(n, dir)), `suites/${protocol}/${n}`)));
}

/** Suites run only when asked for by name (`--suite security`): they open mail transactions and fail logins on purpose. */
export const OPT_IN_SUITES = ['security'] as const;
export type SuiteName = BuiltinSuite | (typeof OPT_IN_SUITES)[number];

/** Every built-in check of the given suites: YAML checks then code checks, per protocol. */
export async function builtinChecks(suites: readonly SuiteName[] = BUILTIN_SUITES): Promise<RunnableCheck[]> {
  const out: RunnableCheck[] = [];
  for (const name of suites) {
    if (name === 'security') {
      out.push(...SECURITY_CODE_CHECKS);
      continue;
    }
    for (const suite of await builtinSuiteFiles(name)) out.push(...suite.checks);
    out.push(...CODE_CHECKS[name]);
  }
  return out;
}
