import type { CliIo } from '../io.js';

/** A subcommand module: its usage text and its run function (argv after the command name). */
export interface CommandModule {
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Loaded lazily so `mailprobe --version` does not pay for zod, yaml and the drivers. */
export const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandModule> }>> = {
  bench: {
    summary: 'load a server at a fixed rate or concurrency: per-command latency percentiles, errors, thresholds (exit 3)',
    load: () => import('./bench.js'),
  },
  check: { summary: 'run the conformance suites against servers (CI verdicts per RFC requirement)', load: () => import('./check.js') },
  demo: {
    summary: 'the whole job on the embedded sandbox: check, diagnose and bench, reports in ./mailprobe-report',
    load: () => import('./demo.js'),
  },
  diagnose: {
    summary: 'find what each port really speaks and what is wrong with its TLS, certificates and authentication; --domain: MX hosts, MTA-STS, TLS-RPT, DANE',
    load: () => import('./diagnose.js'),
  },
  sandbox: {
    summary: 'run the embedded mail server (SMTP, IMAP, POP3) on loopback, with optional fault profiles',
    load: () => import('./sandbox.js'),
  },
  merge: {
    summary: 'combine the JSON reports of a distributed bench run (bench --shard i/N): histograms added, percentiles recomputed, thresholds judged once (exit 3)',
    load: () => import('./merge.js'),
  },
  report: { summary: 'render a saved JSON report as HTML, Markdown or JUnit', load: () => import('./report.js') },
  run: { summary: 'run your own suite file (scripted conversation) against servers', load: () => import('./run.js') },
  list: { summary: 'list the built-in checks with their RFC references', load: () => import('./list.js') },
};
