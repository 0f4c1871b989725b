/**
 * Load-shape values at the CLI edge: rates (`100`, `100/s`, `6000/m`) and ramp stages
 * (`10s:100/s,30s:500/s`, k6's stages: each moves the rate linearly to its target).
 */
import { MailprobeError } from '../../drivers/errors.js';
import type { RampStage } from './schedule.js';

const RATE = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min))?$/;

export function parseRate(flag: string, text: string): number {
  const m = RATE.exec(text.trim());
  if (!m) throw new MailprobeError('ECONFIG', `${flag} "${text}" is not a rate (e.g. 100, 100/s, 6000/m)`);
  const n = Number(m[1]);
  const perSec = m[2] === 'm' || m[2] === 'min' ? n / 60 : n;
  if (!(perSec > 0)) throw new MailprobeError('ECONFIG', `${flag} must be greater than zero`);
  return perSec;
}

export function parseStages(flag: string, text: string, parseDuration: (flag: string, text: string) => number): RampStage[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new MailprobeError('ECONFIG', `${flag} needs stages like 10s:100/s,30s:500/s`);
  return parts.map((p) => {
    const colon = p.indexOf(':');
    if (colon === -1) throw new MailprobeError('ECONFIG', `${flag} stage "${p}" is not DURATION:RATE (e.g. 30s:500/s)`);
    const durationMs = parseDuration(flag, p.slice(0, colon));
    const rateText = p.slice(colon + 1).trim();
    const target = rateText === '0' ? 0 : parseRate(flag, rateText);
    return { durationMs, targetRatePerSec: target };
  });
}
