/**
 * The diagnose orchestrator: resolve each host once, diagnose every port in parallel (each step
 * under its own deadline, connections capped by a limiter), then compare the ports of a host.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { withDeadline } from '../../drivers/deadline.js';
import { isMailprobeError, MailprobeError, nodeErrorCode } from '../../drivers/errors.js';
import type { Finding, PortReport, ServerInfo } from '../report-types.js';
import { judgeConsistency } from './consistency.js';
import { diagnosePort, type PortDiagnosis } from './diagnose-port.js';
import { createLimiter } from './limiter.js';
import { pemFingerprints } from './trust.js';
import type { DiagnoseSettings, Endpoint, TcpConnector } from './types.js';

export interface DiagnoseInput {
  readonly endpoints: readonly Endpoint[];
  readonly settings: DiagnoseSettings;
  /** Connections in flight at once (default {@link MAX_CONNECTIONS}). */
  readonly maxConnections?: number;
  /** Host name → address; tests inject one instead of patching DNS (`--resolver` does too). */
  readonly resolve?: (host: string) => Promise<string>;
  /** The connector for one endpoint (`--connect-to`); default: settings.connect. */
  readonly connectFor?: (endpoint: Endpoint, address: string) => TcpConnector | undefined;
}

export interface DiagnoseResult {
  readonly ports: PortReport[];
  readonly findings: Finding[];
  readonly server: Record<string, ServerInfo>;
  /** At least one port accepted a TCP connection. */
  readonly reachable: boolean;
  /** The run was cancelled: only the ports that finished are in the result. */
  readonly partial: boolean;
}

/** Seven ports with five probe connections each still finish in about one round of deadlines. */
export const MAX_CONNECTIONS = 24;

export async function diagnose(input: DiagnoseInput): Promise<DiagnoseResult> {
  const { settings } = input;
  const addresses = await resolveHosts(input);
  const jobs = input.endpoints.map((endpoint) => {
    const address = addresses.get(endpoint.host)!;
    const connect = input.connectFor?.(endpoint, address);
    return { endpoint, address, ...(connect ? { connect } : {}) };
  });
  const { done, deferred, partial } = await settlePorts(jobs, settings, input.maxConnections);
  const certs = done.flatMap((d) => (d.leaf ? [{ endpoint: d.endpoint, leaf: d.leaf }] : []));
  const server: Record<string, ServerInfo> = {};
  for (const d of done) if (d.server) server[d.server.url] = d.server.info;
  return {
    ports: done.map((d) => d.report),
    findings: [...done.flatMap((d, i) => [...d.findings, ...(deferred[i] ?? [])]), ...judgeConsistency(certs, settings.now())],
    server,
    reachable: done.some((d) => d.reachable),
    partial,
  };
}

/** One port to diagnose at one address, with its own connector when it has one. */
export interface PortJob {
  readonly endpoint: Endpoint;
  readonly address: string;
  readonly connect?: TcpConnector;
}

export interface SettledPorts {
  /** The ports that finished, in job order (cancelled ones are left out). */
  readonly done: PortDiagnosis[];
  /** The deferred probes' findings, by index into `done`. */
  readonly deferred: Finding[][];
  readonly partial: boolean;
}

/**
 * Every job in parallel under one connection limiter, then the deferred probes. A cancelled run
 * (EABORTED) is partial; any other rejection is a harness error and is thrown.
 */
export async function settlePorts(jobs: readonly PortJob[], settings: DiagnoseSettings, maxConnections = MAX_CONNECTIONS): Promise<SettledPorts> {
  const ctx = { settings, limiter: createLimiter(maxConnections), userAnchors: pemFingerprints(settings.tls.ca) };
  const settled = await Promise.allSettled(jobs.map((j) => diagnosePort(j.endpoint, j.address, j.connect ? { ...ctx, settings: { ...settings, connect: j.connect } } : ctx)));
  const done: PortDiagnosis[] = [];
  let partial = false;
  for (const s of settled) {
    if (s.status === 'fulfilled') done.push(s.value);
    else if (isMailprobeError(s.reason, 'EABORTED') || settings.signal?.aborted) partial = true;
    else throw s.reason;
  }
  // Probes that must not disturb the others run last (failed logins slow every login from here).
  const deferred: Finding[][] = [];
  if (!partial) {
    for (const r of await Promise.allSettled(done.map((d) => d.deferred?.() ?? Promise.resolve([])))) {
      if (r.status === 'fulfilled') deferred.push(r.value);
      else if (isMailprobeError(r.reason, 'EABORTED') || settings.signal?.aborted) {
        partial = true;
        deferred.push([]);
      } else throw r.reason;
    }
  }
  return { done, deferred, partial };
}

/** Each host's address, looked up once; a name that does not resolve fails the run with EDNS. */
async function resolveHosts(input: DiagnoseInput): Promise<Map<string, string>> {
  const { settings } = input;
  const resolve = input.resolve ?? (async (host: string) => (await lookup(host)).address);
  const out = new Map<string, string>();
  for (const host of new Set(input.endpoints.map((e) => e.host))) {
    if (isIP(host) !== 0) {
      out.set(host, host);
      continue;
    }
    try {
      out.set(host, await withDeadline('dns', settings.timeoutMs, settings.signal, () => resolve(host), () => {}));
    } catch (err) {
      if (isMailprobeError(err, 'EABORTED')) throw err;
      throw new MailprobeError('EDNS', `cannot resolve ${host}: ${nodeErrorCode(err) ?? (err instanceof Error ? err.message : String(err))}`, { phase: 'dns' }, { cause: err });
    }
  }
  return out;
}
