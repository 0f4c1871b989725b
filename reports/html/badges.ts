/**
 * Verdict and severity badges: a word in a coloured pill. The word is always there (colour is
 * never the only signal: prints in black and white, reads to a screen reader).
 */
import type { CheckStatus, Severity } from '../../engine/report-types.js';
import { html, type Html } from './markup.js';

/** A check verdict as a badge; `count` puts a number before it (`3 fail`). */
export function statusBadge(status: CheckStatus, count?: number): Html {
  return html`<span class="mp-badge mp-status-${status}">${count === undefined ? '' : `${count} `}${status}</span>`;
}

/** A finding severity as a badge. */
export function severityBadge(severity: Severity, count?: number): Html {
  return html`<span class="mp-badge mp-sev-${severity}">${count === undefined ? '' : `${count} `}${severity}</span>`;
}

/** A good/bad/neutral state (thresholds, certificates, observed services) as a badge. */
export function stateBadge(state: 'good' | 'bad' | 'warn' | 'neutral', text: string): Html {
  return html`<span class="mp-badge mp-state-${state}">${text}</span>`;
}
