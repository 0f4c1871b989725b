/**
 * What a scenario needs before a run may start, checked up front (ECONFIG, exit 2): target
 * protocols, logins, recipients, enough users for every worker, thresholds on metrics the
 * scenario records.
 */
import { MailprobeError } from '../../drivers/errors.js';
import { DEFAULT_METRIC, type Threshold } from '../../engine/load/thresholds-parse.js';
import type { ScenarioConfig } from './config.js';
import { SCENARIOS } from './registry.js';

export function checkScenario(config: ScenarioConfig, workers: number): void {
  const info = SCENARIOS[config.name];
  if (config.target.protocol !== info.protocol) {
    throw new MailprobeError('ECONFIG', `${config.name} needs an ${info.protocol.toUpperCase()} target (e.g. ${info.protocol}://host), not ${config.target.url}`);
  }
  if (info.watch !== undefined) {
    if (config.watch === undefined || !info.watch.includes(config.watch.protocol)) {
      throw new MailprobeError('ECONFIG', `${config.name} needs a second URL where delivery is watched: ${info.watch.map((p) => `${p}://`).join(' or ')}…`);
    }
  } else if (config.watch !== undefined) {
    throw new MailprobeError('ECONFIG', `${config.name} takes one target URL`);
  }
  const needsLogin = config.name !== 'smtp-send' || config.target.role === 'submission';
  if (needsLogin && config.users.length === 0) {
    throw new MailprobeError('ECONFIG', `${config.name} against ${config.target.url} needs a login: --user (password from $MAILPROBE_PASSWORD) or --users FILE`);
  }
  if (config.name === 'smtp-send' && config.rcpt.length === 0 && config.users.length === 0) {
    throw new MailprobeError('ECONFIG', 'smtp-send needs recipients: --rcpt ADDRESS (a local recipient of the target), or --user/--users (each session then mails its own user)');
  }
  if (config.users.length > 0 && config.users.length < workers && (needsLogin || config.rcpt.length === 0)) {
    throw new MailprobeError('ECONFIG', `--workers ${workers} needs at least ${workers} users (each worker logs in as its own users); the users file has ${config.users.length}`);
  }
}

/** Thresholds may only name metrics the scenario records. */
export function checkThresholdMetrics(config: ScenarioConfig, thresholds: readonly Threshold[]): void {
  const known = new Set(SCENARIOS[config.name].metrics(config.mix));
  for (const t of thresholds) {
    const metric = t.metric ?? DEFAULT_METRIC;
    if (!known.has(metric)) {
      throw new MailprobeError('ECONFIG', `threshold "${t.expr}": ${config.name} records no metric "${metric}"; it records ${[...known].join(', ')}`);
    }
  }
}
