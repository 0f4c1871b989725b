/**
 * The peers of the load benchmarks (test/bench/load-*.bench.ts): Postfix's smtp-sink as the
 * target, smtp-source as the peer generator (timed with GNU time: wall and CPU of the whole
 * process), and small statistics helpers. Needs the postfix package, like the lab.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export const SMTP_SINK = '/usr/sbin/smtp-sink';
export const SMTP_SOURCE = '/usr/sbin/smtp-source';
const GNU_TIME = '/usr/bin/time';

export interface Measured {
  readonly messages: number;
  readonly wallS: number;
  /** User + system CPU seconds of the generator process. */
  readonly cpuS: number;
}

export const perSec = (m: Measured): number => m.messages / m.wallS;
export const cpuPer1k = (m: Measured): number => (m.cpuS / m.messages) * 1000;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`smtp-sink did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Sink {
  readonly port: number;
  stop(): Promise<void>;
}

/** smtp-sink on 127.0.0.1: a free port, backlog 1000, unprivileged (`-u nobody` when root). */
export async function startSink(): Promise<Sink> {
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(SMTP_SINK, [...(asRoot ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGTERM');
    throw new Error(`${String(err)}: ${stderr}`);
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Run smtp-source under GNU time; `args` are smtp-source's. */
export function runSmtpSource(args: readonly string[], messages: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', 'TIME %e %U %S', SMTP_SOURCE, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`smtp-source failed (${code}): ${stderr}`));
      resolve({ messages, wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]) });
    });
  });
}

/** Wall and process CPU of an in-process run. */
export async function measureInProcess(messages: number, fn: () => Promise<number | void>): Promise<Measured> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const done = await fn();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { messages: typeof done === 'number' ? done : messages, wallS, cpuS: (c.user + c.system) / 1e6 };
}
