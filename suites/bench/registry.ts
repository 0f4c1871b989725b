/**
 * The bench scenarios by name: what each needs, which metrics it records (thresholds are
 * checked against these before a run starts), and a lazy factory, handed to the load engine
 * as BENCH_SCENARIOS (the engine does not import this layer).
 */
import type { Protocol } from '../../drivers/target.js';
import type { LoadScenario, ScenarioSource, Slice } from '../../engine/load/types.js';
import type { ImapOp, ScenarioConfig, ScenarioName } from './config.js';
import { E2E_METRIC, ENGINE_METRICS, imapMetrics, POP3_METRICS, SMTP_SETUP_METRICS, SMTP_TRANSACTION_METRICS } from './metric-names.js';

export interface ScenarioInfo {
  readonly name: ScenarioName;
  readonly summary: string;
  /** Protocol of the first target URL. */
  readonly protocol: Protocol;
  /** e2e: protocols the second (watch) target may speak. */
  readonly watch?: readonly Protocol[];
  /** Metrics a run of it can record, for the given IMAP mix. */
  metrics(mix: readonly ImapOp[]): readonly string[];
  create(config: ScenarioConfig, slice: Slice): Promise<LoadScenario>;
}


export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioInfo>> = {
  'smtp-send': {
    name: 'smtp-send',
    summary: 'SMTP sessions sending N messages each (PIPELINING when offered)',
    protocol: 'smtp',
    metrics: () => [...ENGINE_METRICS, ...SMTP_SETUP_METRICS, ...SMTP_TRANSACTION_METRICS],
    create: async (c, s) => new (await import('./smtp-send.js')).SmtpSendScenario(c, s),
  },
  'imap-session': {
    name: 'imap-session',
    summary: 'IMAP sessions: login, select, a command mix per iteration, logout',
    protocol: 'imap',
    metrics: (mix) => [...ENGINE_METRICS, ...imapMetrics(mix)],
    create: async (c, s) => new (await import('./imap-session.js')).ImapSessionScenario(c, s),
  },
  'pop3-session': {
    name: 'pop3-session',
    summary: 'POP3 sessions: login, STAT, LIST, UIDL, RETR, QUIT',
    protocol: 'pop3',
    metrics: () => [...ENGINE_METRICS, ...POP3_METRICS],
    create: async (c, s) => new (await import('./pop3-session.js')).Pop3SessionScenario(c, s),
  },
  e2e: {
    name: 'e2e',
    summary: 'submit by SMTP, time until the message is seen by IMAP IDLE or POP3 (e2e.delivery)',
    protocol: 'smtp',
    watch: ['imap', 'pop3'],
    metrics: () => [...ENGINE_METRICS, ...SMTP_SETUP_METRICS, ...SMTP_TRANSACTION_METRICS, E2E_METRIC],
    create: async (c, s) => new (await import('./e2e.js')).E2eScenario(c, s),
  },
};

export function createScenario(config: ScenarioConfig, slice: Slice): Promise<LoadScenario> {
  return SCENARIOS[config.name].create(config, slice);
}

/**
 * runBench's `scenarios`. `module` is this file, as loaded (dist/…/registry.js, or the .ts
 * under tsx), so a worker thread imports the same code and finds `createScenario` above.
 */
export const BENCH_SCENARIOS: ScenarioSource<ScenarioConfig> = { create: createScenario, module: import.meta.url };
