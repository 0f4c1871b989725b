/**
 * Property of the command line (bin/main.ts and every command's argument parsing), for a short
 * run in the unit suite and a long run in `npm run fuzz`: any argv either takes a valid path
 * (help, version, list, a run that stops at once because the signal is already aborted) or
 * exits 2 with one line naming the problem; never an internal error, a stack trace, another
 * exit code, or a hang.
 *
 * Nothing may reach the network: targets are closed loopback ports, every run starts with an
 * aborted signal, and a tripwire (networkTripwire) fails the property on any TCP connect or UDP
 * datagram to a non-loopback address and on any DNS lookup of a name. Files a run writes land in a scratch directory
 * (runCliFuzz changes into one).
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../../bin/main.js';
import { fakeIo } from '../helpers/cli.js';

const COMMANDS = ['check', 'run', 'diagnose', 'bench', 'report', 'list', 'sandbox', 'demo', 'help', 'merge', 'frobnicate', '--help', '-h', '--version', '-V', ''];

const FLAGS = [
  '--abort-on-fail', '--bench-duration', '--ca', '--cert', '--concurrency', '--delivery-timeout', '--duration', '--empty', '--exit-code', '--fail-on',
  '--fault', '--from', '--greeting-delay', '--host', '--html', '--insecure', '--json', '--junit', '--key', '--mailbox', '--md', '--messages',
  '--messages-per-session', '--mix', '--only', '--out', '--password-env', '--password-file', '--pipeline', '--poll', '--pop3-lock', '--port',
  '--ports', '--probes', '--ramp', '--rate', '--rcpt', '--scenario', '--servername', '--shard', '--size', '--skip', '--skip-bench', '--starttls',
  '--suite', '--threshold', '--timeout', '--user', '--users', '--verbose', '--warmup', '--workers', '--help', '-h', '--version', '--nope', '-x', '--',
];

const VALUES = [
  'smtp://127.0.0.1:9', 'submission://127.0.0.1:9', 'smtps://127.0.0.1:9', 'imap://127.0.0.1:9', 'imaps://[::1]:9', 'pop3://127.0.0.1:9', 'pop3s://127.0.0.1:9',
  '127.0.0.1', '::1', 'smtp://127.0.0.1:0', 'smtp://127.0.0.1:70000', 'gopher://127.0.0.1', 'smtp://', 'smtp://[::1', 'smtp://u@127.0.0.1:9/path',
  '1s', '0', '-1', '5ms', '3000000', 'abc', '100/s', '-5', '1s:10/s,2s:20/s', 'smtp-send', 'imap-session', 'pop3-session', 'e2e', 'a@b.test', 'nobody',
  'smtp.data:p99<5ms', 'errors<1%', 'p99<<', 'x.yaml', 'r.json', 'r.html', '-', '', 'high', 'fail', 'warn', 'list', 'cert-expired', 'stall', 'required', 'never',
  '25,587', '2525=submission', '0', '70000', '3/2', '1/1', '1k', '999m', 'fetch*2,noop', 'smtp,imap', 'interop', 'smtp.*', 'INBOX', 'MAILPROBE_PASSWORD', '255', '256',
  'imap=0', 'smtp=99999',
];

const arg = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FLAGS) },
  { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 1, arbitrary: fc.constantFrom(...FLAGS).chain((f) => fc.constantFrom(...VALUES).map((v) => `${f}=${v}`)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

export const argvArbitrary = fc
  .tuple(fc.constantFrom(...COMMANDS), fc.array(arg, { maxLength: 10 }))
  .map(([command, rest]) => (command === '' ? rest : [command, ...rest]))
  // A valid demo starts a sandbox each time: allowed, but rarely (it is slow, not different).
  .filter((argv) => argv[0] !== 'demo' || argv.length > 1);

/** How long one invocation may take with an aborted signal. */
export const CLI_CASE_MS = 5000;
const EXIT_CODES = new Set([0, 1, 2, 3, 4, 130]);

