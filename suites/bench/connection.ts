/**
 * What every bench scenario does around its connections: transport options (no transcript:
 * a load run pays nothing per line), connect-phase metrics (`smtp.connect`, `imap.tls`, …) and
 * exchange metrics fed by the drivers' onExchange hook, with names bounded to a known set.
 */
import type { Exchange, ExchangeListener } from '../../drivers/exchange.js';
import type { Target } from '../../drivers/target.js';
import type { Transport, TransportOptions } from '../../drivers/transport.js';
import type { MetricsRegistry } from '../../engine/load/metrics.js';
import type { ScenarioConfig } from './config.js';

export function transportOptions(config: ScenarioConfig, target: Target, signal: AbortSignal): TransportOptions {
  return {
    host: target.host,
    port: target.port,
    implicitTls: target.implicitTls,
    tls: config.tls,
    timeouts: config.timeouts,
    signal,
    transcript: false,
  };
}

/** `<protocol>.dns`, `.connect` and (implicit TLS) `.tls` from the transport's connect timing. */
export function recordConnect(metrics: MetricsRegistry, protocol: string, t: Transport, startedAt: number): void {
  const c = t.connectTiming;
  if (c.dnsMs !== undefined) metrics.metric(`${protocol}.dns`).record(startedAt, c.dnsMs);
  metrics.metric(`${protocol}.connect`).record(startedAt, c.connectMs);
  if (c.tlsMs !== undefined) metrics.metric(`${protocol}.tls`).record(startedAt, c.tlsMs);
}

/**
 * An onExchange listener recording into `metrics` under the exchange's name when it is one of
 * `names`, else under `other`. `label`, when set, renames the next exchanges (the IMAP mix
 * names the driver ops it runs this way).
 */
export class ExchangeMetrics {
  readonly listener: ExchangeListener;
  label: string | undefined;

  constructor(metrics: MetricsRegistry, names: ReadonlySet<string>, other: string) {
    this.listener = (ex: Exchange) => {
      metrics.metric(this.label ?? (names.has(ex.name) ? ex.name : other)).record(ex.startedAt, ex.totalMs, ex.ok);
    };
  }
}

/** Metrics for a failed connect (it never produced an exchange): counted as an error of `.connect`. */
export function recordConnectFailure(metrics: MetricsRegistry, protocol: string, startedAt: number): void {
  metrics.metric(`${protocol}.connect`).fail(startedAt);
}

/** Whether a connect() failure happened before any reply (DNS, TCP, implicit TLS). */
export function failedBeforeGreeting(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('context' in err)) return false;
  const phase = (err as { context: { phase?: string } }).context.phase;
  return phase === 'dns' || phase === 'connect' || phase === 'tls';
}
