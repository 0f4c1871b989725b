/**
 * Readiness by protocol, not by sleep: a port counts as up when a client can connect (and, for
 * implicit TLS, verify the lab chain) and the server's greeting line arrives.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface GreetingProbe {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Implicit TLS: verify against this root with this SNI name. */
  readonly tls?: { readonly ca: string; readonly servername: string };
  /** What a ready server says first (`220 `, `* OK`, `+OK`). */
  readonly greeting: RegExp;
}

/** Failures worth retrying: the listener is not bound yet, or a server is still starting. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EARLY_CLOSE', 'BAD_GREETING']);
const MAX_GREETING_BYTES = 4_096;
const RETRY_MS = 25;

class ProbeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readGreeting(probe: GreetingProbe, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = probe.tls
      ? tlsConnect({ host: probe.host, port: probe.port, ca: probe.tls.ca, servername: probe.tls.servername })
      : netConnect({ host: probe.host, port: probe.port });
    let buf = '';
    const settle = (err: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    const timer = setTimeout(() => settle(new ProbeError('ETIMEDOUT', `no greeting within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const eol = buf.indexOf('\n');
      if (eol < 0 && buf.length < MAX_GREETING_BYTES) return;
      const line = buf.slice(0, eol < 0 ? buf.length : eol).replace(/\r$/, '');
      if (probe.greeting.test(line)) settle(undefined, line);
      else settle(new ProbeError('BAD_GREETING', `unexpected greeting ${JSON.stringify(line)}`));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => settle(new ProbeError(err.code ?? 'EUNKNOWN', err.message)));
    socket.on('close', () => settle(new ProbeError('EARLY_CLOSE', 'closed before a greeting')));
  });
}

/**
 * Retry until the greeting arrives or `deadlineAt` (epoch ms) passes. `abortReason` is polled
 * between attempts so a server that died at startup fails at once instead of at the deadline.
 */
export async function waitForGreeting(probe: GreetingProbe, deadlineAt: number, abortReason: () => string | undefined): Promise<string> {
  let last = 'not tried';
  for (;;) {
    const reason = abortReason();
    if (reason !== undefined) throw new Error(`${probe.name} (${probe.host}:${probe.port}): ${reason}`);
    const remaining = deadlineAt - Date.now();
    if (remaining <= 0) throw new Error(`${probe.name} (${probe.host}:${probe.port}) not ready: ${last}`);
    try {
      return await readGreeting(probe, Math.min(remaining, 2_000));
    } catch (err) {
      const code = err instanceof ProbeError ? err.code : 'EUNKNOWN';
      last = err instanceof Error ? err.message : String(err);
      // A TLS verification failure will not fix itself: report it now, with the real reason.
      if (!TRANSIENT.has(code)) throw new Error(`${probe.name} (${probe.host}:${probe.port}): ${last}`, { cause: err });
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
