#!/usr/bin/env node
import { main } from './main.js';

// SIGINT cancels the run: sockets close, a partial report is written, exit code 130. A second
// SIGINT exits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', () => process.exit(130));
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupt.signal });
