#!/usr/bin/env node
import { main } from './main.js';

// A reader that stops early (`mailprobe list | head -5`) closes the pipe: the next write fails
// with EPIPE, which Node reports as an 'error' event that would otherwise crash with a stack
// trace. Nobody is reading any more, so end quietly and successfully, as `yes | head` does.
// On stderr the error is dropped: there is nowhere left to say anything.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

// SIGINT cancels the run: sockets close, a partial report is written, exit code 130. A second
// SIGINT exits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', () => process.exit(130));
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupt.signal });
