/**
 * Run checks against targets: probe each target once, then its protocol's checks with a
 * bounded number of concurrent connections (independent checks, separate connections).
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { Target } from '../../drivers/target.js';
import type { Timeouts } from '../../drivers/timeouts.js';
import type { TlsClientOptions } from '../../drivers/tls/tls-options.js';
import type { CheckResult, ServerInfo } from '../report-types.js';
import type { CheckEnvironment, Fixtures, ServerCapabilities, StartTlsPolicy } from './environment.js';
import { mapPool } from './pool.js';
import { PROTOCOL_RUNNERS } from './protocols.js';
import { checkMeta, runCheck, type RunnableCheck } from './run-check.js';

/** Probe failures after which no check can say anything. */
const BLOCKING = new Set(['ECONNECT', 'EDNS', 'ETLS_VERIFY', 'ETLS_HANDSHAKE', 'ESUITE', 'ECONFIG']);

export interface CheckRunOptions {
  readonly targets: readonly Target[];
  readonly checks: readonly RunnableCheck[];
  readonly tls: TlsClientOptions;
  readonly starttls: StartTlsPolicy;
  readonly timeouts: Partial<Timeouts>;
  readonly stepTimeoutMs: number;
  readonly fixtures: Fixtures;
  readonly signal: AbortSignal | undefined;
  /** Connections in flight per target. */
  readonly concurrency: number;
  /** Called as each check finishes (live console output). */
  readonly onResult?: (result: CheckResult) => void;
}

export interface CheckRunOutput {
  readonly checks: CheckResult[];
  readonly server: Record<string, ServerInfo>;
  /** Targets nothing could be run against (unreachable, silent, TLS not trusted, …). */
  readonly unreachable: string[];
}

export async function runChecks(options: CheckRunOptions): Promise<CheckRunOutput> {
  const server: Record<string, ServerInfo> = {};
  const unreachable: string[] = [];
  const perTarget = await Promise.all(
    options.targets.map(async (target) => {
      const checks = options.checks.filter((c) => c.protocol === target.protocol);
      const runner = PROTOCOL_RUNNERS[target.protocol];
      if (!runner || checks.length === 0) return [];
      let capabilities: ServerCapabilities;
      try {
        capabilities = await runner.probe({
          target,
          tls: options.tls,
          timeouts: options.timeouts,
          signal: options.signal,
          starttls: options.starttls,
          clientName: options.fixtures.clientName,
          credentials: options.fixtures.credentials,
        });
      } catch (err) {
        if (err instanceof MailprobeError && err.code === 'EABORTED') throw err;
        const reason = err instanceof MailprobeError ? err : undefined;
        // Nothing can run when the server cannot be reached, or TLS cannot be trusted. A server
        // that answers but garbles its greeting or capability list is another matter: its
        // checks run (and the greeting check fails) with no capabilities known.
        const blocking = reason !== undefined && (BLOCKING.has(reason.code) || (reason.code === 'ETIMEDOUT' && reason.context.phase !== 'command'));
        if (!blocking && reason !== undefined) {
          capabilities = { greeting: reason.context.response ?? '', plain: new Set(), tls: undefined, authenticated: undefined, list: [] };
        } else {
          // Nothing could be run against this target (exit code 4 when that holds for all).
          unreachable.push(target.url);
          const message = err instanceof Error ? err.message : String(err);
          const hint = reason?.hint ? `; ${reason.hint}` : '';
          const transcript = reason?.context.transcript ?? [];
          // A non-MailprobeError here is mailprobe's own bug, not the server's.
          const status = reason === undefined || reason.code === 'ESUITE' || reason.code === 'ECONFIG' ? 'error' : 'inconclusive';
          const prefix = status === 'error' ? 'harness error while probing the server' : 'could not run against the server';
          return checks.map((c): CheckResult => ({
            id: checkMeta(c).id,
            protocol: c.protocol,
            target: target.url,
            title: checkMeta(c).title,
            ref: checkMeta(c).ref,
            level: checkMeta(c).level,
            status,
            message: `${prefix}: ${message}${hint}`,
            durationMs: 0,
            transcript,
            source: c.source,
          }));
        }
      }
      const { implementation } = capabilities;
      server[target.url] = { greeting: capabilities.greeting, ...(implementation === undefined ? {} : { implementation }), capabilities: capabilities.list };
      const env: CheckEnvironment = {
        target,
        tls: options.tls,
        starttls: options.starttls,
        timeouts: options.timeouts,
        stepTimeoutMs: options.stepTimeoutMs,
        fixtures: options.fixtures,
        signal: options.signal,
        capabilities,
      };
      return mapPool(checks, options.concurrency, async (check) => {
        const r = await runCheck(check, env, runner.open);
        options.onResult?.(r);
        return r;
      });
    }),
  );
  return { checks: perTarget.flat(), server, unreachable };
}