/** A violation of the property, or undefined. */
export async function checkInvocation(argv: readonly string[]): Promise<string | undefined> {
  const ac = new AbortController();
  ac.abort(new Error('interrupted (fuzz)'));
  const io = fakeIo({ NO_COLOR: '1' }, ac.signal);
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(argv, io);
  } catch (err) {
    return `main threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  }
  const ms = performance.now() - t0;
  const err = io.err();
  const out = io.out();
  if (!EXIT_CODES.has(code)) return `exit code ${code}`;
  if (/internal error|\n\s+at \S/.test(err) || /\n\s+at \S+ \(/.test(out)) return `internal error or stack trace: ${err}`;
  if (ms > CLI_CASE_MS) return `took ${Math.round(ms)} ms`;
  if (code === 2) {
    // `mailprobe` alone prints the usage and exits 2; everything else names its problem.
    if (err === '' && /\nUsage:/.test(out)) return undefined;
    const lines = err.trimEnd().split('\n');
    if (!/^mailprobe: .*\S.*\S/.test(lines[0] ?? '')) return `exit 2 without "mailprobe: …": ${JSON.stringify(err)}`;
    if (lines.length > 2) return `exit 2 with ${lines.length} lines: ${JSON.stringify(err)}`;
    if (lines[1] !== undefined && !/^(Run "mailprobe --help" for usage\.| {2}hint: \S)/.test(lines[1])) return `exit 2, second line: ${JSON.stringify(lines[1])}`;
  }
  return undefined;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Record any TCP connect or UDP datagram off loopback, and refuse any DNS lookup of a name, while installed. */
export function networkTripwire(): { readonly violations: string[]; restore(): void } {
  const violations: string[] = [];
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => unknown };
  const connect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const options = Array.isArray(first) ? (first[0] as Record<string, unknown>) : first;
    if (typeof options === 'object' && options !== null && !('path' in options && options['path'])) {
      const host = String((options as { host?: unknown }).host ?? 'localhost');
      if (!LOOPBACK.test(host)) violations.push(`connect to ${host}`);
    }
    return connect.apply(this, args);
  };
  const udp = dgram.Socket.prototype as unknown as { send: (...args: unknown[]) => unknown };
  const send = udp.send;
  udp.send = function (this: dgram.Socket, ...args: unknown[]) {
    // send(msg, [offset, length,] port, address, cb): the address is the first string after msg.
    const address = args.slice(1).find((a) => typeof a === 'string');
    if (typeof address === 'string' && !LOOPBACK.test(address)) violations.push(`UDP to ${address}`);
    return send.apply(this, args);
  };
  const refuse = (name: string): Error & { code: string } => {
    violations.push(`DNS lookup of ${name}`);
    return Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
  const lookup = dns.lookup;
  const lookupP = dnsPromises.lookup;
  // An address literal or localhost never leaves the machine (listen() looks those up too).
  const local = (name: string): boolean => net.isIP(name) !== 0 || name === 'localhost';
  (dns as { lookup: unknown }).lookup = (name: string, ...rest: unknown[]) => {
    if (local(name)) return (lookup as (...a: unknown[]) => unknown)(name, ...rest);
    const cb = rest.at(-1) as (err: Error) => void;
    process.nextTick(() => cb(refuse(name)));
  };
  (dnsPromises as { lookup: unknown }).lookup = (name: string, ...rest: unknown[]) =>
    local(name) ? (lookupP as (...a: unknown[]) => Promise<unknown>)(name, ...rest) : Promise.reject(refuse(name));
  syncBuiltinESMExports();
  return {
    violations,
    restore() {
      proto.connect = connect;
      udp.send = send;
      (dns as { lookup: unknown }).lookup = lookup;
      (dnsPromises as { lookup: unknown }).lookup = lookupP;
      syncBuiltinESMExports();
    },
  };
}

/**
 * Run the CLI property `numRuns` times in a scratch working directory with the tripwire on.
 * Throws (fast-check's report) on the first violation.
 */
export async function runCliFuzz(numRuns: number, seed?: number): Promise<void> {
  const cwd = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), 'mailprobe-cli-fuzz-'));
  const wire = networkTripwire();
  process.chdir(scratch);
  try {
    await fc.assert(
      fc.asyncProperty(argvArbitrary, async (argv) => {
        const before = wire.violations.length;
        const problem = await checkInvocation(argv);
        if (problem) throw new Error(problem);
        if (wire.violations.length > before) throw new Error(`network access: ${wire.violations.slice(before).join(', ')}`);
        return true;
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
  } finally {
    process.chdir(cwd);
    wire.restore();
    rmSync(scratch, { recursive: true, force: true });
  }
}
