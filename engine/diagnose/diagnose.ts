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
import type { DiagnoseSettings, Endpoint } from './types.js';

export interface DiagnoseInput {
  readonly endpoints: readonly Endpoint[];
  readonly settings: DiagnoseSettings;
  /** Connections in flight at once (default {@link MAX_CONNECTIONS}). */
  readonly maxConnections?: number;
  /** Host name → address; tests inject one instead of patching DNS. */
  readonly resolve?: (host: string) => Promise<string>;
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
  const ctx = {
    settings,
    limiter: createLimiter(input.maxConnections ?? MAX_CONNECTIONS),
    userAnchors: pemFingerprints(settings.tls.ca),
  };
  const settled = await Promise.allSettled(input.endpoints.map((e) => diagnosePort(e, addresses.get(e.host)!, ctx)));
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
