/**
 * Histograms from other processes' reports, decoded only when they were made with this
 * mailprobe's settings (histogram.ts: µs, 1 µs to 1 h, 3 significant digits). Adding a
 * histogram of other settings would silently change the precision of every percentile
 * recomputed from the sum, so it is an ECONFIG error naming where it came from.
 */
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { MailprobeError } from '../../drivers/errors.js';
import { createHistogram, HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS } from './histogram.js';

export interface HistogramSettings {
  readonly lowest: number;
  readonly highest: number;
  readonly digits: number;
}

export const OUR_SETTINGS: HistogramSettings = { lowest: LOWEST_US, highest: HIGHEST_US, digits: SIGNIFICANT_DIGITS };

export function describeSettings(s: HistogramSettings): string {
  return `${s.lowest} µs to ${s.highest} µs, ${s.digits} significant digits`;
}

/** Decode `base64` (found at `where`) into a fresh histogram of our settings; ECONFIG when it cannot be or differs. */
export function decodeChecked(base64: string, where: string): Histogram {
  const out = createHistogram();
  addChecked(out, base64, where);
  return out;
}

/** Add `base64` (found at `where`) into `into`: the same checks, no histogram allocated but the decoder's. */
export function addChecked(into: Histogram, base64: string, where: string): void {
  let decoded: Histogram;
  try {
    decoded = decodeFromCompressedBase64(base64, 64, false);
  } catch (err) {
    throw new MailprobeError('ECONFIG', `${where} is not a compressed HdrHistogram (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    // The pure-JS decoder returns a JsHistogram, which has the lowest bound the interface omits.
    const lowest = (decoded as unknown as { readonly lowestDiscernibleValue?: number }).lowestDiscernibleValue ?? Number.NaN;
    const settings: HistogramSettings = { lowest, highest: decoded.highestTrackableValue, digits: decoded.numberOfSignificantValueDigits };
    if (settings.lowest !== OUR_SETTINGS.lowest || settings.highest !== OUR_SETTINGS.highest || settings.digits !== OUR_SETTINGS.digits) {
      throw new MailprobeError('ECONFIG', `${where}: incompatible histogram settings (${describeSettings(settings)}; this mailprobe merges ${describeSettings(OUR_SETTINGS)}): percentiles of the sum would not be exact`, {}, {
        hint: 'run every shard with the same mailprobe version',
      });
    }
    into.add(decoded);
  } finally {
    decoded.destroy();
  }
}
